//! What `creator-bot run` exposes on `/metrics` (Prometheus text format): counters and latency
//! histograms recorded as things happen, through the small `record_*` functions below, and the
//! outbox gauges read from the database at scrape time (so every process reports the shared
//! outbox as it is, not its own view of it).

use std::future::Future;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::chat::{Delivered, Platform, SendError};

/// The `Content-Type` of [`render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SendLabels {
    platform: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PlatformLabels {
    platform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    platform: String,
    command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    kind: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    kind: String,
    status: String,
}

type Latencies<L> = Family<L, Histogram, fn() -> Histogram>;

/// 5 ms to about 40 s: a console print is at the bottom, a rate-limited Discord send at the top.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 14))
}

/// The process's counters and histograms.
struct Recorded {
    sends: Family<SendLabels, Counter>,
    send_seconds: Latencies<PlatformLabels>,
    command_seconds: Latencies<CommandLabels>,
    job_runs: Family<JobLabels, Counter>,
    imported_rows: Family<ImportLabels, Counter>,
    tiktok_runs: Family<JobLabels, Counter>,
    tiktok_lines: Family<ImportLabels, Counter>,
}

static RECORDED: LazyLock<Recorded> = LazyLock::new(|| Recorded {
    sends: Family::default(),
    send_seconds: Family::new_with_constructor(latency),
    command_seconds: Family::new_with_constructor(latency),
    job_runs: Family::default(),
    imported_rows: Family::default(),
    tiktok_runs: Family::default(),
    tiktok_lines: Family::default(),
});

/// One send through a platform: `outcome` is `sent`, `rate_limited`, `transient_error` or
/// `permanent_error`.
pub fn record_send(platform: &str, outcome: &str, took: Duration) {
    let m = &*RECORDED;
    m.sends
        .get_or_create(&SendLabels {
            platform: platform.to_string(),
            outcome: outcome.to_string(),
        })
        .inc();
    m.send_seconds
        .get_or_create(&PlatformLabels {
            platform: platform.to_string(),
        })
        .observe(took.as_secs_f64());
}

/// Sends through `send` and records its outcome and latency (one line at the call site).
pub async fn timed_send(
    platform: Platform,
    send: impl Future<Output = Result<Delivered, SendError>>,
) -> Result<Delivered, SendError> {
    let started = Instant::now();
    let result = send.await;
    let outcome = match &result {
        Ok(_) => "sent",
        Err(SendError::RetryAfter(_)) => "rate_limited",
        Err(SendError::Transient(_)) => "transient_error",
        Err(SendError::Permanent(_)) => "permanent_error",
        Err(SendError::Gone(_)) => "recipient_gone",
    };
    record_send(platform.as_str(), outcome, started.elapsed());
    result
}

/// One slash command answered on `platform`.
pub fn record_command(platform: &str, command: &str, took: Duration) {
    RECORDED
        .command_seconds
        .get_or_create(&CommandLabels {
            platform: platform.to_string(),
            command: command.to_string(),
        })
        .observe(took.as_secs_f64());
}

/// One scheduled job run: `result` is `ok` or `failed`.
pub fn record_job(job: &str, result: &str) {
    RECORDED
        .job_runs
        .get_or_create(&JobLabels {
            job: job.to_string(),
            result: result.to_string(),
        })
        .inc();
}

/// Rows of one import of `kind` (orders, creators, …) by `outcome` (inserted, updated,
/// unchanged, rejected).
pub fn record_import(kind: &str, outcome: &str, rows: u64) {
    RECORDED
        .imported_rows
        .get_or_create(&ImportLabels {
            kind: kind.to_string(),
            outcome: outcome.to_string(),
        })
        .inc_by(rows);
}

/// The outbox as a scrape sees it (see [`crate::db::service::outbox_gauges`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxGauges {
    /// Rows by (kind, status).
    pub rows: Vec<(String, String, i64)>,
    /// Seconds since the oldest row that is due and not sent was due (0 when none is).
    pub oldest_due_seconds: f64,
}

/// Everything in the Prometheus text format; `outbox` is `None` when the database did not answer
/// (its gauges are left out rather than reported as zero).
pub fn render(outbox: Option<&OutboxGauges>) -> String {
    let m = &*RECORDED;
    let mut registry = Registry::with_prefix("creator_bot");
    registry.register(
        "sends",
        "Sends through a chat platform, by platform and outcome",
        m.sends.clone(),
    );
    registry.register(
        "send_seconds",
        "Time one send through a platform took",
        m.send_seconds.clone(),
    );
    registry.register(
        "command_seconds",
        "Time a slash command took to answer, by platform and command",
        m.command_seconds.clone(),
    );
    registry.register(
        "job_runs",
        "Scheduled job runs by job and result",
        m.job_runs.clone(),
    );
    registry.register(
        "imported_rows",
        "Rows imported from CSV files, by kind of file and outcome",
        m.imported_rows.clone(),
    );
    registry.register(
        "tiktok_sync_runs",
        "TikTok Shop sync runs by kind (orders, settlements, backfill, samples) and result",
        m.tiktok_runs.clone(),
    );
    registry.register(
        "tiktok_order_lines",
        "Order lines read from TikTok Shop, by outcome",
        m.tiktok_lines.clone(),
    );
    if let Some(outbox) = outbox {
        let rows = Family::<OutboxLabels, Gauge>::default();
        for (kind, status, n) in &outbox.rows {
            rows.get_or_create(&OutboxLabels {
                kind: kind.clone(),
                status: status.clone(),
            })
            .set(*n);
        }
        registry.register("outbox_messages", "Outbox rows by kind and status", rows);
        let oldest = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        oldest.set(outbox.oldest_due_seconds);
        registry.register(
            "outbox_oldest_due_seconds",
            "Seconds since the oldest due, unsent outbox row was due",
            oldest,
        );
    }
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry);
    text
}

/// One TikTok Shop sync run of `kind`: `result` is `ok` or `failed`.
pub fn record_tiktok_run(kind: &str, result: &str) {
    RECORDED
        .tiktok_runs
        .get_or_create(&JobLabels {
            job: kind.to_string(),
            result: result.to_string(),
        })
        .inc();
}

/// The order lines of one written batch of a TikTok Shop sync.
pub fn record_tiktok_lines(p: &crate::db::tiktok::Progress) {
    for (outcome, n) in [
        ("inserted", p.inserted),
        ("updated", p.updated),
        ("unchanged", p.unchanged),
        ("rejected", p.rejected),
    ] {
        RECORDED
            .tiktok_lines
            .get_or_create(&ImportLabels {
                kind: "orders".to_string(),
                outcome: outcome.to_string(),
            })
            .inc_by(n.max(0) as u64);
    }
}

/// [`record_import`] for each outcome of one import.
pub fn record_import_report(report: &crate::features::import::ImportReport) {
    let kind = report.kind.as_str();
    record_import(kind, "inserted", report.inserted);
    record_import(kind, "updated", report.updated);
    record_import(kind, "unchanged", report.unchanged);
    record_import(kind, "rejected", report.rejected.len() as u64);
}
