//! The order sync: reads affiliate orders by create time, page after page, and merges their SKU
//! lines into `order_lines` with the CSV import's own statements (same keys, same creators, same
//! rollups), so a line seen in an export and in the API is one line. Fetching and merging
//! overlap: while one batch of pages is written, the next pages are read. Each batch commits
//! with the run's progress (the window part being read and the next page's token), so a run
//! killed between pages resumes there and neither loses nor doubles a line. Batches note the
//! days they touched with the run; those days' rollups are refreshed when a window part, or the
//! run, ends (once per day rather than once per batch).

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use indicatif::ProgressBar;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use super::session::{self, Session, SessionError, Start};
use super::{Credentials, SyncKind, alerts};
use crate::app::App;
use crate::db;
use crate::db::programs::Program;
use crate::db::tiktok::{Progress, SyncRun};
use crate::domain::import_rows::ColumnMap;
use crate::domain::import_rows::orders::COLUMNS;
use crate::domain::tiktok_lines::{self, RejectedLine};
use crate::tiktok::calls;

/// The longest window one search may cover: three months, counted short (Feb–Apr is 89 days).
pub const MAX_WINDOW: Duration = Duration::days(89);
/// Pages written in one transaction at most (when the database falls behind the API). A page
/// waits encoded as COPY rows (a few hundred bytes a line), so a full queue stays small; a batch
/// this large spreads each transaction's fixed costs (the staging table, the duplicate check,
/// new creators) over many lines; a batch's pages are those queued when it starts, so when
/// the database keeps up each page commits on its own.
const BATCH_PAGES: usize = 200;

/// The export columns the API fills; the others (product name, payment method) keep what a CSV
/// import stored.
static API_COLUMNS: LazyLock<ColumnMap> = LazyLock::new(|| {
    let headers: Vec<String> = COLUMNS
        .iter()
        .map(|c| c.name)
        .filter(|n| !matches!(*n, "Product Name" | "Payment method"))
        .map(str::to_string)
        .collect();
    ColumnMap::resolve(&headers, COLUMNS).expect("the API columns include every required one")
});

/// The seed of the synced lines' hashes.
static API_SEED: LazyLock<u64> = LazyLock::new(|| db::import::orders::hash_seed(&API_COLUMNS));

/// How a sync call ended.
#[derive(Debug)]
pub enum Outcome {
    NotConnected,
    /// The sync is stopped until the shop is connected again (why).
    Stopped(String),
    /// Another sync of this program's orders is running.
    Busy,
    /// The run, finished (`status` done) or failed (`status` failed, `error` set).
    Ran(Box<SyncRun>),
}

impl Outcome {
    /// One line for the job log.
    pub fn summary(&self) -> String {
        match self {
            Outcome::NotConnected => "no TikTok shop connected".into(),
            Outcome::Stopped(reason) => format!("stopped: {reason}"),
            Outcome::Busy => "another TikTok sync of this program is running".into(),
            Outcome::Ran(run) => super::status::run_summary(run),
        }
    }
}

/// Reads orders: `Orders` since the last watermark (less the overlap), `Settlements` the trailing
/// `tiktok.settlement_days`, `Backfill` the last `days`. A run a crash left unfinished is
/// resumed first.
pub async fn sync(
    app: &App,
    creds: &Credentials,
    program: &Program,
    kind: SyncKind,
    days: Option<u32>,
    bar: Option<ProgressBar>,
) -> Result<Outcome> {
    let (mut session, lock) =
        match session::start(app, creds, program, "creator-bot:tiktok-orders").await? {
            Start::Ready(session, lock) => (session, lock),
            Start::Not(outcome) => return Ok(outcome),
        };
    let result = locked_sync(app, creds, &mut session, kind, days, bar).await;
    lock.release().await;
    result
}

