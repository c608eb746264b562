//! Foundation benchmark (prints figures; not a test). Builds a program of 100k creators and 5M
//! order lines from the synthetic generator, then reports:
//! - the import rate of a 1M-line orders export (the newest 1M lines, into a database that
//!   already holds the older 4M) and its ratio to `psql \copy` of the same file into an unindexed
//!   table (goal ≤ 3×); the same export again with nothing changed (goal ≤ 1.5×); a newer export
//!   of 70 % unchanged lines, 20 % with a new status or refund and 10 % new (goal ≤ 2×); and the
//!   peak memory of `creator-bot import` (a child process) of the whole 5M-line history, about
//!   1 GB, every line already in (goal ≤ 100 MB);
//! - `creator` stats-card latency p50 / p99 over random creators;
//! - `kpi` over 90 days (first call and repeated calls);
//! - `tiers review` over every creator;
//! - peak memory (resident high-water mark) of this process.
//!
//! Each orders import also prints what its steps took, as it logs them at debug level: reading
//! (parsing, and COPY of the staged lines and of the new lines that go straight in), the merge
//! (in-place updates of the changed lines, comparison and writes of the other staged lines), the
//! new days' rollups and the refresh of the other days.
//!
//! `cargo bench --bench foundation [-- --creators N --lines N --export-lines N --samples N]`
//! (`--reuse` skips loading and the import figures, measuring the reads on the last run's data)
//! Uses DATABASE_URL when set, else a private cluster under target/bench-pg.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use chrono::Duration as Days;
use creator_bot::config::Config;
use creator_bot::domain::timefmt::start_of_day;
use creator_bot::domain::{Handle, Period};
use creator_bot::features::import::{ImportKind, import_file};
use creator_bot::features::{stats, tiers};
use rand::SeedableRng;
use rand::seq::SliceRandom;

mod support;

use support::dataset::{self, ms, num_arg, peak_rss_kb, percentiles, split_orders};

struct Args {
    creators: usize,
    lines: usize,
    export_lines: usize,
    samples: usize,
}

