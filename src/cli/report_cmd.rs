//! `creator-bot report weekly|monthly|quarterly`: a staff report as Markdown (with its charts as
//! PNG files beside it) or JSON, to paste into a deck; to stdout, or into a directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};

use super::Session;
use crate::charts::ChartSpec;
use crate::domain::timefmt::{local_day, parse_date, parse_datetime, start_of_day};
use crate::features::reports::document::{self, ChartLink, chart_files, chart_title};
use crate::features::reports::{Report, ReportKind};

#[derive(Debug, Clone, Copy, Default, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown, charts as PNG files beside it (with --out).
    #[default]
    Md,
    /// JSON; its KPIs carry the keys of `kpi --format json`.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// weekly, monthly or quarterly.
    pub kind: ReportKind,
    /// The report as it read at the end of this day (YYYY-MM-DD, program time zone), or at an
    /// instant (RFC 3339 or local YYYY-MM-DD HH:MM). Default: now.
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Directory to write `<kind>-<date>.md` (or `.json`) and its charts' PNG files into
    /// (created if missing). Without it the report goes to stdout, without charts.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The instant `--at` names: the end of a day (its last second), or the instant given.
pub fn instant(raw: Option<&str>, tz: Tz) -> Result<DateTime<Utc>> {
    let Some(raw) = raw else {
        return Ok(Utc::now());
    };
    if let Ok(day) = parse_date(raw) {
        return Ok(start_of_day(day + Days::new(1), tz) - chrono::Duration::seconds(1));
    }
    parse_datetime(raw, tz).map_err(|_| {
        anyhow!("--at {raw:?} is not a day (YYYY-MM-DD) or an instant (YYYY-MM-DD HH:MM, RFC 3339)")
    })
}

pub async fn run(
    config: crate::config::Config,
    program: Option<&str>,
    args: ReportArgs,
) -> Result<ExitCode> {
    let session = Session::open(config, program).await?;
    let tz = session.program.timezone;
    let at = instant(args.at.as_deref(), tz)?;
    let report = Report::build(&session.pool, &session.program, args.kind, at).await?;
    let stem = format!("{}-{}", args.kind, local_day(at, tz));
    let Some(dir) = &args.out else {
        let text = match args.format {
            ReportFormat::Md => {
                let links: Vec<ChartLink> = report
                    .charts()
                    .iter()
                    .map(|_| Err("written as a PNG file with --out DIR".to_string()))
                    .collect();
                if !links.is_empty() {
                    eprintln!(
                        "note: charts are written only with --out DIR ({} not drawn)",
                        links.len()
                    );
                }
                document::markdown(&report.document(), &links)
            }
            ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report.json())?),
        };
        return print(&text);
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the output directory {}", dir.display()))?;
    let links = write_charts(&session, dir, &stem, report.charts()).await?;
    let (file, text) = match args.format {
        ReportFormat::Md => (
            dir.join(format!("{stem}.md")),
            document::markdown(&report.document(), &links),
        ),
        ReportFormat::Json => {
            let mut json = report.json();
            json["chart_files"] = links
                .iter()
                .map(|l| l.as_ref().ok().cloned())
                .collect::<Vec<_>>()
                .into();
            (
                dir.join(format!("{stem}.json")),
                format!("{}\n", serde_json::to_string_pretty(&json)?),
            )
        }
    };
    std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
    let mut written = vec![file.display().to_string()];
    written.extend(
        links
            .iter()
            .filter_map(|l| l.as_ref().ok())
            .map(|f| dir.join(f).display().to_string()),
    );
    print(&format!("{}\n", written.join("\n")))
}

/// Draws each chart into `dir` as `<stem>-<kind>.png`; a chart that cannot be drawn is left out
/// with a warning, and the report says so where it would have been.
async fn write_charts(
    session: &Session,
    dir: &Path,
    stem: &str,
    charts: &[ChartSpec],
) -> Result<Vec<ChartLink>> {
    let mut links = Vec::with_capacity(charts.len());
    for (spec, file) in charts.iter().zip(chart_files(stem, charts)) {
        match crate::charts::draw(&session.pool, &session.config, &session.program, spec).await {
            Ok(chart) => {
                let path = dir.join(&file);
                std::fs::write(&path, &chart.png)
                    .with_context(|| format!("writing {}", path.display()))?;
                links.push(Ok(file));
            }
            Err(e) => {
                eprintln!(
                    "warning: the chart \"{}\" could not be drawn: {e:#}",
                    chart_title(spec)
                );
                links.push(Err(format!("could not be drawn ({e:#})")));
            }
        }
    }
    Ok(links)
}

fn print(text: &str) -> Result<ExitCode> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other.context("writing to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
