//! Staff reports benchmark (prints figures; not a test): on the benchmark program (100k creators,
//! 5M order lines over the year before 1 November 2026, monthly tier reviews from July to
//! October for a tier history), the time to build the quarterly review of Q3 2026 (goal ≤ 2 s),
//! its parts, and the monthly deep-dive and weekly pulse for comparison.
//!
//! `cargo bench --bench reports [-- --quick | --creators N --lines N] [--reuse] [--runs N]`
//! (`--quick`: 10k creators and 500k lines; `--reuse` measures again on the last run's data)
//! Uses DATABASE_URL when set, else a private cluster under target/bench-pg.

use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::NaiveDate;
use creator_bot::config::Config;
use creator_bot::db::reports as db;
use creator_bot::domain::timefmt::{local_to_utc, start_of_day};
use creator_bot::features::import::ImportKind;
use creator_bot::features::reports::{ReportKind, monthly, quarter_before, quarterly, weekly};
use creator_bot::features::{stats, tiers};

mod support;

use support::dataset::{self, flag, ms, num_arg, percentiles};

#[tokio::main]
async fn main() -> Result<()> {
    let quick = flag("--quick");
    let creators = num_arg("--creators", if quick { 10_000 } else { 100_000 });
    let lines = num_arg("--lines", if quick { 500_000 } else { 5_000_000 });
    let runs = num_arg("--runs", 5);
    let spec = dataset::spec(creators, lines);
    println!(
        "creator-bot reports benchmark: {creators} creators, {lines} order lines over {} days{}",
        spec.days,
        if quick { " (--quick)" } else { "" }
    );
    let data = dataset::files(&spec)?;
    let mut config = Config::default();
    config.database.max_connections = 4;
    let reuse = flag("--reuse");
    let database = format!("creator_bot_bench_reports_{creators}_{lines}");
    let support::BenchDb {
        options,
        pool,
        program,
    } = support::bench_db(&database, !reuse).await?;
    println!("database {}", options.get_database().unwrap_or_default());
    let tz = program.timezone;
    if !reuse {
        let t = Instant::now();
        let mut files = dataset::catalogue(&data);
        files.push((ImportKind::Orders, data.join("orders.csv")));
        dataset::load(&pool, &program, &config, &files).await?;
        // A tier history: the monthly review on the first of July to October.
        for month in 7..=10 {
            let day = NaiveDate::from_ymd_opt(2026, month, 1).expect("a valid day");
            let at = start_of_day(day, tz) + chrono::Duration::hours(6);
            let r = tiers::review(&pool, &program, &config.tiers, at, false).await?;
            println!(
                "review of {day}: {} promoted, {} demoted",
                r.promoted, r.demoted
            );
        }
        sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
        println!("loaded in {:.1} s", t.elapsed().as_secs_f64());
    }

    // Monday 2 November 2026, 09:00: the review of Q3, the deep-dive of October, the pulse of
    // 26 Oct – 1 Nov.
    let monday = NaiveDate::from_ymd_opt(2026, 11, 2).expect("a valid day");
    let at = local_to_utc(monday.and_hms_opt(9, 0, 0).expect("a valid time"), tz);
    let quarter = quarter_before(monday);

    let t = Instant::now();
    let first = quarterly::build(&pool, &program, at).await?;
    let cold = t.elapsed();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        quarterly::build(&pool, &program, at).await?;
        times.push(t.elapsed());
    }
    let (p50, _, max) = percentiles(&mut times);
    println!(
        "\nquarterly review of {} ({} products, {} niches): first {:.0} ms, then p50 {:.0} ms, max {:.0} ms  (goal <= 2000 ms)",
        first.quarter,
        first.products.len(),
        first.niches.len(),
        ms(cold),
        ms(p50),
        ms(max)
    );

    // Its parts one at a time (the build runs them side by side).
    let days = (quarter.from, quarter.to);
    let part = |d: Duration| format!("{:>8.1} ms", ms(d));
    let t = Instant::now();
    stats::program_kpis(&pool, &program, quarter).await?;
    println!("  program KPIs of the quarter {}", part(t.elapsed()));
    let t = Instant::now();
    db::tier_migrations(
        &pool,
        program.id,
        (quarter.starts_at(tz), quarter.from),
        (quarter.ends_at(tz), quarter.to),
    )
    .await?;
    println!("  tier migration matrix       {}", part(t.elapsed()));
    let t = Instant::now();
    let (sellers, gmv): (Vec<i64>, Vec<i64>) = sqlx::query_as(
        "SELECT COALESCE(array_agg(creator_id), '{}'), COALESCE(array_agg(gmv), '{}')
           FROM (SELECT creator_id, SUM(gross_gmv_cents - refunded_gmv_cents)::int8 AS gmv
                   FROM creator_daily WHERE program_id = $1 AND day >= $2 AND day < $3
                  GROUP BY creator_id HAVING SUM(net_lines) > 0) g",
    )
    .bind(program.id)
    .bind(days.0)
    .bind(days.1)
    .fetch_one(&pool)
    .await?;
    let ranked = t.elapsed();
    let t = Instant::now();
    db::by_niche(&pool, program.id, days, tz.name(), (&sellers, &gmv)).await?;
    println!(
        "  by niche                    {}  (after the GMV ranking the KPIs keep, {:.1} ms uncached)",
        part(t.elapsed()),
        ms(ranked)
    );
    let t = Instant::now();
    db::by_product(&pool, program.id, days, tz.name()).await?;
    println!("  by product                  {}", part(t.elapsed()));

    for kind in [ReportKind::Monthly, ReportKind::Weekly] {
        let t = Instant::now();
        match kind {
            ReportKind::Monthly => drop(monthly::build(&pool, &program, at).await?),
            _ => drop(weekly::build(&pool, &program, at).await?),
        }
        let cold = t.elapsed();
        let t = Instant::now();
        match kind {
            ReportKind::Monthly => drop(monthly::build(&pool, &program, at).await?),
            _ => drop(weekly::build(&pool, &program, at).await?),
        }
        println!(
            "{kind} report: first {:.0} ms, again {:.0} ms",
            ms(cold),
            ms(t.elapsed())
        );
    }
    pool.close().await;
    Ok(())
}
