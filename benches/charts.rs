//! Charts benchmark (prints figures; not a test). On the benchmark program (100k creators, 5M
//! order lines, a year of sales; monthly tier reviews over its last seven months and a running
//! competition added), for each chart kind: the time to draw it — reading its data included — on
//! the first call (nothing cached) and the median of the calls after, split into reading and
//! drawing + PNG encoding, and the PNG's size, against the goals (≤ 150 ms, ≤ 250 KB).
//!
//! `cargo bench --bench charts [-- --quick | --creators N --lines N] [--calls N] [--reuse]`
//! (`--quick`: 10k creators and 200k lines; `--reuse` keeps the database the last run of the same
//! size loaded). Uses DATABASE_URL when set, else a private cluster under target/bench-pg.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use chrono::{Datelike, Days, Months};
use creator_bot::charts::{self, ChartMetric, ChartSpec};
use creator_bot::config::Config;
use creator_bot::domain::timefmt::start_of_day;
use creator_bot::features::import::ImportKind;
use creator_bot::features::tiers;

mod support;

use support::dataset::{self, flag, ms, num_arg};

const GOAL_MS: f64 = 150.0;
const GOAL_KB: f64 = 250.0;

#[tokio::main]
async fn main() -> Result<()> {
    let quick = flag("--quick");
    let (default_creators, default_lines) = if quick {
        (10_000, 200_000)
    } else {
        (100_000, 5_000_000)
    };
    let creators = num_arg("--creators", default_creators);
    let lines = num_arg("--lines", default_lines);
    let calls = num_arg("--calls", 10).max(1);
    let reuse = flag("--reuse");
    let spec = dataset::spec(creators, lines);
    let today = spec.end - Days::new(1);
    println!(
        "creator-bot charts benchmark: {creators} creators, {lines} order lines over {} days{}",
        spec.days,
        if quick { " (--quick)" } else { "" }
    );
    let data = dataset::files(&spec)?;
    let mut config = Config::default();
    config.database.max_connections = 4;
    let database = format!("creator_bot_charts_{creators}_{lines}");
    let support::BenchDb {
        pool,
        program,
        options,
    } = support::bench_db(&database, !reuse).await?;
    println!(
        "database {} on {}",
        options.get_database().unwrap_or(&database),
        options.get_host()
    );
    if !reuse {
        let t = Instant::now();
        let mut files = dataset::catalogue(&data);
        files.push((ImportKind::Orders, data.join("orders.csv")));
        dataset::load(&pool, &program, &config, &files).await?;
        // A tier history to rebuild: the monthly review on the 1st of each of the last 7 months.
        let first = today.with_day(1).unwrap_or(today);
        for back in (0..7).rev() {
            let day = first - Months::new(back);
            let r = tiers::review(
                &pool,
                &program,
                &config.tiers,
                start_of_day(day, program.timezone),
                false,
            )
            .await?;
            println!(
                "tier review of {day}: {} promoted, {} demoted",
                r.promoted, r.demoted
            );
        }
        sqlx::query(
            "INSERT INTO competitions (program_id, name, metric, starts_on, ends_on, created_by,
                                       created_at)
             VALUES ($1, 'Benchmark Sprint', 'gmv', $2, $3, 'bench', now())",
        )
        .bind(program.id)
        .bind(today - Days::new(13))
        .bind(today + Days::new(1))
        .execute(&pool)
        .await?;
        sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
        println!("loaded in {:.0} s", t.elapsed().as_secs_f64());
    }
    let competition_id: i64 =
        sqlx::query_scalar("SELECT id FROM competitions WHERE program_id = $1 LIMIT 1")
            .bind(program.id)
            .fetch_optional(&pool)
            .await?
            .unwrap_or(0);
    if competition_id == 0 {
        bail!("the database holds no competition: run once without --reuse");
    }
    let top: i64 = sqlx::query_scalar(
        "SELECT creator_id FROM creator_daily WHERE program_id = $1 AND day > $2
          GROUP BY creator_id ORDER BY SUM(gross_gmv_cents) DESC LIMIT 1",
    )
    .bind(program.id)
    .bind(today - Days::new(30))
    .fetch_one(&pool)
    .await?;

    let (from, to) = (today - Days::new(29), today + Days::new(1));
    let kinds = [
        ("gmv, 30 days", ChartSpec::Gmv { from, to }),
        (
            "gmv, 365 days",
            ChartSpec::Gmv {
                from: to - Days::new(365),
                to,
            },
        ),
        (
            "leaderboard gmv, 30 days",
            ChartSpec::Leaderboard {
                from,
                to,
                metric: ChartMetric::Gmv,
            },
        ),
        (
            "leaderboard views, 30 days",
            ChartSpec::Leaderboard {
                from,
                to,
                metric: ChartMetric::Views,
            },
        ),
        ("pareto, 30 days", ChartSpec::Pareto { from, to }),
        (
            "pareto, 365 days",
            ChartSpec::Pareto {
                from: to - Days::new(365),
                to,
            },
        ),
        ("tiers, 7 month ends", ChartSpec::Tiers { at: today }),
        (
            "creator (top seller), 30 days",
            ChartSpec::Creator {
                creator_id: top,
                from,
                to,
            },
        ),
        (
            "competition, 14 days",
            ChartSpec::Competition { competition_id },
        ),
    ];
    println!(
        "\n{:<31} {:>9} {:>9} {:>9} {:>9} {:>8}  goals: <= {GOAL_MS} ms, <= {GOAL_KB} KB",
        "chart (1200×675)", "first ms", "p50 ms", "data ms", "draw ms", "PNG KB"
    );
    let mut all_met = true;
    for (name, spec) in &kinds {
        let t = Instant::now();
        let chart = charts::draw(&pool, &config, &program, spec).await?;
        let first = t.elapsed();
        let mut totals = Vec::with_capacity(calls);
        let mut reads = Vec::with_capacity(calls);
        let mut draws = Vec::with_capacity(calls);
        for _ in 0..calls {
            let t = Instant::now();
            let data = charts::load(&pool, &program, spec).await?;
            let read = t.elapsed();
            let drawn = charts::render(&data, &program, config.charts.size())?;
            totals.push(t.elapsed());
            reads.push(read);
            draws.push(t.elapsed() - read);
            assert_eq!(drawn.png.len(), chart.png.len());
        }
        let kb = chart.png.len() as f64 / 1024.0;
        let met = ms(first) <= GOAL_MS && ms(median(&mut totals)) <= GOAL_MS && kb <= GOAL_KB;
        all_met &= met;
        println!(
            "{name:<31} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {kb:>8.0}  {}",
            ms(first),
            ms(median(&mut totals)),
            ms(median(&mut reads)),
            ms(median(&mut draws)),
            if met { "met" } else { "NOT MET" }
        );
    }
    println!(
        "\n{}",
        if all_met {
            "every chart met its goals"
        } else {
            "some chart missed a goal"
        }
    );
    pool.close().await;
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
