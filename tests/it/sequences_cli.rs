//! `creator-bot sequences` end to end through the binary: it checks the templates before
//! anything else, queues what is due at `--at`, and says so.

use crate::common;

use std::path::Path;

use common::lifecycle::{creator_in, glow, outbox, templates_dir};
use sqlx::PgPool;

fn cli(pool: &PgPool, config: &Path, args: &[&str]) -> (i32, String, String) {
    let args: Vec<&str> = std::iter::once("sequences")
        .chain(args.iter().copied())
        .collect();
    common::cli::cli(pool, config, &args)
}

fn config_file(dir: &Path, templates: &Path) -> std::path::PathBuf {
    let path = dir.join("bot.toml");
    std::fs::write(
        &path,
        format!(
            "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Skincare\"\n\
             timezone = \"America/New_York\"\ncurrency = \"USD\"\n\n[lifecycle]\ntemplates_dir = {:?}\n",
            templates.display().to_string()
        ),
    )
    .unwrap();
    path
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn queues_what_is_due_and_refuses_broken_templates(pool: PgPool) {
    let p = glow(&pool).await;
    creator_in(&pool, &p, "ada", "Ada", "2026-03-06", None).await;
    let dir = tempfile::tempdir().unwrap();

    // A template with a typo: the command stops before touching the database.
    let broken = dir.path().join("templates");
    std::fs::create_dir(&broken).unwrap();
    for entry in std::fs::read_dir(templates_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), broken.join(entry.file_name())).unwrap();
    }
    let nudge = broken.join("activation_nudge_1.txt");
    std::fs::write(&nudge, "Hi {{ first_name }},\n\nhow is the {{ prodct }}?\n").unwrap();
    let config = config_file(dir.path(), &broken);
    assert_eq!(
        cli(&pool, &config, &["--at", "2026-03-06 00:00"]),
        (
            1,
            String::new(),
            format!(
                "error: {}:3: unknown placeholder {{{{ prodct }}}} (known: first_name, product)\n",
                nudge.display()
            )
        )
    );
    assert!(outbox(&pool).await.is_empty());

    let config = config_file(dir.path(), &templates_dir());
    assert_eq!(
        cli(&pool, &config, &["--at", "2026-03-06 00:00"]),
        (
            0,
            "Sequences at 2026-03-06 00:00 EST\n\
             queued DMs: 1 onboarding, 0 sample follow-up, 0 reactivation, 0 first-post thanks, \
             0 milestones, 0 promotion notes\n\
             queued staff alerts: 0\n\
             cancelled: 0\n\
             stage moves: 1 to onboarding, 0 to awaiting first post, 0 to active, 0 to dormant\n"
                .into(),
            String::new()
        )
    );
    let rows = outbox(&pool).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].template.as_deref(), Some("onboarding_welcome"));
    assert_eq!(
        rows[0].due_at,
        common::lifecycle::utc("2026-03-06T14:00:00Z")
    );

    // Again at the same instant: nothing new.
    let (code, out, _) = cli(
        &pool,
        &config,
        &["--at", "2026-03-06 00:00", "--format", "json"],
    );
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["at"], "2026-03-06T05:00:00+00:00");
    assert_eq!(value["onboarding"], 0);
    assert_eq!(value["to_onboarding"], 0);
    assert_eq!(outbox(&pool).await.len(), 1);
}