async fn locked_sync(
    app: &App,
    creds: &Credentials,
    session: &mut Session,
    kind: SyncKind,
    days: Option<u32>,
    bar: Option<ProgressBar>,
) -> Result<Outcome> {
    let program = session.program.clone();
    let now = app.now();
    let run = match db::tiktok::unfinished_run(&app.pool, program.id, kind.as_str()).await? {
        Some(run) => {
            tracing::info!(program = program.slug, kind = %kind, run = run.id, "resuming an unfinished TikTok sync");
            run
        }
        None => {
            let window = window(app, &program, kind, days, now).await?;
            db::tiktok::start_run(&app.pool, program.id, kind.as_str(), Some(window), now).await?
        }
    };
    let (from, to) = (
        run.window_from.context("an order sync has a window")?,
        run.window_to.context("an order sync has a window")?,
    );
    if let Some(bar) = &bar {
        bar.set_length((to - from).num_seconds().max(1) as u64);
    }
    let mut cursor = run.cursor_from.unwrap_or(from);
    let mut token = run.page_token.clone();
    let mut failure = None;
    while cursor < to {
        let part_to = (cursor + MAX_WINDOW).min(to);
        if let Err(e) = read_part(
            app,
            creds,
            session,
            run.id,
            cursor,
            part_to,
            token.take(),
            bar.as_ref(),
        )
        .await
        {
            failure = Some(e);
            break;
        }
        cursor = part_to;
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    finish(app, session, run.id, kind, Some(to), failure).await
}

/// The window a new run reads.
async fn window(
    app: &App,
    program: &Program,
    kind: SyncKind,
    days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let config = &app.config.tiktok;
    let settlement = Duration::days(i64::from(config.settlement_days));
    Ok(match kind {
        SyncKind::Orders => {
            let mut conn = app.pool.acquire().await?;
            let shop = db::tiktok::shop(&mut conn, program.id, false).await?;
            let from = match shop.and_then(|s| s.orders_watermark) {
                Some(w) => w - Duration::minutes(i64::from(config.overlap_minutes)),
                None => now - settlement,
            };
            (from, now)
        }
        SyncKind::Settlements => (now - settlement, now),
        SyncKind::Backfill => (now - Duration::days(i64::from(days.unwrap_or(180))), now),
        SyncKind::Samples => return Err(anyhow!("sample applications have no time window")),
    })
}

/// Ends the run: recorded as done (the orders watermark moves to `read_until`) or failed (the
/// failure counted, staff told once after `tiktok.alert_after_failures` in a row).
pub(super) async fn finish(
    app: &App,
    session: &Session,
    run_id: i64,
    kind: SyncKind,
    read_until: Option<DateTime<Utc>>,
    failure: Option<anyhow::Error>,
) -> Result<Outcome> {
    let program = &session.program;
    let now = app.now();
    let mut tx = app.pool.begin().await?;
    // Whatever the run wrote shows in the rollups, even when it failed part-way.
    refresh_dirty_days(&mut tx, program, run_id).await?;
    match &failure {
        None => {
            db::tiktok::finish_run(&mut *tx, run_id, None, now).await?;
            if let Some(to) = read_until {
                db::tiktok::set_watermark(&mut tx, program.id, to).await?;
            }
            db::tiktok::count_success(&mut *tx, program.id).await?;
            crate::metrics::record_tiktok_run(kind.as_str(), "ok");
        }
        Some(e) => {
            let text = format!("{e:#}");
            tracing::error!(program = program.slug, kind = %kind, "TikTok sync failed: {text}");
            db::tiktok::finish_run(&mut *tx, run_id, Some(&text), now).await?;
            crate::metrics::record_tiktok_run(kind.as_str(), "failed");
            let stopped = e
                .downcast_ref::<SessionError>()
                .is_some_and(|s| matches!(s, SessionError::Stopped(_)));
            if !stopped {
                let limit = app.config.tiktok.alert_after_failures as i32;
                let (failures, told) =
                    db::tiktok::count_failure(&mut tx, program.id, limit).await?;
                if failures >= limit && !told {
                    alerts::failing(
                        &mut tx,
                        &app.templates,
                        program,
                        &session.shop_name,
                        failures,
                        &text,
                        now,
                    )
                    .await?;
                }
            }
        }
    }
    tx.commit()
        .await
        .context("recording the end of the TikTok sync")?;
    let run = db::tiktok::run(&app.pool, run_id).await?;
    Ok(Outcome::Ran(Box::new(run)))
}

/// A page as read and encoded for the COPY, with the names of products met for the first time.
struct Fetched {
    /// Its lines as COPY rows, numbered on from the previous page's (a later line wins).
    rows: Vec<u8>,
    lines: u64,
    rejects: Vec<RejectedLine>,
    /// The latest create time of its orders.
    latest: Option<DateTime<Utc>>,
    next: Option<String>,
    titles: Vec<(String, String)>,
}

/// Reads `[from, to)` from `token` on: pages are fetched while earlier ones are written.
#[allow(clippy::too_many_arguments)]
async fn read_part(
    app: &App,
    creds: &Credentials,
    session: &mut Session,
    run_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    token: Option<String>,
    bar: Option<&ProgressBar>,
) -> Result<()> {
    let program = session.program.clone();
    // Every product's name (or none, when TikTok Shop gave none), so lines are staged with it.
    let mut known: HashMap<String, Option<String>> = sqlx::query_as::<_, (String, String)>(
        "SELECT product_id, name FROM products WHERE program_id = $1",
    )
    .bind(program.id)
    .fetch_all(&app.pool)
    .await?
    .into_iter()
    .map(|(id, name)| (id, Some(name)))
    .collect();
    let page_size = app.config.tiktok.page_size;
    let (sender, mut receiver) = mpsc::channel::<Fetched>(BATCH_PAGES);
    let encoding = program.clone();
    let fetch = async move {
        let mut token = token;
        let mut line = 0u64;
        loop {
            let t = token.clone();
            let page = session
                .call(app, creds, |api, caller| {
                    let t = t.clone();
                    async move {
                        calls::orders_page(&api, caller.get(), from, to, page_size, t.as_deref())
                            .await
                    }
                })
                .await
                .with_context(|| format!("reading the orders created from {from} to {to}"))?;
            let mut titles = Vec::new();
            for id in product_ids(&page.items) {
                if !known.contains_key(&id) {
                    known.insert(id.clone(), None);
                    let title = session
                        .call(app, creds, |api, caller| {
                            let id = id.clone();
                            async move { calls::product_title(&api, caller.get(), &id).await }
                        })
                        .await;
                    match title {
                        Ok(Some(t)) => {
                            known.insert(id.clone(), Some(t.clone()));
                            titles.push((id, t));
                        }
                        Ok(None) => {}
                        // A name is not worth failing the run for: the lines keep their id.
                        Err(e) => {
                            tracing::warn!(product = id, "no product name from TikTok Shop: {e}")
                        }
                    }
                }
            }
            let next = page.next_page_token.clone();
            let last = next.is_none();
            let fetched = encode_page(&encoding, &page.items, &known, &mut line, next, titles);
            if sender.send(fetched).await.is_err() {
                return Ok::<(), anyhow::Error>(());
            }
            if last {
                return Ok(());
            }
            token = page.next_page_token;
        }
    };
    let write = async {
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < BATCH_PAGES && batch.last().is_some_and(|p| p.next.is_some()) {
                match receiver.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
            let done = batch.last().is_some_and(|p| p.next.is_none());
            let (cursor, token) = if done {
                (to, None)
            } else {
                (from, batch.last().and_then(|p| p.next.clone()))
            };
            let latest =
                write_batch(app, &program, run_id, batch, cursor, token.as_deref()).await?;
            if let (Some(bar), Some(latest)) = (bar, latest) {
                bar.set_position((latest - from).num_seconds().max(0) as u64);
            }
        }
        Ok::<(), anyhow::Error>(())
    };
    let (fetched, written) = tokio::join!(fetch, write);
    written?;
    fetched
}

fn product_ids(orders: &[Map<String, Value>]) -> BTreeSet<String> {
    orders
        .iter()
        .filter_map(|o| o.get("skus")?.as_array())
        .flatten()
        .filter_map(|s| s.get("product_id")?.as_str())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks a page's orders line by line and encodes the good lines as COPY rows, numbered on from
/// `line`.
fn encode_page(
    program: &Program,
    orders: &[Map<String, Value>],
    names: &HashMap<String, Option<String>>,
    line: &mut u64,
    next: Option<String>,
    titles: Vec<(String, String)>,
) -> Fetched {
    let mut page = Fetched {
        rows: Vec::with_capacity(32 * 1024),
        lines: 0,
        rejects: Vec::new(),
        latest: None,
        next,
        titles,
    };
    for order in orders {
        let skus = order.get("skus").and_then(Value::as_array);
        let order_id = order
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let head = match tiktok_lines::order_head(order) {
            Ok(h) => h,
            Err((field, reason)) => {
                for sku in skus.into_iter().flatten() {
                    page.rejects.push(RejectedLine {
                        order_id: order_id.clone(),
                        sku_id: sku
                            .get("sku_id")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .into(),
                        field: field.clone(),
                        reason: reason.clone(),
                    });
                }
                continue;
            }
        };
        page.latest = page.latest.max(Some(head.created_at));
        for sku in skus.into_iter().flatten() {
            let Some(sku) = sku.as_object() else {
                page.rejects.push(RejectedLine {
                    order_id: order_id.clone(),
                    sku_id: String::new(),
                    field: "skus".into(),
                    reason: format!("{sku} is not a SKU object"),
                });
                continue;
            };
            match tiktok_lines::order_line(&head, sku, program.timezone, &program.currency) {
                Ok(mut l) => {
                    l.product_name = l
                        .product_id
                        .and_then(|id| names.get(id))
                        .and_then(|n| n.as_deref());
                    *line += 1;
                    page.lines += 1;
                    db::import::orders::encode(
                        &mut page.rows,
                        *line,
                        &l,
                        &program.currency,
                        *API_SEED,
                    );
                }
                Err(r) => page.rejects.push(r),
            }
        }
    }
    page
}

/// Writes a batch of pages in one transaction with the run's progress; answers the latest
/// create time it saw.
async fn write_batch(
    app: &App,
    program: &Program,
    run_id: i64,
    batch: Vec<Fetched>,
    cursor: DateTime<Utc>,
    token: Option<&str>,
) -> Result<Option<DateTime<Utc>>> {
    let pages = batch.len();
    let lines: u64 = batch.iter().map(|p| p.lines).sum();
    let mut buf = Vec::with_capacity(batch.iter().map(|p| p.rows.len()).sum());
    let mut rejects: Vec<RejectedLine> = Vec::new();
    let mut latest = None;
    let mut titles: Vec<(String, String)> = Vec::new();
    for page in batch {
        buf.extend_from_slice(&page.rows);
        rejects.extend(page.rejects);
        latest = latest.max(page.latest);
        titles.extend(page.titles);
    }
    let mut tx = app.pool.begin().await.context("starting a sync batch")?;
    let mut progress = Progress {
        pages: pages as i32,
        rejected: rejects.len() as i64,
        rejects: serde_json::to_value(&rejects)?,
        ..Default::default()
    };
    if !titles.is_empty() {
        db::tiktok::save_product_names(&mut tx, program.id, &titles).await?;
    }
    if lines > 0 {
        progress.dirty_days = merge(&mut tx, program, buf, &mut progress).await?;
    }
    db::tiktok::record_progress(&mut tx, run_id, Some(cursor), token, &progress).await?;
    if token.is_none() {
        // The part is read: its days' rollups are brought up to date with the lines.
        refresh_dirty_days(&mut tx, program, run_id).await?;
    }
    tx.commit().await.context("committing a sync batch")?;
    crate::metrics::record_tiktok_lines(&progress);
    for r in &rejects {
        tracing::warn!(
            program = program.slug,
            "TikTok order line rejected: {}",
            r.describe()
        );
    }
    Ok(latest)
}

/// Stages the encoded lines and merges them as the import does, filling in product names the
/// lines lack; answers the days whose rollups the merge made stale.
async fn merge(
    conn: &mut PgConnection,
    program: &Program,
    buf: Vec<u8>,
    progress: &mut Progress,
) -> Result<Vec<NaiveDate>> {
    db::import::orders::create_stage(conn).await?;
    let mut copy = conn
        .copy_in_raw(db::import::orders::COPY_SQL)
        .await
        .context("starting the COPY of synced lines")?;
    copy.send(buf).await.context("sending synced lines")?;
    copy.finish()
        .await
        .context("finishing the COPY of synced lines")?;
    let merged = db::import::orders::merge(conn, program.id, &API_COLUMNS, true, &[]).await?;
    // A line stored before keeps its product name on update (the API has none): one stored
    // without a name takes the product's now.
    if merged.merged.inserted < merged.staged {
        sqlx::query(
            "UPDATE order_lines o SET product_name = p.name, line_hash = NULL
               FROM import_order_lines s
               JOIN products p ON p.program_id = $1 AND p.product_id = s.product_id
              WHERE o.program_id = $1 AND o.order_id = s.order_id AND o.sku_id = s.sku_id
                AND o.product_name IS NULL",
        )
        .bind(program.id)
        .execute(&mut *conn)
        .await
        .context("naming the synced lines' products")?;
    }
    progress.inserted = merged.merged.inserted as i64;
    progress.updated = merged.merged.updated as i64;
    progress.unchanged = merged.staged as i64 - progress.inserted - progress.updated;
    progress.new_creators = merged.new_creators as i64;
    Ok(merged.touched_days)
}

/// Refreshes the rollups of the days the run's batches changed so far, and clears them. Batches
/// only note their days (with the run, so a crash loses none): refreshing a day once per part
/// rather than once per batch is most of a backfill's speed.
pub(super) async fn refresh_dirty_days(
    conn: &mut PgConnection,
    program: &Program,
    run_id: i64,
) -> Result<()> {
    let days = db::tiktok::take_dirty_days(&mut *conn, run_id).await?;
    db::rollups::refresh_days(conn, program.id, &days).await
}
