//! `creator-bot slack setup` and `/setup` on Slack: the program's channels created (private ones
//! private) or adopted by name, joined, mapped, and a report of what was done and what staff must
//! fix; `/setup` only for Workspace Admins; and the app manifest, from the library and the
//! command line.

use creator_bot::chat::commands::{Outcome, registry};
use creator_bot::chat::slack::Api;
use creator_bot::chat::slack::manifest::manifest_yaml;
use creator_bot::chat::slack::setup::setup;
use creator_bot::config::slack::SlackMode;
use creator_bot::db::programs::{self, Program};
use serde_json::{Value, json};
use sqlx::PgPool;

use super::{LENA, PATIENCE, SAM, config, start_with, tokens, workspace};
use crate::common::cli::database_url;
use crate::common::lifecycle::{templates_dir, utc};
use crate::slack_fake::{BOT_TOKEN, BOT_USER_ID, FakeChannel, FakeSlack, TEAM_ID};

const FOOTER: &str = "Staff are the members of #staff: invite your staff there (in #staff, \
                      /invite @name). Creators are added to their tier's channel by @creator-bot \
                      as their tier changes.";

async fn program(pool: &PgPool, fake: &FakeSlack) -> Program {
    programs::sync(pool, &config(fake, SlackMode::Socket).programs())
        .await
        .unwrap()
        .remove(0)
}

fn api(fake: &FakeSlack) -> Api {
    Api::new(&fake.api_url(), BOT_TOKEN).unwrap()
}

