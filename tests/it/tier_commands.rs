//! `tier set`, `tier unpin` and `tier why`, and how the tier commands print: through the features
//! on a real database, and once end to end through the `creator-bot` binary.

use crate::common;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use common::cli::cli;
use common::{Line, creator, lines, program, video};
use creator_bot::cli::Format;
use creator_bot::cli::tiers_cmd::{render_pin, render_run, render_why};
use creator_bot::config::{Config, TierConfig};
use creator_bot::db::programs::Program;
use creator_bot::db::tiers::{HistoryRow, history};
use creator_bot::domain::timefmt::parse_datetime;
use creator_bot::domain::{Handle, Tier};
use creator_bot::features::tiers::{self, PinOutcome};
use serde_json::json;
use sqlx::PgPool;

fn at(program: &Program, local: &str) -> DateTime<Utc> {
    parse_datetime(local, program.timezone).unwrap()
}

fn cfg() -> TierConfig {
    Config::default().tiers
}

fn h(handle: &str) -> Handle {
    Handle::parse(handle).unwrap()
}

fn ny() -> Tz {
    "America/New_York".parse().unwrap()
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct TierRow {
    tier: String,
    tier_pinned: bool,
    tier_since: DateTime<Utc>,
}

async fn tier_row(pool: &PgPool, handle: &str) -> TierRow {
    sqlx::query_as("SELECT tier, tier_pinned, tier_since FROM creators WHERE handle = $1")
        .bind(handle)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_pin_survives_review_and_check_until_unpinned(pool: PgPool) {
    let p = program(&pool).await;
    let pat = creator(&pool, &p, "pat", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[Line::settled("o1", pat, "2026-11-10 10:00", 500_000)],
    )
    .await;
    let t0 = at(&p, "2026-11-20 15:00");
    let pinned = tiers::set(
        &pool,
        &p,
        &h("@Pat"),
        Tier::SteadyEarners,
        " launch partner ",
        "ops",
        t0,
    )
    .await
    .unwrap();
    assert_eq!(
        pinned,
        PinOutcome {
            handle: "pat".into(),
            from: Tier::NewAndPromising,
            to: Tier::SteadyEarners,
            pinned: true,
            kind: "pinned",
            reason: "launch partner".into(),
            changed_by: "ops".into(),
            at: t0,
        }
    );
    assert_eq!(
        render_pin(&pinned, Format::Table).unwrap(),
        "@pat: New & Promising → Steady Earners, pinned by ops (launch partner)"
    );
    assert_eq!(
        tier_row(&pool, "pat").await,
        TierRow {
            tier: "steady_earners".into(),
            tier_pinned: true,
            tier_since: t0
        }
    );

    let dec1 = at(&p, "2026-12-01 09:00");
    let review = tiers::review(&pool, &p, &cfg(), dec1, false).await.unwrap();
    let check = tiers::check(&pool, &p, &cfg(), dec1).await.unwrap();
    for run in [&review, &check] {
        assert!(run.changes.is_empty());
        assert_eq!((run.pinned_skipped, run.unchanged), (1, 0));
    }
    assert_eq!(tier_row(&pool, "pat").await.tier, "steady_earners");

    let t1 = at(&p, "2026-12-01 10:00");
    let unpinned = tiers::unpin(&pool, &p, &h("pat"), "contract ended", "lee", t1)
        .await
        .unwrap();
    assert_eq!(
        render_pin(&unpinned, Format::Table).unwrap(),
        "@pat: unpinned from Steady Earners by lee (contract ended); the next review or check decides"
    );
    assert_eq!(
        tier_row(&pool, "pat").await,
        TierRow {
            tier: "steady_earners".into(),
            tier_pinned: false,
            tier_since: t0
        }
    );
    // The stats card still gives the reason pat holds the tier; the unpin changed no tier.
    let november = creator_bot::domain::Period::new(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    )
    .unwrap();
    let card = creator_bot::features::stats::creator_card(&pool, &p, &h("pat"), november)
        .await
        .unwrap();
    assert_eq!(card.tier_reason.as_deref(), Some("launch partner"));
    let t2 = at(&p, "2026-12-01 11:00");
    let check = tiers::check(&pool, &p, &cfg(), t2).await.unwrap();
    assert_eq!(check.changes.len(), 1);
    assert_eq!(check.changes[0].to, Tier::AllStars);
    assert_eq!(check.changes[0].kind, "daily_check");

    let row = |from: &str, to: &str, kind: &str, reason: &str, by: &str, pinned, at| HistoryRow {
        from_tier: Some(from.to_string()),
        to_tier: to.to_string(),
        kind: kind.to_string(),
        reason: reason.to_string(),
        changed_at: at,
        changed_by: by.to_string(),
        pinned,
    };
    let rows = history(&pool, p.id, pat).await.unwrap();
    assert_eq!(
        rows,
        vec![
            row(
                "new_and_promising",
                "steady_earners",
                "pinned",
                "launch partner",
                "ops",
                true,
                t0
            ),
            row(
                "steady_earners",
                "steady_earners",
                "unpinned",
                "contract ended",
                "lee",
                false,
                t1
            ),
            row(
                "steady_earners",
                "all_stars",
                "daily_check",
                "trailing 30-day GMV $5,000.00 ≥ $3,000.00",
                "system",
                false,
                t2
            ),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setting_the_same_tier_just_pins_it(pool: PgPool) {
    let p = program(&pool).await;
    let quinn = creator(&pool, &p, "quinn", "2026-10-01").await;
    let before = tier_row(&pool, "quinn").await;
    let t0 = at(&p, "2026-11-20 15:00");
    let out = tiers::set(
        &pool,
        &p,
        &h("quinn"),
        Tier::NewAndPromising,
        "holding back",
        "ops",
        t0,
    )
    .await
    .unwrap();
    assert_eq!(
        render_pin(&out, Format::Table).unwrap(),
        "@quinn: pinned in New & Promising by ops (holding back)"
    );
    assert_eq!(
        tier_row(&pool, "quinn").await,
        TierRow {
            tier: "new_and_promising".into(),
            tier_pinned: true,
            tier_since: before.tier_since
        }
    );
    let rows = history(&pool, p.id, quinn).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].from_tier.as_deref(), Some("new_and_promising"));
    assert_eq!(rows[0].to_tier, "new_and_promising");
    assert_eq!(rows[0].kind, "pinned");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn mistakes_are_explained(pool: PgPool) {
    let p = program(&pool).await;
    creator(&pool, &p, "quinn", "2026-10-01").await;
    let t0 = at(&p, "2026-11-20 15:00");
    let err = tiers::set(&pool, &p, &h("nobody"), Tier::AllStars, "x", "ops", t0)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no creator @nobody in this program"
    );
    let err = tiers::unpin(&pool, &p, &h("quinn"), "x", "ops", t0)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "@quinn is not pinned");
    let err = tiers::set(&pool, &p, &h("quinn"), Tier::AllStars, "  ", "ops", t0)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "give a reason (--reason \"...\"): every tier change is kept with its reason"
    );
    let err = tiers::why(&pool, &p, &cfg(), &h("nobody"), t0)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no creator @nobody in this program"
    );
    assert!(!tier_row(&pool, "quinn").await.tier_pinned);
}

