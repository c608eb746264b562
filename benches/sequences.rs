//! Sequence scheduling benchmark (prints figures; not a test). Builds a program of 100k creators
//! (a third in Tokyo), 50 products, a sample for a third of them, five videos each for 80 % over
//! 200 days, up to 40 days of sales for a quarter and a tier change each, then times `schedule` on the
//! first run (every stage move at once), an hour later and a day later.
//!
//! `cargo bench --bench sequences [-- --creators N]`
//! Uses DATABASE_URL when set, else a private cluster under target/bench-pg.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use creator_bot::config::Config;
use creator_bot::features::sequences::schedule;
use creator_bot::templates::Templates;
use sqlx::ConnectOptions;

/// The data, relative to 1 June 2026; `$1` is the program, `$2` the number of creators.
mod support;

const SEED: &[&str] = &[
    "INSERT INTO creators (program_id, handle, first_name, joined_on, timezone)
     SELECT $1, 'c' || g, 'C' || g, date '2026-06-01' - (g % 400)::int,
            CASE WHEN g % 3 = 0 THEN 'Asia/Tokyo' END
       FROM generate_series(1, $2) g",
    "INSERT INTO products (program_id, product_id, name, unit_cost_cents, launched_on)
     SELECT $1, 'p' || g, 'Product ' || g, 500, date '2026-01-01' + g
       FROM generate_series(1, 50) g WHERE $2 > 0",
    "INSERT INTO samples (program_id, creator_id, product_id, shipped_on, delivered_on)
     SELECT $1, id, 'p' || (id % 50 + 1), date '2026-06-01' - (id % 90)::int - 2,
            date '2026-06-01' - (id % 90)::int
       FROM creators WHERE program_id = $1 AND id % 3 = 0 AND $2 > 0",
    "INSERT INTO videos (program_id, content_id, creator_id, product_id, posted_at, views)
     SELECT $1, 'v' || c.id || '-' || k, c.id, 'p' || ((c.id + k) % 50 + 1),
            timestamptz '2026-06-01 12:00+00'
              - make_interval(days => ((c.id * 7 + k * 37) % 200)::int, hours => k::int),
            (c.id * k) % 100000
       FROM creators c CROSS JOIN generate_series(1, 5) k
      WHERE c.program_id = $1 AND c.id % 5 <> 0 AND $2 > 0",
    "INSERT INTO creator_daily (program_id, creator_id, day, gross_gmv_cents, refunded_gmv_cents,
                                net_lines, orders, commission_cents, commission_estimated_cents,
                                commission_actual_cents)
     SELECT $1, c.id, date '2026-06-01' - d, 15000, 0, 1, 1, 1500, 1500, 0
       FROM creators c CROSS JOIN LATERAL generate_series(0, (c.id % 40)::int, 2) d
      WHERE c.program_id = $1 AND c.id % 4 = 0 AND $2 > 0",
    "UPDATE creators c SET first_sale_on = f.day
       FROM (SELECT creator_id, min(day) AS day FROM creator_daily WHERE program_id = $1
              GROUP BY creator_id) f
      WHERE f.creator_id = c.id AND $2 > 0",
    "INSERT INTO tier_history (program_id, creator_id, from_tier, to_tier, kind, reason,
                               changed_at, changed_by)
     SELECT $1, id, 'new_and_promising', 'steady_earners', 'daily_check', 'benchmark',
            timestamptz '2026-06-01 00:00+00' - make_interval(days => (id % 300)::int), 'system'
       FROM creators WHERE program_id = $1 AND $2 > 0",
];

#[tokio::main]
async fn main() -> Result<()> {
    let raw: Vec<String> = std::env::args().collect();
    let creators: i64 = raw
        .iter()
        .position(|a| a == "--creators")
        .and_then(|i| raw.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let support::BenchDb {
        options,
        pool,
        program,
        ..
    } = support::bench_db("creator_bot_bench_sequences", true).await?;
    println!("creator-bot sequences benchmark: {creators} creators");
    let start = Instant::now();
    for sql in SEED {
        sqlx::query(sqlx::AssertSqlSafe(*sql))
            .bind(program.id)
            .bind(creators)
            .execute(&pool)
            .await
            .with_context(|| format!("seeding: {sql}"))?;
    }
    sqlx::query("ANALYZE").execute(&pool).await?;
    println!("seeded in {:.1} s", start.elapsed().as_secs_f64());

    let config = Config::default();
    let templates = Templates::load(&PathBuf::from(root).join("templates"))?;
    for (what, at) in [
        ("first run", "2026-06-01T14:00:00Z"),
        ("an hour later", "2026-06-01T15:00:00Z"),
        ("a day later", "2026-06-02T15:00:00Z"),
    ] {
        let start = Instant::now();
        let done = schedule(&pool, &program, &config, &templates, at.parse()?).await?;
        println!(
            "{what:>14}: {:>6.0} ms; queued {} onboarding, {} activation, {} reactivation, \
             {} first posts, {} milestones, {} promotions, {} staff alerts; {} stage moves",
            start.elapsed().as_secs_f64() * 1000.0,
            done.onboarding,
            done.activation,
            done.reactivation,
            done.first_posts,
            done.milestones,
            done.promotions,
            done.staff_alerts,
            done.to_onboarding + done.to_awaiting_first_post + done.to_active + done.to_dormant,
        );
    }
    pool.close().await;
    let mut admin = options.database("postgres").connect().await?;
    sqlx::query("DROP DATABASE creator_bot_bench_sequences WITH (FORCE)")
        .execute(&mut admin)
        .await?;
    Ok(())
}