fn args() -> Args {
    Args {
        creators: num_arg("--creators", 100_000),
        lines: num_arg("--lines", 5_000_000),
        export_lines: num_arg("--export-lines", 1_000_000),
        samples: num_arg("--samples", 2_000),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = args();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "creator_bot::features::import::orders=debug,creator_bot::db::import::orders=debug",
        ))
        .with_target(false)
        .with_ansi(false)
        .without_time()
        .init();
    if a.export_lines >= a.lines {
        bail!("--export-lines must be below --lines");
    }
    let spec = dataset::spec(a.creators, a.lines);
    let end = spec.end;
    println!(
        "creator-bot foundation benchmark: {} creators, {} order lines over {} days",
        a.creators, a.lines, spec.days
    );

    // 1. Data files (kept between runs of the same size).
    let data = dataset::files(&spec)?;
    let (history, export) = split_orders(&data, a.export_lines)?;

    // 2. A fresh database.
    let mut config = Config::default();
    config.database.max_connections = 4;
    // --reuse: measure the stats and tiers again on the database a previous run loaded.
    let reuse = std::env::args().any(|a| a == "--reuse");
    let support::BenchDb {
        options,
        pool,
        program,
    } = support::bench_db("creator_bot_bench", !reuse).await?;
    let host = match options.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => options.get_host().to_string(),
    };
    let psql_args = vec![
        "-h".to_string(),
        host,
        "-p".into(),
        options.get_port().to_string(),
        "-U".into(),
        options.get_username().to_string(),
        "-d".into(),
        "creator_bot_bench".into(),
    ];
    // 3. Load everything but the export.
    if !reuse {
        let mut files = dataset::catalogue(&data);
        files.push((ImportKind::Orders, history.clone()));
        dataset::load(&pool, &program, &config, &files).await?;
        sqlx::query("VACUUM ANALYZE").execute(&pool).await?;

        // 4. The timed import of the newest 1M lines, and psql \copy of the same file.
        let t = Instant::now();
        let r = import_file(&pool, &program, &config, ImportKind::Orders, &export, false).await?;
        let import_secs = t.elapsed().as_secs_f64();
        let rows = r.inserted + r.updated + r.unchanged;
        if !r.rejected.is_empty() {
            bail!("{} rows rejected in the benchmark export", r.rejected.len());
        }
        sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
        let copy_secs = psql_copy(&psql_args, &export)?;
        let size_mb = std::fs::metadata(&export)?.len() as f64 / 1e6;
        println!("\nimport of a {rows}-line export ({size_mb:.0} MB):");
        println!(
            "  creator-bot import orders  {import_secs:>7.2} s  {:>9.0} lines/s  ({} inserted, {} updated)",
            rows as f64 / import_secs,
            r.inserted,
            r.updated
        );
        println!(
            "  psql \\copy (unindexed)    {copy_secs:>7.2} s  {:>9.0} lines/s",
            rows as f64 / copy_secs
        );
        println!(
            "  ratio                      {:>7.2}x  (goal <= 3x)",
            import_secs / copy_secs
        );
        // The same file again, nothing changed.
        let t = Instant::now();
        let again =
            import_file(&pool, &program, &config, ImportKind::Orders, &export, false).await?;
        let again_secs = t.elapsed().as_secs_f64();
        if again.unchanged != rows || again.inserted + again.updated != 0 {
            bail!("the re-import was not all unchanged: {}", again.summary());
        }
        println!(
            "\nthe same export again, nothing changed: {again_secs:.2} s ({} unchanged), {:.2}x psql \\copy  (goal <= 1.5x)",
            again.unchanged,
            again_secs / copy_secs
        );

        // A newer export: 70 % unchanged, 20 % with a new status or refund, 10 % new.
        let n = a.export_lines;
        let (same, changed, new) = (n * 7 / 10, n * 2 / 10, n - n * 7 / 10 - n * 2 / 10);
        let newer = dataset::newer_export(&export, same, changed, new)?;
        let newer_copy = psql_copy(&psql_args, &newer)?;
        let t = Instant::now();
        let r = import_file(&pool, &program, &config, ImportKind::Orders, &newer, false).await?;
        let newer_secs = t.elapsed().as_secs_f64();
        if (r.unchanged, r.updated, r.inserted) != (same as u64, changed as u64, new as u64) {
            bail!("the newer export did not import as built: {}", r.summary());
        }
        println!(
            "a newer export ({same} unchanged, {changed} changed, {new} new): {newer_secs:.2} s, psql \\copy {newer_copy:.2} s, {:.2}x  (goal <= 2x)",
            newer_secs / newer_copy
        );

        // Peak memory of `creator-bot import` of the whole history (every line already in, so
        // nothing is written but the staging): a file of about 1 GB at the default size.
        let all = data.join("orders.csv");
        let (rss_mb, secs) = import_in_child(&all, &program.slug)?;
        println!(
            "creator-bot import of a {:.0} MB file as a process: {secs:.1} s, peak memory {rss_mb} MB  (goal <= 100 MB)",
            std::fs::metadata(&all)?.len() as f64 / 1e6
        );
    }

    // 5. Creator stats card latency.
    let today = end;
    let period = Period::last_days(today - Days::days(1), 30)?;
    let handles: Vec<String> =
        sqlx::query_scalar("SELECT handle FROM creators WHERE program_id = $1")
            .bind(program.id)
            .fetch_all(&pool)
            .await?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let picks: Vec<&String> = handles.choose_multiple(&mut rng, a.samples).collect();
    for h in picks.iter().take(50) {
        stats::creator_card(&pool, &program, &Handle::parse(h)?, period).await?;
    }
    let mut times = Vec::with_capacity(picks.len());
    for h in &picks {
        let handle = Handle::parse(h)?;
        let t = Instant::now();
        stats::creator_card(&pool, &program, &handle, period).await?;
        times.push(t.elapsed());
    }
    let (p50, p99, max) = percentiles(&mut times);
    println!(
        "\ncreator stats card over {} random creators: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms  (goal p99 <= 5 ms)",
        picks.len(),
        ms(p50),
        ms(p99),
        ms(max)
    );
    let top: String = sqlx::query_scalar(
        "SELECT c.handle FROM creator_daily d JOIN creators c ON c.id = d.creator_id
          WHERE d.program_id = $1 GROUP BY c.handle ORDER BY sum(d.gross_gmv_cents) DESC LIMIT 1",
    )
    .bind(program.id)
    .fetch_one(&pool)
    .await?;
    let top_handle = Handle::parse(&top)?;
    let mut top_times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        stats::creator_card(&pool, &program, &top_handle, period).await?;
        top_times.push(t.elapsed());
    }
    let (p50, p99, _) = percentiles(&mut top_times);
    println!(
        "creator stats card of the top seller (@{top}): p50 {:.2} ms, p99 {:.2} ms",
        ms(p50),
        ms(p99)
    );

    // 6. KPIs over 90 days.
    let period90 = Period::last_days(today - Days::days(1), 90)?;
    let t = Instant::now();
    stats::program_kpis(&pool, &program, period90).await?;
    let first = t.elapsed();
    let mut kpi_times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        stats::program_kpis(&pool, &program, period90).await?;
        kpi_times.push(t.elapsed());
    }
    let (p50, _, max) = percentiles(&mut kpi_times);
    println!(
        "kpi over 90 days: first call {:.1} ms, then p50 {:.1} ms, max {:.1} ms  (goal <= 100 ms)",
        ms(first),
        ms(p50),
        ms(max)
    );

    // 7. Monthly tier review over every creator.
    let at = start_of_day(today, program.timezone);
    let t = Instant::now();
    let review = tiers::review(&pool, &program, &config.tiers, at, false).await?;
    let review_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = tiers::review(&pool, &program, &config.tiers, at, false).await?;
    println!(
        "tiers review over {} creators: {:.2} s ({} promoted, {} demoted); again {:.2} s ({} changes)  (goal <= 1 s)",
        handles.len(),
        review_secs,
        review.promoted,
        review.demoted,
        t.elapsed().as_secs_f64(),
        again.changes.len()
    );

    println!(
        "\npeak memory (VmHWM) of the benchmark process: {} MB",
        peak_rss_kb()? / 1024
    );
    pool.close().await;
    Ok(())
}