/// tom sells $4,000, sam $1,750 (with 2 videos), uma $100 (with 2 videos); reviewed on Dec 1.
async fn three_sellers(pool: &PgPool, p: &Program) -> DateTime<Utc> {
    let tom = creator(pool, p, "tom", "2026-10-01").await;
    let sam = creator(pool, p, "sam", "2026-10-01").await;
    let uma = creator(pool, p, "uma", "2026-10-01").await;
    lines(
        pool,
        p,
        &[
            Line::settled("o1", tom, "2026-11-05 10:00", 400_000),
            Line::settled("o2", sam, "2026-11-10 10:00", 150_000),
            Line::settled("o3", sam, "2026-11-27 10:00", 25_000),
            Line::settled("o4", uma, "2026-11-12 10:00", 10_000),
        ],
    )
    .await;
    for (i, id) in [sam, sam, uma, uma].into_iter().enumerate() {
        let posted = format!("2026-11-{:02} 12:00", 10 + i);
        video(pool, p, &format!("v{i}"), id, None, &posted, 50).await;
    }
    let dec1 = at(p, "2026-12-01 09:00");
    let run = tiers::review(pool, p, &cfg(), dec1, false).await.unwrap();
    assert_eq!(
        render_run(&run, ny(), Format::Table).unwrap(),
        "Monthly review at 2026-12-01 09:00 EST\n\
         promoted 2, demoted 0, unchanged 1, pinned skipped 0\n\
         @sam: New & Promising → Steady Earners (trailing 30-day GMV $1,750.00 ≥ $300.00)\n\
         @tom: New & Promising → All-Stars (trailing 30-day GMV $4,000.00 ≥ $3,000.00)"
    );
    dec1
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn why_gives_the_numbers_and_the_way_up(pool: PgPool) {
    let p = program(&pool).await;
    let dec1 = three_sellers(&pool, &p).await;
    let later = at(&p, "2026-12-01 18:30");
    let sam = tiers::why(&pool, &p, &cfg(), &h("sam"), later)
        .await
        .unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&render_why(&sam, ny(), Format::Json).unwrap()).unwrap();
    assert_eq!(
        value,
        json!({
            "handle": "sam",
            "tier": "steady_earners",
            "tier_since": dec1,
            "pinned": false,
            "pinned_by": null,
            "reason": "trailing 30-day GMV $1,750.00 ≥ $300.00",
            "at": later,
            "window_days": 30,
            "gmv_cents": 175_000,
            "videos": 2,
            "has_sale": true,
            "rank": 2,
            "selling_creators": 3,
            "viral_window_days": 7,
            "gmv_7d_cents": 25_000,
            "earned_tier": "steady_earners",
            "earned_reason": "trailing 30-day GMV $1,750.00 ≥ $300.00",
            "next_tier": "all_stars",
            "next_tier_gap_cents": 125_000,
            "next_tier_videos_needed": null,
            "next_tier_hints": [
                "$1,250.00 more GMV in the trailing 30 days reaches All-Stars ($3,000.00)",
                "a place in the top 10% of selling creators (the top 1 of 3) reaches All-Stars"
            ]
        })
    );
    assert_eq!(
        render_why(&sam, ny(), Format::Table).unwrap(),
        "@sam: Steady Earners since 2026-12-01\n\
         Why: trailing 30-day GMV $1,750.00 ≥ $300.00\n\
         Numbers over the 30 complete days before 2026-12-01:\n\
         GMV        $1,750.00\n\
         Videos     2\n\
         Sale       yes\n\
         Rank       #2 of 3 selling creators\n\
         7-day GMV  $250.00\n\
         To move up: $1,250.00 more GMV in the trailing 30 days reaches All-Stars ($3,000.00)\n        \
                 or: a place in the top 10% of selling creators (the top 1 of 3) reaches All-Stars"
    );

    let uma = tiers::why(&pool, &p, &cfg(), &h("uma"), later)
        .await
        .unwrap();
    assert_eq!(uma.tier, Tier::NewAndPromising);
    assert_eq!(uma.reason, "trailing 30-day GMV $100.00 below $300.00");
    assert_eq!(
        (
            uma.next_tier,
            uma.next_tier_gap_cents,
            uma.next_tier_videos_needed
        ),
        (Some(Tier::SteadyEarners), Some(20_000), Some(2))
    );
    assert_eq!(
        uma.next_tier_hints,
        [
            "$200.00 more GMV in the trailing 30 days reaches Steady Earners ($300.00)",
            "2 more videos (with a sale) reaches Steady Earners"
        ]
    );

    let tom = tiers::why(&pool, &p, &cfg(), &h("tom"), later)
        .await
        .unwrap();
    assert_eq!((tom.next_tier, tom.rank), (None, Some(1)));
    assert!(
        render_why(&tom, ny(), Format::Table)
            .unwrap()
            .ends_with("\nTo move up: already in the top tier")
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn why_names_who_pinned_and_what_the_numbers_earn(pool: PgPool) {
    let p = program(&pool).await;
    three_sellers(&pool, &p).await;
    let t0 = at(&p, "2026-12-02 10:00");
    tiers::set(
        &pool,
        &p,
        &h("uma"),
        Tier::AllStars,
        "brand ambassador",
        "ops",
        t0,
    )
    .await
    .unwrap();
    let uma = tiers::why(&pool, &p, &cfg(), &h("uma"), t0).await.unwrap();
    assert_eq!(
        (uma.pinned, uma.pinned_by.as_deref(), uma.reason.as_str()),
        (true, Some("ops"), "brand ambassador")
    );
    let text = render_why(&uma, ny(), Format::Table).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "@uma: All-Stars since 2026-12-02 (pinned by ops)");
    assert_eq!(lines[1], "Why: brand ambassador");
    assert_eq!(
        lines[8],
        "Earned now: New & Promising (trailing 30-day GMV $100.00 below $300.00); the pin keeps the current tier"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_check_prints_its_viral_alert_and_json(pool: PgPool) {
    let p = program(&pool).await;
    let vic = creator(&pool, &p, "vic", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[Line::settled("o1", vic, "2026-11-29 10:00", 1_025_000)],
    )
    .await;
    let run = tiers::check(&pool, &p, &cfg(), at(&p, "2026-12-01 06:00"))
        .await
        .unwrap();
    assert_eq!(
        render_run(&run, ny(), Format::Table).unwrap(),
        "Daily check at 2026-12-01 06:00 EST\n\
         promoted 1, demoted 0, unchanged 0, pinned skipped 0\n\
         @vic: New & Promising → All-Stars (7-day GMV $10,250.00 ≥ $10,000.00 (went viral))\n\
         1 viral staff alert queued"
    );
    let value: serde_json::Value =
        serde_json::from_str(&render_run(&run, ny(), Format::Json).unwrap()).unwrap();
    assert_eq!(
        value,
        json!({
            "run": "daily_check",
            "at": "2026-12-01T11:00:00Z",
            "dry_run": false,
            "promoted": 1,
            "demoted": 0,
            "unchanged": 0,
            "pinned_skipped": 0,
            "alerts_queued": 1,
            "changes": [{
                "handle": "vic",
                "from": "new_and_promising",
                "to": "all_stars",
                "kind": "viral",
                "reason": "7-day GMV $10,250.00 ≥ $10,000.00 (went viral)"
            }]
        })
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_commands_end_to_end(pool: PgPool) {
    let p = program(&pool).await;
    let ada = creator(&pool, &p, "ada", "2026-10-01").await;
    let bea = creator(&pool, &p, "bea", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[
            Line::settled("o1", ada, "2026-11-03 10:00", 300_000),
            Line::settled("o2", bea, "2026-11-03 10:00", 30_000),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"glow program\"\n\
         timezone = \"America/New_York\"\ncurrency = \"USD\"\n\n[tiers]\nall_stars_top_percent = 0\n",
    )
    .unwrap();

    let dry = cli(
        &pool,
        &config,
        &["tiers", "review", "--at", "2026-12-01", "--dry-run"],
    );
    assert_eq!(
        dry,
        (
            0,
            "Monthly review at 2026-12-01 00:00 EST (dry run: nothing written)\n\
             promoted 2, demoted 0, unchanged 0, pinned skipped 0\n\
             @ada: New & Promising → All-Stars (trailing 30-day GMV $3,000.00 ≥ $3,000.00)\n\
             @bea: New & Promising → Steady Earners (trailing 30-day GMV $300.00 ≥ $300.00)\n"
                .into(),
            String::new()
        )
    );
    let set = cli(
        &pool,
        &config,
        &["tier", "set", "@Bea", "1", "--reason", "launch partner"],
    );
    assert_eq!(
        set.1,
        "@bea: New & Promising → All-Stars, pinned by carol (launch partner)\n"
    );
    let check = cli(
        &pool,
        &config,
        &[
            "tiers",
            "check",
            "--at",
            "2026-12-01 09:00",
            "--format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&check.1).unwrap();
    assert_eq!(value["promoted"], 1);
    assert_eq!(value["pinned_skipped"], 1);
    assert_eq!(value["changes"][0]["handle"], "ada");

    let why = cli(
        &pool,
        &config,
        &[
            "tier",
            "why",
            "bea",
            "--at",
            "2026-12-01 09:00",
            "--format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&why.1).unwrap();
    assert_eq!(value["tier"], "all_stars");
    assert_eq!(value["pinned_by"], "carol");
    assert_eq!(value["gmv_cents"], 30_000);
    assert_eq!(value["earned_tier"], "steady_earners");

    let unknown = cli(
        &pool,
        &config,
        &["tier", "unpin", "nobody", "--reason", "x"],
    );
    assert_eq!(
        unknown,
        (
            1,
            String::new(),
            "error: there is no creator @nobody in this program\n".into()
        )
    );
    let bad_tier = cli(
        &pool,
        &config,
        &["tier", "set", "ada", "gold", "--reason", "x"],
    );
    assert_eq!(
        bad_tier.2,
        "error: \"gold\" is not a tier: use all_stars, steady_earners or new_and_promising\n"
    );
}