/// The channel map on Slack: (channel key, channel id), by key.
async fn mapped(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT channel, channel_id FROM chat_channels WHERE platform = 'slack' ORDER BY channel",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn id_of(fake: &FakeSlack, name: &str) -> String {
    fake.channel_by_name(name).expect(name).id
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setup_creates_the_channels_then_adopts_them(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let program = program(&pool, &fake).await;
    let reply = setup(&api(&fake), &pool, &program, TEAM_ID).await.unwrap();
    assert_eq!(reply.outcome, Outcome::Done);
    assert_eq!(
        reply.text(),
        format!(
            "Slack setup for Glow Creators\n\
             Created: #all-stars (private), #steady-earners (private), #competitions (public), \
             #staff (private).\n\
             Everything the bot needs is in place.\n\
             {FOOTER}"
        )
    );
    let created: Vec<Value> = fake
        .calls("conversations.create")
        .iter()
        .map(|c| json!([c.params["name"], c.params["is_private"]]))
        .collect();
    assert_eq!(
        created,
        vec![
            json!(["all-stars", true]),
            json!(["steady-earners", true]),
            json!(["competitions", false]),
            json!(["staff", true]),
        ]
    );
    for (name, private) in [
        ("all-stars", true),
        ("steady-earners", true),
        ("competitions", false),
        ("staff", true),
    ] {
        let c = fake.channel_by_name(name).unwrap();
        assert_eq!(c.is_private, private, "{name}");
        assert_eq!(c.members, vec![BOT_USER_ID.to_string()], "{name}");
    }
    let map = vec![
        ("competitions".to_string(), id_of(&fake, "competitions")),
        ("staff".to_string(), id_of(&fake, "staff")),
        ("tier:all_stars".to_string(), id_of(&fake, "all-stars")),
        (
            "tier:steady_earners".to_string(),
            id_of(&fake, "steady-earners"),
        ),
    ];
    assert_eq!(mapped(&pool).await, map);

    // Again: everything adopted, nothing created or joined, the map unchanged.
    let again = setup(&api(&fake), &pool, &program, TEAM_ID).await.unwrap();
    assert_eq!(again.outcome, Outcome::Done);
    assert_eq!(
        again.text(),
        format!(
            "Slack setup for Glow Creators\n\
             Created: nothing (everything was there already).\n\
             Already there, now used: #all-stars, #steady-earners, #competitions, #staff.\n\
             Everything the bot needs is in place.\n\
             {FOOTER}"
        )
    );
    assert_eq!(fake.calls("conversations.create").len(), 4);
    assert!(fake.calls("conversations.join").is_empty());
    assert_eq!(mapped(&pool).await, map);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setup_adopts_channels_of_those_names_and_says_what_to_fix(pool: PgPool) {
    // #all-stars exists (private, the bot in it); #competitions exists (public, the bot not in
    // it); #steady-earners exists but is public; #staff exists, private, without the bot.
    let fake = FakeSlack::start(
        workspace()
            .channel(FakeChannel::private("C0STARS", "all-stars").with_bot())
            .channel(FakeChannel::public("C0COMP", "competitions").members([LENA]))
            .channel(FakeChannel::public("C0STEADY", "steady-earners").with_bot())
            .channel(FakeChannel::private("C0STAFF", "staff").members([LENA])),
    )
    .await;
    let program = program(&pool, &fake).await;
    let reply = setup(&api(&fake), &pool, &program, TEAM_ID).await.unwrap();
    assert_eq!(reply.outcome, Outcome::Refused);
    assert_eq!(
        reply.text(),
        format!(
            "Slack setup for Glow Creators\n\
             Created: nothing (everything was there already).\n\
             Already there, now used: #all-stars, #steady-earners, #competitions.\n\
             To fix (2):\n\
             • #steady-earners is public, so anyone in the workspace can read it: in \
             #steady-earners, open the channel name → Settings → Change to a private channel.\n\
             • A channel named #staff already exists, but the bot can't see it (a private \
             channel it isn't in, or an archived one): in #staff type /invite @creator-bot, or \
             rename that channel, then run setup again.\n\
             {FOOTER}"
        )
    );
    // The public #competitions was joined; #staff was tried once and left alone.
    let joins: Vec<Value> = fake
        .calls("conversations.join")
        .iter()
        .map(|c| c.params["channel"].clone())
        .collect();
    assert_eq!(joins, vec![json!("C0COMP")]);
    assert!(fake.members("C0COMP").contains(&BOT_USER_ID.to_string()));
    let created: Vec<Value> = fake
        .calls("conversations.create")
        .iter()
        .map(|c| c.params["name"].clone())
        .collect();
    assert_eq!(created, vec![json!("staff")]);
    assert_eq!(
        fake.calls("conversations.create")[0].error(),
        Some("name_taken")
    );
    assert_eq!(
        mapped(&pool).await,
        vec![
            ("competitions".to_string(), "C0COMP".to_string()),
            ("tier:all_stars".to_string(), "C0STARS".to_string()),
            ("tier:steady_earners".to_string(), "C0STEADY".to_string()),
        ]
    );

    // Staff invite the bot to #staff and make #steady-earners private: all in place.
    fake.update_workspace(|w| {
        w.find_channel_mut("C0STAFF")
            .unwrap()
            .add_member(BOT_USER_ID);
        w.find_channel_mut("C0STEADY").unwrap().is_private = true;
    });
    let again = setup(&api(&fake), &pool, &program, TEAM_ID).await.unwrap();
    assert_eq!(again.outcome, Outcome::Done, "{}", again.text());
    assert!(
        again.text().contains(
            "Already there, now used: #all-stars, #steady-earners, #competitions, #staff."
        ),
        "{}",
        again.text()
    );
    assert_eq!(fake.calls("conversations.create").len(), 1);
    assert_eq!(fake.calls("conversations.join").len(), 1);
    assert_eq!(mapped(&pool).await.len(), 4);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setup_refuses_a_token_of_another_workspace(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let program = program(&pool, &fake).await;
    let e = setup(&api(&fake), &pool, &program, "T0OTHER")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "the bot token belongs to workspace {TEAM_ID}, but the program's slack_team_id is \
             T0OTHER: install the app to the program's workspace, or correct \
             programs[].slack_team_id"
        )
    );
    assert!(fake.calls("conversations.create").is_empty());
}

/// The text of a Slack reply's blocks, one block a line.
fn blocks_text(body: &Value) -> String {
    body["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| {
            b["text"]["text"].as_str().map(str::to_string).or_else(|| {
                b["elements"].as_array().map(|e| {
                    e.iter()
                        .filter_map(|e| e["text"].as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The setup report of a workspace with only #staff: the other three channels created. Its text.
fn created_all_but_staff(done: &crate::slack_fake::ResponsePost) -> String {
    let text = blocks_text(&done.body);
    assert!(
        text.contains("Slack setup for Glow Creators"),
        "{}",
        done.body
    );
    assert!(
        text.contains(
            "Created: #all-stars (private), #steady-earners (private), #competitions (public)."
        ),
        "{}",
        done.body
    );
    text
}

/// Maps the program's #staff to the fake's C0STAFF.
async fn map_staff(pool: &PgPool, program: &Program) {
    let mut conn = pool.acquire().await.unwrap();
    creator_bot::db::channels::set_channel(
        &mut conn,
        program.id,
        "slack",
        creator_bot::domain::channels::ProgramChannel::Staff,
        "C0STAFF",
    )
    .await
    .unwrap();
}

/// `user` types /setup: acked, then answered privately through the response_url.
async fn slash_setup(fake: &FakeSlack, user: &str) -> crate::slack_fake::ResponsePost {
    let run = fake.slash_command(user, "/setup", "");
    run.ack(PATIENCE).await.expect("acked");
    let answer = run.response(PATIENCE).await.expect("answered");
    assert_eq!(answer.body["response_type"], "ephemeral");
    answer
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn slash_setup_is_for_workspace_admins(pool: PgPool) {
    // #staff exists with Sam in it: Sam is staff, but not a Workspace Admin.
    let fake = FakeSlack::start(
        workspace().channel(
            FakeChannel::private("C0STAFF", "staff")
                .with_bot()
                .members([SAM]),
        ),
    )
    .await;
    let mut config = config(&fake, SlackMode::Socket);
    config.slack.staff_user_ids = vec![LENA.to_string()];
    let bot = start_with(
        &pool,
        &fake,
        utc("2026-12-07T15:00:00Z"),
        config,
        tokens(SlackMode::Socket),
    )
    .await;
    map_staff(&pool, &bot.program).await;

    let refused = slash_setup(&fake, SAM).await;
    let text = blocks_text(&refused.body);
    assert!(
        text.contains(
            "/setup changes the workspace's channels, so it is for Workspace Admins and Owners \
             (or the user ids in slack.staff_user_ids): ask one of them to run it."
        ),
        "{}",
        refused.body
    );
    // Slack was asked whether Sam is an admin, and nothing was changed.
    let asked = fake.calls("users.info");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].param("user"), Some(SAM));
    assert!(fake.calls("conversations.create").is_empty());
    assert!(fake.calls("conversations.list").is_empty());

    // Lena is listed in slack.staff_user_ids: her /setup runs and reports.
    let done = slash_setup(&fake, LENA).await;
    let text = created_all_but_staff(&done);
    assert!(
        text.contains("Already there, now used: #staff."),
        "{}",
        done.body
    );
    assert_eq!(fake.calls("conversations.create").len(), 3);
    assert_eq!(mapped(&pool).await.len(), 4);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_workspace_admin_in_staff_runs_slash_setup_without_being_listed(pool: PgPool) {
    const OWEN: &str = "U0OWEN";
    let fake = FakeSlack::start(
        workspace()
            .user(crate::slack_fake::FakeUser::new(OWEN, "owen").admin())
            .channel(
                FakeChannel::private("C0STAFF", "staff")
                    .with_bot()
                    .members([OWEN]),
            ),
    )
    .await;
    // Nobody is listed in slack.staff_user_ids.
    let bot = start_with(
        &pool,
        &fake,
        utc("2026-12-07T15:00:00Z"),
        config(&fake, SlackMode::Socket),
        tokens(SlackMode::Socket),
    )
    .await;
    map_staff(&pool, &bot.program).await;

    let done = slash_setup(&fake, OWEN).await;
    created_all_but_staff(&done);
    // Slack was asked, once, whether Owen is an admin.
    let asked = fake.calls("users.info");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].param("user"), Some(OWEN));
    assert_eq!(fake.calls("conversations.create").len(), 3);
    assert_eq!(mapped(&pool).await.len(), 4);
}

fn command_names(manifest: &Value) -> Vec<String> {
    manifest["features"]["slash_commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_manifest_lists_every_command_in_either_mode() {
    let registered: Vec<String> = registry().iter().map(|c| format!("/{}", c.name)).collect();

    let yaml = manifest_yaml(SlackMode::Socket, None).unwrap();
    let socket: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(command_names(&socket), registered);
    assert_eq!(socket["settings"]["socket_mode_enabled"], true);
    assert!(
        !yaml.contains("url"),
        "no request URL in Socket Mode:\n{yaml}"
    );

    let yaml = manifest_yaml(SlackMode::Http, Some("https://bot.example.com")).unwrap();
    let http: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(command_names(&http), registered);
    assert_eq!(http["settings"]["socket_mode_enabled"], false);
    assert_eq!(
        http["settings"]["event_subscriptions"]["request_url"],
        "https://bot.example.com/slack/events"
    );
    assert_eq!(
        http["settings"]["interactivity"]["request_url"],
        "https://bot.example.com/slack/interactions"
    );
    for c in http["features"]["slash_commands"].as_array().unwrap() {
        assert_eq!(c["url"], "https://bot.example.com/slack/commands", "{c}");
    }
}

/// `creator-bot --config CONFIG ARGS` with `env`, off the runtime's thread (the fake answers on
/// it): exit code, stdout, stderr.
async fn cli(
    pool: &PgPool,
    config: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env("DATABASE_URL", database_url(pool))
        .env_remove("CREATOR_BOT_CONFIG")
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("SLACK_APP_TOKEN")
        .env_remove("SLACK_SIGNING_SECRET");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn slack_setup_and_manifest_from_the_command_line(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("creator-bot.toml");
    std::fs::write(
        &config,
        format!(
            "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Creators\"\n\
             slack_team_id = \"{TEAM_ID}\"\n\n[lifecycle]\ntemplates_dir = {:?}\n\n\
             [slack]\napi_url = \"{}\"\n",
            templates_dir(),
            fake.api_url()
        ),
    )
    .unwrap();

    let (code, out, err) = cli(
        &pool,
        &config,
        &[
            "slack",
            "manifest",
            "--mode",
            "http",
            "--url",
            "https://bot.example.com",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        manifest_yaml(SlackMode::Http, Some("https://bot.example.com")).unwrap()
    );
    let (code, out, _) = cli(&pool, &config, &["slack", "manifest"], &[]).await;
    assert_eq!(code, 0);
    assert_eq!(out, manifest_yaml(SlackMode::Socket, None).unwrap());

    // Setup without the bot token says which variable to set.
    let (code, _, err) = cli(&pool, &config, &["slack", "setup"], &[]).await;
    assert_ne!(code, 0);
    assert!(err.contains("SLACK_BOT_TOKEN is not set"), "{err}");

    let (code, out, err) = cli(
        &pool,
        &config,
        &["slack", "setup"],
        &[("SLACK_BOT_TOKEN", BOT_TOKEN)],
    )
    .await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(
            "Created: #all-stars (private), #steady-earners (private), #competitions (public), \
             #staff (private)."
        ),
        "{out}"
    );
    assert_eq!(fake.calls("conversations.create").len(), 4);
    assert_eq!(mapped(&pool).await.len(), 4);
}