/// Runs `creator-bot import orders FILE` as a child process on the benchmark database; its peak
/// resident memory (MB, from the kernel's accounting of waited-for children) and seconds.
fn import_in_child(file: &Path, program: &str) -> Result<(u64, f64)> {
    let t = Instant::now();
    let mut stderr = tempfile::tempfile()?;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"))
        .args(["--program", program, "import", "orders"])
        .arg(file)
        .env("DATABASE_URL", support::database_url("creator_bot_bench")?)
        .env_remove("CREATOR_BOT_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(stderr.try_clone()?)
        .spawn()?;
    // The child's own high-water mark, read from /proc while it runs: its rusage would also
    // count this (much larger) process, whose memory it shares until it execs.
    let pid = child.id().to_string();
    let mut peak_kb = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Ok(kb) = dataset::status_kb(&pid, "VmHWM") {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let secs = t.elapsed().as_secs_f64();
    if !status.success() {
        use std::io::{Read, Seek};
        let mut err = String::new();
        stderr.rewind()?;
        stderr.read_to_string(&mut err)?;
        bail!("creator-bot import failed: {err}");
    }
    Ok((peak_kb / 1024, secs))
}

/// Times `psql \copy` of the file into a fresh unindexed table of 24 text columns.
fn psql_copy(psql_args: &[String], file: &Path) -> Result<f64> {
    let columns: Vec<String> = (1..=24).map(|i| format!("c{i} text")).collect();
    let setup = format!(
        "DROP TABLE IF EXISTS copy_baseline; CREATE TABLE copy_baseline ({});",
        columns.join(", ")
    );
    let run = |sql: &str| -> Result<()> {
        let mut cmd = std::process::Command::new("psql");
        cmd.args(psql_args);
        let status = cmd
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .status()?;
        if !status.success() {
            bail!("psql failed: {sql}");
        }
        Ok(())
    };
    run(&setup)?;
    let t = Instant::now();
    run(&format!(
        "\\copy copy_baseline FROM '{}' WITH (FORMAT csv, HEADER true)",
        file.display()
    ))?;
    let secs = t.elapsed().as_secs_f64();
    run("DROP TABLE copy_baseline")?;
    Ok(secs)
}
