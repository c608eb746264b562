//! Importing our own CSV files: creators (with chat links), products, samples and videos, each
//! with its own errors, and samples' first video after a videos import.

use crate::common;

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use creator_bot::config::ProgramConfig;
use creator_bot::db::programs::{self, Program};
use creator_bot::features::import::{
    ImportKind, ImportReport, RejectedRow, import_file, import_reader,
};
use sqlx::PgPool;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

async fn import(pool: &PgPool, program: &Program, kind: ImportKind, name: &str) -> ImportReport {
    import_file(
        pool,
        program,
        &common::config(),
        kind,
        &fixture(name),
        false,
    )
    .await
    .unwrap()
}

async fn import_text(
    pool: &PgPool,
    program: &Program,
    kind: ImportKind,
    text: &str,
) -> ImportReport {
    import_reader(
        pool,
        program,
        &common::config(),
        kind,
        "inline.csv",
        std::io::Cursor::new(text.as_bytes().to_vec()),
        None,
        false,
    )
    .await
    .unwrap()
}

/// A New York program whose Discord guild is linked (and no Slack workspace).
async fn program_with_discord(pool: &PgPool) -> Program {
    let config = ProgramConfig {
        slug: "glow".into(),
        name: "Glow".into(),
        timezone: chrono_tz::America::New_York,
        currency: "USD".into(),
        discord_guild_id: Some("900000000000000001".into()),
        slack_team_id: None,
    };
    let program = programs::upsert(pool, &config).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    programs::link_workspaces(&mut conn, &program, &config)
        .await
        .unwrap();
    program
}

