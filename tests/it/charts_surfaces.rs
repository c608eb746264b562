//! Every chart kind drawn as a PNG of the configured size, a period without data too, from the
//! stats fixture (tests/it/stats_fixture).

use creator_bot::charts::{self, ChartMetric, ChartSpec, data};
use creator_bot::chat::commands::{Block, Reply};
use creator_bot::config::Config;
use sqlx::PgPool;

use crate::commands_fixture::chat_program;
use crate::common;
use crate::stats_fixture::{date, november, november_program};

/// The PNG's width and height, after decoding every pixel.
pub(crate) fn decoded_size(png_bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("PNG pixels");
    (frame.width, frame.height)
}

/// The reply's image blocks as (file name, alt, PNG).
pub(crate) fn images(reply: &Reply) -> Vec<(String, String, Vec<u8>)> {
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
pub(crate) async fn competition(
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
