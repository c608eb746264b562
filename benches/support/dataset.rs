//! The benchmark program shared by the foundation and service benchmarks: the demo's generator at
//! benchmark size (the CSV files are kept under target/ between runs of the same size), loaded
//! through the real import, and the figures both print.

// Each benchmark uses its own part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use creator_bot::config::Config;
use creator_bot::db::programs::Program;
use creator_bot::features::demo::synth::{SynthSpec, generate};
use creator_bot::features::import::{ImportKind, import_file};
use sqlx::PgPool;

/// The benchmark program: `creators` creators and `lines` order lines over the year before
/// 1 November 2026, sales on a Zipf curve over the 60 % of creators who sell.
pub fn spec(creators: usize, lines: usize) -> SynthSpec {
    SynthSpec {
        creators,
        order_lines: lines,
        days: 365,
        end: NaiveDate::from_ymd_opt(2026, 11, 1).expect("a valid day"),
        seed: 1,
        selling_share: 0.6,
        zipf_exponent: 1.2,
    }
}

/// The directory holding `spec`'s CSV files, generating them unless a previous run of the same
/// size did.
pub fn files(spec: &SynthSpec) -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let data = root.join(format!("bench-data-{}-{}", spec.creators, spec.order_lines));
    let stamp = data.join("complete");
    if !stamp.exists() {
        let t = Instant::now();
        let _ = std::fs::remove_dir_all(&data);
        generate(spec, &data)?;
        std::fs::write(&stamp, "ok")?;
        println!(
            "generated the CSV files in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(data)
}

/// The products, creators, samples and videos files of `data`, in the order they import.
pub fn catalogue(data: &Path) -> Vec<(ImportKind, PathBuf)> {
    vec![
        (ImportKind::Products, data.join("products.csv")),
        (ImportKind::Creators, data.join("creators.csv")),
        (ImportKind::Samples, data.join("samples.csv")),
        (ImportKind::Videos, data.join("videos.csv")),
    ]
}

/// Imports each file in turn, printing its rows and time.
pub async fn load(
    pool: &PgPool,
    program: &Program,
    config: &Config,
    files: &[(ImportKind, PathBuf)],
) -> Result<()> {
    for (kind, file) in files {
        let t = Instant::now();
        let r = import_file(pool, program, config, *kind, file, false).await?;
        println!(
            "loaded {:<28} {:>9} rows in {:>6.1} s",
            file.file_name().unwrap().to_string_lossy(),
            r.inserted + r.updated + r.unchanged,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Splits orders.csv (chronological) into the older lines and the newest `export` lines.
pub fn split_orders(data: &Path, export: usize) -> Result<(PathBuf, PathBuf)> {
    let history = data.join(format!("orders-history-{export}.csv"));
    let newest = data.join(format!("orders-export-{export}.csv"));
    if history.exists() && newest.exists() {
        return Ok((history, newest));
    }
    let total = BufReader::new(std::fs::File::open(data.join("orders.csv"))?)
        .lines()
        .count()
        - 1;
    let mut lines = BufReader::new(std::fs::File::open(data.join("orders.csv"))?).lines();
    let header = lines.next().context("empty orders file")??;
    let mut h = BufWriter::new(std::fs::File::create(&history)?);
    let mut n = BufWriter::new(std::fs::File::create(&newest)?);
    writeln!(h, "{header}")?;
    writeln!(n, "{header}")?;
    for (i, line) in lines.enumerate() {
        let line = line?;
        if i < total - export {
            writeln!(h, "{line}")?;
        } else {
            writeln!(n, "{line}")?;
        }
    }
    h.flush()?;
    n.flush()?;
    Ok((history, newest))
}

/// A newer export overlapping `export` as the next day's download does: its first `unchanged`
/// lines as they are, the next `changed` lines with a new status (Pending → Settled, Settled →
/// refunded), and `new` lines that are not in the program yet (the following lines with new
/// order ids). Kept beside the export for the next run.
// Only the foundation benchmark builds one.
#[allow(dead_code)]
pub fn newer_export(
    export: &Path,
    unchanged: usize,
    changed: usize,
    new: usize,
) -> Result<PathBuf> {
    let path = export.with_file_name(format!("orders-newer-{unchanged}-{changed}-{new}.csv"));
    if path.exists() {
        return Ok(path);
    }
    let mut reader = csv::ReaderBuilder::new().from_path(export)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .with_context(|| format!("the export has no {name} column"))
    };
    let (order_id, status, refunded) = (
        column("Order ID")?,
        column("Order Status")?,
        column("Fully returned or refunded")?,
    );
    let mut writer = csv::Writer::from_path(&path)?;
    writer.write_record(&headers)?;
    let mut record = csv::StringRecord::new();
    let mut i = 0;
    while i < unchanged + changed + new && reader.read_record(&mut record)? {
        let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
        if i >= unchanged + changed {
            fields[order_id] = format!("N{}", fields[order_id]);
        } else if i >= unchanged {
            if fields[status].eq_ignore_ascii_case("settled") {
                fields[refunded] = if fields[refunded].eq_ignore_ascii_case("yes") {
                    "No".into()
                } else {
                    "Yes".into()
                };
            } else {
                fields[status] = "Settled".into();
            }
        }
        writer.write_record(&fields)?;
        i += 1;
    }
    writer.flush()?;
    if i < unchanged + changed + new {
        anyhow::bail!("the export has only {i} lines");
    }
    Ok(path)
}

/// The median, the 99th percentile and the maximum (nearest rank).
pub fn percentiles(times: &mut [Duration]) -> (Duration, Duration, Duration) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    (at(0.50), at(0.99), *times.last().unwrap())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A `kB` field (`VmRSS`, `VmHWM`) of /proc/`pid`/status; `pid` may be `self`.
pub fn status_kb(pid: &str, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("reading {field} of process {pid}"))
}

/// The resident high-water mark of this process, in kB.
pub fn peak_rss_kb() -> Result<u64> {
    status_kb("self", "VmHWM")
}

/// A number given on the command line as `name N` (`_` allowed: `5_000_000`), else `default`.
pub fn num_arg(name: &str, default: usize) -> usize {
    let raw: Vec<String> = std::env::args().collect();
    raw.iter()
        .position(|a| a == name)
        .and_then(|i| raw.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Whether `flag` was given.
pub fn flag(flag: &str) -> bool {
    std::env::args().any(|a| a == flag)
}
