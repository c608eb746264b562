//! Charts where people ask for them: `/chart` for staff only, answered with one image; `/mystats`
//! with the caller's own chart and nobody else's; `/help chart`; and `creator-bot chart` writing
//! the file.

use creator_bot::charts::{self, ChartSpec, data};
use creator_bot::chat::commands::Outcome;
use creator_bot::config::Config;
use sqlx::PgPool;

use crate::charts_surfaces::{competition, decoded_size, images};
use crate::commands_fixture::{chat_program, run};
use crate::common;
use crate::stats_fixture::{november, november_program};

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn mystats_carries_the_callers_own_chart_only(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let (ava, ben) = (chat.creators.ava, chat.creators.ben);
    let r = run(&pool, &chat, &chat.ava, "mystats", "").await;
    assert_eq!(r.outcome, Outcome::Done);
    let shown = images(&r);
    assert_eq!(shown.len(), 1);
    let (file_name, alt, png) = &shown[0];
    assert_eq!(file_name, "creator.png");
    assert_eq!(
        alt,
        "@ava, 2026-11-01 to 2026-11-30: $180.00 net GMV, 2 videos"
    );
    // The image is ava's chart exactly, and not ben's.
    let (from, to) = (november().from, november().to);
    let of = |creator_id| ChartSpec::Creator {
        creator_id,
        from,
        to,
    };
    let config = Config::default();
    let avas = charts::draw(&pool, &config, &chat.program, &of(ava))
        .await
        .unwrap();
    let bens = charts::draw(&pool, &config, &chat.program, &of(ben))
        .await
        .unwrap();
    assert_eq!(png, &avas.png);
    assert_ne!(png, &bens.png);
    // Its series is ava's numbers and nothing else: 18000 of GMV on her two sale days, her two
    // videos; ben's 4000 on the 6th and video on the 30th are not in it.
    let series = data::creator(&pool, &chat.program, ava, november())
        .await
        .unwrap();
    let active: Vec<(String, i64, i64)> = series
        .days
        .iter()
        .filter(|d| d.gmv_cents != 0 || d.videos != 0)
        .map(|d| (d.day.to_string(), d.gmv_cents, d.videos))
        .collect();
    assert_eq!(
        active,
        [
            ("2026-11-01".to_string(), 10_000, 0),
            ("2026-11-02".to_string(), 0, 1),
            ("2026-11-03".to_string(), 8_000, 0),
            ("2026-11-10".to_string(), 0, 1),
        ]
    );
    // Ben's /mystats: his chart, nothing of ava's.
    let r = run(&pool, &chat, &chat.ben, "mystats", "").await;
    let shown = images(&r);
    assert_eq!(shown.len(), 1);
    assert_eq!(
        shown[0].1,
        "@ben, 2026-11-01 to 2026-11-30: $40.00 net GMV, 1 video"
    );
    assert_eq!(shown[0].2, bens.png);
    assert!(!r.text().contains("ava"), "{}", r.text());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn chart_is_for_staff_and_answers_with_one_image(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let refused = run(&pool, &chat, &chat.ava, "chart", "pareto 30d").await;
    assert_eq!(refused.outcome, Outcome::Refused);
    assert_eq!(
        refused.text(),
        "/chart is for the program's staff only. Use /mystats to see your own numbers."
    );
    assert!(images(&refused).is_empty());

    let r = run(&pool, &chat, &chat.staff, "chart", "pareto 30d").await;
    assert_eq!(r.outcome, Outcome::Done);
    let shown = images(&r);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].0, "pareto.png");
    assert_eq!(
        shown[0].1,
        "Share of GMV by top creators, 2026-11-01 to 2026-11-30: top 1% 61.0%, top 5% 61.0%, \
         top 10% 61.0%, top 20% 74.6% of $295.00 made by 6 selling creators"
    );
    assert_eq!(decoded_size(&shown[0].2), (1200, 675));
    assert_eq!(
        r.text(),
        "Share of GMV by top creators, 2026-11-01 to 2026-11-30\n[image pareto.png: Share of GMV \
         by top creators, 2026-11-01 to 2026-11-30: top 1% 61.0%, top 5% 61.0%, top 10% 61.0%, \
         top 20% 74.6% of $295.00 made by 6 selling creators]"
    );

    let r = run(&pool, &chat, &chat.staff, "chart", "creator ben 7d").await;
    assert_eq!(images(&r).len(), 1);
    assert_eq!(
        images(&r)[0].1,
        "@ben, 2026-11-24 to 2026-11-30: $0.00 net GMV, 1 video"
    );
    let r = run(&pool, &chat, &chat.staff, "chart", "leaderboard views").await;
    assert_eq!(
        images(&r)[0].1,
        "Top creators by views, 2026-11-01 to 2026-11-30: @ava 4,000, @dan 2,000, @ben 500"
    );
    let r = run(&pool, &chat, &chat.staff, "chart", "creator nobody").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.text(), "There is no creator @nobody in program glow");
    let r = run(&pool, &chat, &chat.staff, "chart", "competition").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "No competition has started yet: start one with /competition start"
    );
    // Without a name: the running competition, else the one that ended last.
    let program = &chat.program;
    competition(
        &pool,
        program,
        "Sprint",
        "gmv",
        ("2026-11-01", "2026-11-15"),
        true,
    )
    .await;
    let r = run(&pool, &chat, &chat.staff, "chart", "competition").await;
    assert_eq!(
        images(&r)[0].1,
        "Sprint standings (final): @ava $180.00, @ben $40.00"
    );
    competition(
        &pool,
        program,
        "Views Week",
        "views",
        ("2026-11-24", "2026-12-01"),
        false,
    )
    .await;
    let r = run(&pool, &chat, &chat.staff, "chart", "competition").await;
    assert_eq!(r.text().lines().next(), Some("Views Week standings"));
    assert_eq!(images(&r)[0].1, "Views Week standings (so far): @ben 500");
    let r = run(&pool, &chat, &chat.staff, "chart", "competition sprint").await;
    assert_eq!(
        images(&r)[0].1,
        "Sprint standings (final): @ava $180.00, @ben $40.00"
    );
    let r = run(&pool, &chat, &chat.staff, "chart", "competition Relay").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.text(), "There is no competition called \"Relay\"");
    let r = run(&pool, &chat, &chat.staff, "chart", "likes").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert!(
        r.text().starts_with(
            "Unknown /chart action \"likes\": use gmv, leaderboard, pareto, tiers, creator or competition"
        ),
        "{}",
        r.text()
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_command_line_writes_the_chart(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"glow program\"\n\
         timezone = \"America/New_York\"\ncurrency = \"USD\"\n\n[charts]\nwidth = 960\nheight = 540\n",
    )
    .unwrap();
    let out = dir.path().join("pareto.png");
    let out_arg = out.to_str().unwrap();
    let (code, stdout, stderr) = common::cli::cli(
        &pool,
        &config,
        &[
            "chart",
            "pareto",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
            "--out",
            out_arg,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let png = std::fs::read(&out).unwrap();
    assert_eq!(decoded_size(&png), (960, 540));
    assert_eq!(
        stdout,
        format!(
            "Wrote {out_arg} (960×540, {} KB): Share of GMV by top creators, 2026-11-01 to \
             2026-11-30: top 1% 61.0%, top 5% 61.0%, top 10% 61.0%, top 20% 74.6% of $295.00 \
             made by 6 selling creators\n",
            png.len().div_ceil(1024)
        )
    );
    let (code, _, stderr) =
        common::cli::cli(&pool, &config, &["chart", "creator", "--out", out_arg]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "error: creator-bot chart creator needs --handle: the creator's TikTok handle\n"
    );
    let _ = program;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn help_explains_each_chart(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(&pool, &chat, &chat.staff, "help", "chart").await;
    assert_eq!(
        r.text(),
        "\
/chart: A chart: GMV per day, top creators, GMV share (Pareto), tiers, a creator, a competition (staff)
Usage: /chart gmv [period]
       /chart leaderboard [gmv|videos|views] [period]
       /chart pareto [period]
       /chart tiers [day]
       /chart creator <handle> [period]
       /chart competition [name]
Periods: 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD (end day not counted); default 30d.
gmv: net GMV per day, its 7-day average and refunds
  period: the period (default: 30d)
leaderboard: the top 10 creators by GMV, videos or views
  metric: what to rank by (default: gmv) (gmv, videos, views)
  period: the period (default: 30d)
pareto: the share of GMV made by the top creators
  period: the period (default: 30d)
tiers: creators per tier now and at the end of each of the last 6 months
  day: the day, YYYY-MM-DD (default: today)
creator: one creator's GMV and videos per day
  handle: the creator's TikTok handle
  period: the period (default: 30d)
competition: a competition's standings (default: the running one, else the last ended)
  name: the competition's name"
    );
    // A period longer than a chart shows is refused in words, with the usage.
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "chart",
        "gmv 2024-01-01..2026-11-01",
    )
    .await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "A chart covers at most 730 days; 2024-01-01 to 2026-10-31 is 1035 days"
    );
}
