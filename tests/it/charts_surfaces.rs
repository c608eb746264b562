//! Charts where people see them: every kind is a PNG of the configured size (a period without
//! data too), `/chart` for staff only, `/mystats` with the caller's own chart and nobody else's,
//! and `creator-bot chart` writing the file.

use creator_bot::charts::{self, ChartMetric, ChartSpec, data};
use creator_bot::chat::commands::{Block, Outcome, Reply};
use creator_bot::config::Config;
use sqlx::PgPool;

use crate::commands_fixture::{chat_program, run};
use crate::common;
use crate::stats_fixture::{date, november, november_program};

/// The PNG's width and height, after decoding every pixel.
fn decoded_size(png_bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("PNG pixels");
    (frame.width, frame.height)
}

/// The reply's image blocks as (file name, alt, PNG).
fn images(reply: &Reply) -> Vec<(String, String, Vec<u8>)> {
    reply
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Image {
                png,
                file_name,
                alt,
            } => Some((file_name.clone(), alt.clone(), png.clone())),
            _ => None,
        })
        .collect()
}

/// A competition as staff start it; `ended`: its winners were announced the morning after its
/// last day.
async fn competition(
    pool: &PgPool,
    program: &creator_bot::db::programs::Program,
    name: &str,
    metric: &str,
    (starts_on, ends_on): (&str, &str),
    ended: bool,
) -> i64 {
    let ended_at = ended.then(|| common::local(program, &format!("{ends_on} 09:00")));
    sqlx::query_scalar(
        "INSERT INTO competitions (program_id, name, metric, starts_on, ends_on, created_by,
                                   created_at, ended_at)
         VALUES ($1, $2, $3, $4::date, $5::date, 'Maya', $6, $7) RETURNING id",
    )
    .bind(program.id)
    .bind(name)
    .bind(metric)
    .bind(starts_on)
    .bind(ends_on)
    .bind(common::local(program, &format!("{starts_on} 00:00")))
    .bind(ended_at)
    .fetch_one(pool)
    .await
    .expect("recording a competition")
}

fn november_specs(ava: i64, competition_id: i64) -> Vec<ChartSpec> {
    let (from, to) = (date("2026-11-01"), date("2026-12-01"));
    vec![
        ChartSpec::Gmv { from, to },
        ChartSpec::Leaderboard {
            from,
            to,
            metric: ChartMetric::Gmv,
        },
        ChartSpec::Pareto { from, to },
        ChartSpec::Tiers {
            at: date("2026-11-30"),
        },
        ChartSpec::Creator {
            creator_id: ava,
            from,
            to,
        },
        ChartSpec::Competition { competition_id },
    ]
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn every_chart_is_a_png_of_the_configured_size(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let program = &chat.program;
    let id = competition(
        &pool,
        program,
        "Sprint",
        "gmv",
        ("2026-11-01", "2026-11-15"),
        true,
    )
    .await;
    // The competition's standings: GMV from 1 to 14 November (dan's O9 on the 15th is after).
    let k = data::competition(&pool, program, id).await.unwrap();
    assert_eq!(
        k.bars
            .iter()
            .map(|b| (b.rank, b.handle.as_str(), b.value))
            .collect::<Vec<_>>(),
        [(1, "ava", 18_000), (2, "ben", 4_000)]
    );
    assert!(k.ended);

    let mut small = Config::default();
    small.charts.width = 800;
    small.charts.height = 450;
    let specs = november_specs(chat.creators.ava, id);
    let mut files = Vec::new();
    for spec in &specs {
        let chart = charts::draw(&pool, &Config::default(), program, spec)
            .await
            .unwrap();
        assert_eq!(decoded_size(&chart.png), (1200, 675), "{spec:?}");
        assert!(
            chart.png.len() <= 250 * 1024,
            "{spec:?}: {} bytes",
            chart.png.len()
        );
        files.push(chart.file_name.clone());
        let smaller = charts::draw(&pool, &small, program, spec).await.unwrap();
        assert_eq!(decoded_size(&smaller.png), (800, 450), "{spec:?}");
        assert_eq!(smaller.alt, chart.alt);
    }
    assert_eq!(
        files,
        [
            "gmv.png",
            "leaderboard.png",
            "pareto.png",
            "tiers.png",
            "creator.png",
            "competition.png"
        ]
    );
    let alt = |spec: &ChartSpec| {
        let pool = pool.clone();
        let program = program.clone();
        let spec = spec.clone();
        async move {
            charts::draw(&pool, &Config::default(), &program, &spec)
                .await
                .unwrap()
                .alt
        }
    };
    assert_eq!(
        alt(&specs[0]).await,
        "Net GMV per day, 2026-11-01 to 2026-11-30: $295.00 net, $55.00 refunded"
    );
    assert_eq!(
        alt(&specs[1]).await,
        "Top creators by GMV, 2026-11-01 to 2026-11-30: @ava $180.00, @ben $40.00, @dan $30.00"
    );
    assert_eq!(
        alt(&specs[3]).await,
        "Creators per tier on 2026-11-30: All-Stars 1, Steady Earners 0, New & Promising 7"
    );
    assert_eq!(
        alt(&specs[5]).await,
        "Sprint standings (final): @ava $180.00, @ben $40.00"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_period_without_data_draws_a_chart_that_says_so(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let (from, to) = (date("2026-01-01"), date("2026-02-01"));
    let expected = [
        (
            ChartSpec::Gmv { from, to },
            "Net GMV per day, 2026-01-01 to 2026-01-31: $0.00 net, $0.00 refunded",
        ),
        (
            ChartSpec::Leaderboard {
                from,
                to,
                metric: ChartMetric::Views,
            },
            "Top creators by views, 2026-01-01 to 2026-01-31: nobody yet",
        ),
        (
            ChartSpec::Pareto { from, to },
            "Share of GMV by top creators, 2026-01-01 to 2026-01-31: no sales",
        ),
        // Nobody had joined by then.
        (
            ChartSpec::Tiers {
                at: date("2026-01-31"),
            },
            "Creators per tier on 2026-01-31: All-Stars 0, Steady Earners 0, New & Promising 0",
        ),
        // Eve neither sold nor posted in November (her video was on 31 October).
        (
            ChartSpec::Creator {
                creator_id: c.eve,
                from: november().from,
                to: november().to,
            },
            "@eve, 2026-11-01 to 2026-11-30: $0.00 net GMV, 0 videos",
        ),
    ];
    for (spec, alt) in expected {
        let chart = charts::draw(&pool, &Config::default(), &program, &spec)
            .await
            .unwrap();
        assert_eq!(chart.alt, alt);
        assert_eq!(decoded_size(&chart.png), (1200, 675), "{spec:?}");
    }
    // A period that ends before it starts is refused in words.
    let e = charts::draw(
        &pool,
        &Config::default(),
        &program,
        &ChartSpec::Gmv { from: to, to: from },
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the chart's period is empty: it must end after it starts (from 2026-02-01, to 2026-01-01)"
    );
}

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