fn rejected(line: u64, column: &str, value: &str, reason: &str) -> RejectedRow {
    RejectedRow {
        line,
        column: Some(column.into()),
        value: Some(value.into()),
        reason: reason.into(),
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Creator {
    handle: String,
    first_name: Option<String>,
    joined_on: NaiveDate,
    timezone: Option<String>,
    niche: Option<String>,
    tier: String,
}

async fn creators(pool: &PgPool) -> Vec<Creator> {
    sqlx::query_as(
        "SELECT handle, first_name, joined_on, timezone, niche, tier FROM creators ORDER BY handle",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn creators_roster_with_links_and_errors(pool: PgPool) {
    let program = program_with_discord(&pool).await;
    let report = import(&pool, &program, ImportKind::Creators, "creators.csv").await;
    assert_eq!(
        (
            report.inserted,
            report.updated,
            report.unchanged,
            report.new_creators
        ),
        (2, 0, 0, 2)
    );
    assert_eq!(
        report.rejected,
        vec![
            rejected(
                4,
                "timezone",
                "Mars/Olympus",
                "\"Mars/Olympus\" is not an IANA time zone (e.g. America/New_York)"
            ),
            rejected(
                5,
                "joined_on",
                "2026-13-01",
                "\"2026-13-01\" is not a date in YYYY-MM-DD form"
            ),
            rejected(
                6,
                "slack_user_id",
                "U024BE7LH",
                "cannot link a Slack user: programs[].slack_team_id is not configured for this program"
            ),
        ]
    );
    assert_eq!(
        creators(&pool).await,
        vec![
            Creator {
                handle: "fitfam".into(),
                first_name: Some("Fiona".into()),
                joined_on: day("2026-10-02"),
                timezone: None,
                niche: Some("fitness".into()),
                tier: "new_and_promising".into(),
            },
            Creator {
                handle: "glowqueen".into(),
                first_name: Some("Gloria".into()),
                joined_on: day("2026-10-01"),
                timezone: Some("Europe/London".into()),
                niche: Some("skincare".into()),
                tier: "new_and_promising".into(),
            },
        ]
    );
    let links: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT i.platform, i.workspace_id, i.user_id, c.handle
           FROM chat_identities i JOIN creators c ON c.id = i.creator_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        links,
        vec![(
            "discord".into(),
            "900000000000000001".into(),
            "123456789012345678".into(),
            "glowqueen".into()
        )]
    );

    // Again, with one name changed and a new Discord account for fitfam.
    let report = import_text(
        &pool,
        &program,
        ImportKind::Creators,
        "handle,first_name,joined_on,discord_user_id\n\
         glowqueen,Gloria,2026-10-01,123456789012345678\n\
         fitfam,Fi,2026-10-02,\n\
         newbie,,2026-11-01,223456789012345678\n",
    )
    .await;
    assert_eq!(
        (
            report.inserted,
            report.updated,
            report.unchanged,
            report.rejected.len()
        ),
        (1, 1, 1, 0)
    );
    // Columns the file lacks (timezone, niche) keep their values.
    let glow = &creators(&pool).await[1];
    assert_eq!(
        (glow.timezone.as_deref(), glow.niche.as_deref()),
        (Some("Europe/London"), Some("skincare"))
    );
    let linked: i64 = sqlx::query_scalar("SELECT count(*) FROM chat_identities")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(linked, 2);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn discord_ids_need_a_linked_guild(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import_text(
        &pool,
        &program,
        ImportKind::Creators,
        "handle,joined_on,discord_user_id\nanna,2026-10-01,123456789012345678\nbella,2026-10-01,12ab\n",
    )
    .await;
    assert_eq!(
        report.rejected,
        vec![
            rejected(
                2,
                "discord_user_id",
                "123456789012345678",
                "cannot link a Discord user: programs[].discord_guild_id is not configured for this program"
            ),
            rejected(
                3,
                "discord_user_id",
                "12ab",
                "\"12ab\" is not a Discord user id (a number such as 123456789012345678)"
            ),
        ]
    );
    assert_eq!(report.inserted, 0);
    assert_eq!(
        report.rejected[0].describe(&report.file),
        "inline.csv:2: column \"discord_user_id\": cannot link a Discord user: programs[].discord_guild_id is not configured for this program"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_never_overwrite_a_known_creator(pool: PgPool) {
    let program = program_with_discord(&pool).await;
    import(&pool, &program, ImportKind::Creators, "creators.csv").await;
    let report = import(&pool, &program, ImportKind::Orders, "orders_us.csv").await;
    assert_eq!((report.inserted, report.new_creators), (4, 0));
    let glow = &creators(&pool).await[1];
    assert_eq!(
        (
            glow.handle.as_str(),
            glow.first_name.as_deref(),
            glow.joined_on
        ),
        ("glowqueen", Some("Gloria"), day("2026-10-01"))
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn products_with_costs(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import(&pool, &program, ImportKind::Products, "products.csv").await;
    assert_eq!(
        report.rejected,
        vec![
            rejected(
                4,
                "Unit Cost",
                "-1",
                "\"-1\" is negative; an amount of at least 0 is needed"
            ),
            rejected(5, "Unit Cost", "abc", "\"abc\" is not an amount of money"),
        ]
    );
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (2, 0, 0)
    );
    let products: Vec<(String, String, i64, Option<NaiveDate>)> = sqlx::query_as(
        "SELECT product_id, name, unit_cost_cents, launched_on FROM products ORDER BY product_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        products,
        vec![
            (
                "p1".into(),
                "Vitamin Serum".into(),
                450,
                Some(day("2026-09-01"))
            ),
            ("p2".into(), "Protein Bar".into(), 120, None),
        ]
    );
    let report = import_text(
        &pool,
        &program,
        ImportKind::Products,
        "product_id,name,unit_cost\np1,Vitamin Serum,4.50\np2,Protein Bar XL,1.20\n",
    )
    .await;
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 1)
    );
    let launched: Option<NaiveDate> =
        sqlx::query_scalar("SELECT launched_on FROM products WHERE product_id = 'p1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(launched, Some(day("2026-09-01")), "absent column kept");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn samples_then_videos_set_the_first_video(pool: PgPool) {
    let program = common::program(&pool).await;
    common::creator(&pool, &program, "glowqueen", "2026-10-01").await;
    let report = import(&pool, &program, ImportKind::Samples, "samples.csv").await;
    assert_eq!(
        report.rejected,
        vec![
            rejected(
                4,
                "delivered_on",
                "2026-11-08",
                "delivered on 2026-11-08 is before it was shipped (2026-11-10)"
            ),
            rejected(
                5,
                "shipped_on",
                "11/10/2026",
                "\"11/10/2026\" is not a date in YYYY-MM-DD form"
            ),
        ]
    );
    assert_eq!(
        (
            report.inserted,
            report.updated,
            report.unchanged,
            report.new_creators
        ),
        (2, 0, 0, 1)
    );
    let samples: Vec<(String, String, NaiveDate, Option<NaiveDate>, i64)> = sqlx::query_as(
        "SELECT c.handle, s.product_id, s.shipped_on, s.delivered_on, s.cost_cents
           FROM samples s JOIN creators c ON c.id = s.creator_id ORDER BY c.handle",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        samples,
        vec![
            (
                "glowqueen".into(),
                "p1".into(),
                day("2026-11-01"),
                Some(day("2026-11-04")),
                300
            ),
            ("newbie".into(), "p1".into(), day("2026-11-05"), None, 0),
        ]
    );

    let report = import(&pool, &program, ImportKind::Videos, "videos.csv").await;
    assert_eq!(
        report.rejected,
        vec![rejected(
            6,
            "posted_at",
            "yesterday",
            "\"yesterday\" is not a date-time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or RFC 3339)"
        )]
    );
    assert_eq!(
        (
            report.inserted,
            report.updated,
            report.unchanged,
            report.new_creators
        ),
        (5, 0, 0, 1)
    );
    let first: Vec<(String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT c.handle, s.first_video_at FROM samples s JOIN creators c ON c.id = s.creator_id
          ORDER BY c.handle",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // glowqueen's 31 October video predates the sample; 08:00 EST on the shipped day counts.
    assert_eq!(
        first,
        vec![
            (
                "glowqueen".into(),
                Some("2026-11-01T13:00:00Z".parse().unwrap())
            ),
            (
                "newbie".into(),
                Some("2026-11-06T17:00:00Z".parse().unwrap())
            ),
        ]
    );
    let v2: (i64, i64, i64, i64) =
        sqlx::query_as("SELECT views, likes, comments, shares FROM videos WHERE content_id = 'v2'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(v2, (1500, 20, 2, 1));
    let vidonly = creators(&pool)
        .await
        .into_iter()
        .find(|c| c.handle == "vidonly")
        .unwrap();
    assert_eq!(
        (vidonly.joined_on, vidonly.tier.as_str()),
        (day("2026-11-07"), "new_and_promising")
    );

    // Re-importing the videos changes nothing.
    let again = import(&pool, &program, ImportKind::Videos, "videos.csv").await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 5));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_repeated_key_keeps_the_later_line(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import_text(
        &pool,
        &program,
        ImportKind::Videos,
        "content_id,handle,posted_at,views\nv1,anna,2026-11-01,10\nv1,anna,2026-11-01,25\n",
    )
    .await;
    assert_eq!(
        report.rejected,
        vec![RejectedRow {
            line: 2,
            column: None,
            value: None,
            reason: "line 3 has the same content_id; the later line wins".into(),
        }]
    );
    let views: i64 = sqlx::query_scalar("SELECT views FROM videos WHERE content_id = 'v1'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((report.inserted, views), (1, 25));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_video_credited_to_another_creator_unconverts_the_old_sample(pool: PgPool) {
    let program = common::program(&pool).await;
    import_text(
        &pool,
        &program,
        ImportKind::Samples,
        "handle,product_id,shipped_on,delivered_on\nann,p1,2026-11-01,2026-11-03\n",
    )
    .await;
    let header = "content_id,handle,product_id,posted_at\n";
    import_text(
        &pool,
        &program,
        ImportKind::Videos,
        &format!("{header}v1,ann,p1,2026-11-05 10:00\n"),
    )
    .await;
    let first_video = |pool: PgPool| async move {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>("SELECT first_video_at FROM samples")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(
        first_video(pool.clone()).await,
        Some("2026-11-05T15:00:00Z".parse().unwrap())
    );
    // A corrected file says bob posted v1: ann's sample has no video any more.
    let fixed = import_text(
        &pool,
        &program,
        ImportKind::Videos,
        &format!("{header}v1,bob,p1,2026-11-05 10:00\n"),
    )
    .await;
    assert_eq!((fixed.inserted, fixed.updated), (0, 1));
    assert_eq!(first_video(pool.clone()).await, None);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_roster_id_that_cannot_be_linked_keeps_the_old_link_and_is_reported(pool: PgPool) {
    let program = program_with_discord(&pool).await;
    let header = "handle,joined_on,discord_user_id\n";
    import_text(
        &pool,
        &program,
        ImportKind::Creators,
        &format!("{header}ann,2026-10-01,111111111111111111\nbob,2026-10-01,222222222222222222\n"),
    )
    .await;
    // A staff member's Discord account.
    sqlx::query(
        "WITH s AS (INSERT INTO staff (program_id, name) VALUES ($1, 'ops') RETURNING id)
         INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, staff_id)
         SELECT $1, 'discord', '900000000000000001', '333333333333333333', id FROM s",
    )
    .bind(program.id)
    .execute(&pool)
    .await
    .unwrap();
    let report = import_text(
        &pool,
        &program,
        ImportKind::Creators,
        &format!(
            "{header}ann,2026-10-01,333333333333333333\nbob,2026-10-01,444444444444444444\n\
             cy,2026-10-01,444444444444444444\n"
        ),
    )
    .await;
    assert_eq!(
        report.rejected,
        vec![
            rejected(
                2,
                "discord_user_id",
                "333333333333333333",
                "\"333333333333333333\" is a staff member's account; the creator's link was not changed"
            ),
            rejected(
                3,
                "discord_user_id",
                "444444444444444444",
                "\"444444444444444444\" is given to another creator on line 4; the creator's link was not changed"
            ),
        ]
    );
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT COALESCE(c.handle, 'staff'), ci.user_id FROM chat_identities ci
           LEFT JOIN creators c ON c.id = ci.creator_id ORDER BY ci.user_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        links,
        [
            ("ann".to_string(), "111111111111111111".to_string()),
            ("bob".to_string(), "222222222222222222".to_string()),
            ("staff".to_string(), "333333333333333333".to_string()),
            ("cy".to_string(), "444444444444444444".to_string()),
        ]
    );
}
