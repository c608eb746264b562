//! `creator-bot kpi`, `creator-bot creator HANDLE` and `creator-bot leaderboard`: the stats as
//! tables for people or as JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use clap::Args;
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use super::{Format, Session};
use crate::config::Config;
use crate::domain::timefmt::{self, parse_date, parse_datetime};
use crate::domain::{Handle, Period, format_cents};
use crate::features::stats::{self, CreatorCard, LeaderboardRow, Metric, ProgramKpis};

/// Days covered when neither --from nor --to is given.
pub const DEFAULT_PERIOD_DAYS: u32 = 30;

#[derive(Debug, Clone, Args)]
pub struct PeriodArgs {
    /// First day counted (YYYY-MM-DD, program timezone). Default: 29 days before today.
    #[arg(long, value_parser = parse_date_arg)]
    pub from: Option<NaiveDate>,
    /// Day after the last day counted (excluded). Default: tomorrow.
    #[arg(long, value_parser = parse_date_arg)]
    pub to: Option<NaiveDate>,
    /// Take this instant as "now" (RFC 3339 or local YYYY-MM-DD HH:MM), for tests and demos.
    #[arg(long, hide = true)]
    pub now: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl PeriodArgs {
    /// The period asked for; "today" is the program-local day of `--now` (or the clock).
    pub fn period(&self, tz: Tz) -> Result<Period> {
        let now = match &self.now {
            Some(raw) => parse_datetime(raw, tz)?,
            None => Utc::now(),
        };
        let today = timefmt::local_day(now, tz);
        Ok(Period::from_bounds(
            today,
            self.from,
            self.to,
            DEFAULT_PERIOD_DAYS,
        )?)
    }
}

fn parse_date_arg(raw: &str) -> Result<NaiveDate, String> {
    parse_date(raw).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Args)]
pub struct KpiArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CreatorArgs {
    /// TikTok handle, with or without '@'.
    pub handle: String,
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LeaderboardArgs {
    /// gmv, videos or views.
    #[arg(long, default_value = "gmv")]
    pub metric: Metric,
    /// How many places to show.
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    #[command(flatten)]
    pub period: PeriodArgs,
}

pub async fn kpi(config: Config, program: Option<&str>, args: KpiArgs) -> Result<ExitCode> {
    let session = Session::open(config, program).await?;
    let period = args.period.period(session.program.timezone)?;
    let kpis = stats::program_kpis(&session.pool, &session.program, period).await?;
    print(args.period.format, &kpis, || kpi_table(&kpis))
}

pub async fn creator(config: Config, program: Option<&str>, args: CreatorArgs) -> Result<ExitCode> {
    let handle = Handle::parse(&args.handle)?;
    let session = Session::open(config, program).await?;
    let period = args.period.period(session.program.timezone)?;
    let card = stats::creator_card(&session.pool, &session.program, &handle, period).await?;
    let tz = session.program.timezone;
    print(args.period.format, &card, || creator_table(&card, tz))
}

pub async fn leaderboard(
    config: Config,
    program: Option<&str>,
    args: LeaderboardArgs,
) -> Result<ExitCode> {
    let session = Session::open(config, program).await?;
    let period = args.period.period(session.program.timezone)?;
    let rows = stats::leaderboard(
        &session.pool,
        &session.program,
        args.metric,
        period,
        args.limit,
    )
    .await?;
    let currency = session.program.currency.clone();
    print(args.period.format, &rows, || {
        leaderboard_table(args.metric, period, &currency, &rows)
    })
}

fn print<T: Serialize>(
    format: Format,
    value: &T,
    table: impl FnOnce() -> String,
) -> Result<ExitCode> {
    let text = match format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(value)?),
        Format::Table => table(),
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // `creator-bot kpi | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other.context("writing to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The program KPIs for people: one line per KPI, then the Pareto shares.
pub fn kpi_table(k: &ProgramKpis) -> String {
    let money = |c: i64| format_cents(c, &k.currency);
    let opt_money = |c: Option<i64>| c.map_or(NONE.to_string(), money);
    let s = &k.sales;
    let mut rows = vec![
        ("Gross GMV", money(s.gross_gmv_cents)),
        ("Refunded GMV", money(s.refunded_gmv_cents)),
        ("GMV (net)", money(s.gmv_cents)),
        ("Orders", count(s.orders)),
        ("Average order value", opt_money(s.aov_cents)),
        ("Commission", money(s.commission_cents)),
        ("  estimated", money(s.commission_estimated_cents)),
        ("  actual", money(s.commission_actual_cents)),
        ("Commission / revenue", percent(s.commission_to_revenue)),
        ("Selling creators", count(k.selling_creators as i64)),
        (
            "GMV per selling creator",
            opt_money(k.gmv_per_creator_cents),
        ),
        ("Activated creators", count(k.activated_creators)),
        ("Sample conversion", percent(k.sample_conversion_rate)),
        (
            "Median days to first sale",
            days(k.median_days_to_first_sale),
        ),
        ("Program cost", money(k.program_cost_cents)),
        ("ROI", percent(k.roi)),
        ("Cost per order", opt_money(k.cpa_cents)),
        ("Lifetime GMV per seller (CLV)", opt_money(k.clv_cents)),
        ("Views", count(k.views)),
        ("Engagement rate", percent(k.engagement_rate)),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect::<Vec<_>>();
    for p in &k.pareto {
        let who = if p.creators == 1 {
            "creator"
        } else {
            "creators"
        };
        rows.push((
            format!("Top {}% ({} {who}) share of GMV", p.top_percent, p.creators),
            percent(p.gmv_share),
        ));
    }
    let period = Period {
        from: k.from,
        to: k.to,
    };
    format!("KPIs {period}\n{}\n", two_columns(rows))
}

/// A creator's card for people: who they are, their numbers, then their samples.
/// Times are shown in `tz`, the program's time zone.
pub fn creator_table(c: &CreatorCard, tz: Tz) -> String {
    let money = |cents: i64| format_cents(cents, &c.currency);
    let opt_money = |cents: Option<i64>| cents.map_or(NONE.to_string(), money);
    let s = &c.sales;
    let tier = if c.tier_pinned {
        format!("{} (pinned)", c.tier)
    } else {
        c.tier.to_string()
    };
    let last_video = c.last_video.as_ref().map_or(NONE.to_string(), |v| {
        let views = v.views.map_or(NONE.to_string(), count);
        format!(
            "{} on {} ({views} views)",
            v.content_id,
            v.posted_at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
        )
    });
    let rows = vec![
        ("Tier", tier),
        (
            "Tier reason",
            c.tier_reason.clone().unwrap_or_else(|| NONE.into()),
        ),
        (
            "Rank by GMV",
            c.rank.map_or(NONE.to_string(), |r| format!("#{r}")),
        ),
        ("Joined", c.joined_on.to_string()),
        (
            "First sale",
            c.first_sale_on.map_or(NONE.to_string(), |d| d.to_string()),
        ),
        ("Lifetime GMV", money(c.lifetime_gmv_cents)),
        ("Gross GMV", money(s.gross_gmv_cents)),
        ("Refunded GMV", money(s.refunded_gmv_cents)),
        ("GMV (net)", money(s.gmv_cents)),
        ("Orders", count(s.orders)),
        ("Average order value", opt_money(s.aov_cents)),
        ("Commission", money(s.commission_cents)),
        ("  estimated", money(s.commission_estimated_cents)),
        ("  actual", money(s.commission_actual_cents)),
        ("Commission / revenue", percent(s.commission_to_revenue)),
        ("Videos", count(c.videos)),
        ("Views", count(c.views)),
        ("Engagement rate", percent(c.engagement_rate)),
        ("Sample conversion", percent(c.sample_conversion_rate)),
        ("Program cost", money(c.program_cost_cents)),
        ("ROI", percent(c.roi)),
        ("Cost per order", opt_money(c.cpa_cents)),
        ("Last video", last_video),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    let period = Period {
        from: c.from,
        to: c.to,
    };
    let mut out = format!("@{} {period}\n{}\n", c.handle, two_columns(rows));
    if !c.samples.is_empty() {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(vec![
            "Sample",
            "Shipped",
            "Delivered",
            "First video",
            "Status",
        ]);
        for sample in &c.samples {
            t.add_row(vec![
                sample.product_id.clone(),
                sample.shipped_on.to_string(),
                sample
                    .delivered_on
                    .map_or(NONE.to_string(), |d| d.to_string()),
                sample.first_video_at.map_or(NONE.to_string(), |t| {
                    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
                }),
                sample.status.as_str().replace('_', " "),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out
}

/// A leaderboard for people.
pub fn leaderboard_table(
    metric: Metric,
    period: Period,
    currency: &str,
    rows: &[LeaderboardRow],
) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let heading = match metric {
        Metric::Gmv => "GMV",
        Metric::Videos => "Videos",
        Metric::Views => "Views",
    };
    t.set_header(vec!["#", "Creator", heading]);
    for r in rows {
        let value = match metric {
            Metric::Gmv => format_cents(r.value, currency),
            Metric::Videos | Metric::Views => count(r.value),
        };
        t.add_row(vec![r.rank.to_string(), format!("@{}", r.handle), value]);
    }
    for column in [0, 2] {
        if let Some(c) = t.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    if rows.is_empty() {
        return format!("Leaderboard by {heading} {period}: nobody yet\n");
    }
    format!("Leaderboard by {heading} {period}\n{t}\n")
}

/// Shown for a quantity that has no value (e.g. AOV without orders).
const NONE: &str = "—";

fn two_columns(rows: Vec<(String, String)>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    for (name, value) in rows {
        t.add_row(vec![name, value]);
    }
    if let Some(c) = t.column_mut(1) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    t
}

fn percent(ratio: Option<f64>) -> String {
    ratio.map_or(NONE.to_string(), |r| format!("{:.2}%", r * 100.0))
}

fn days(d: Option<f64>) -> String {
    d.map_or(NONE.to_string(), |d| format!("{d:.1} days"))
}

/// `1234567` → `1,234,567`.
fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
