//! SQL of the TikTok Shop sync: the connected shop (sealed tokens, watermark, failure count), the
//! authorization states handed out, the record of every sync run with its progress, and the
//! sample applications seen.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A program's connected shop as stored (tokens still sealed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredShop {
    pub program_id: i64,
    pub shop_id: String,
    pub shop_name: String,
    pub shop_cipher: String,
    pub region: Option<String>,
    pub seller_name: Option<String>,
    pub access_token_enc: Vec<u8>,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token_enc: Vec<u8>,
    pub refresh_expires_at: DateTime<Utc>,
    pub connected_at: DateTime<Utc>,
    pub refreshed_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub stopped_reason: Option<String>,
    pub orders_watermark: Option<DateTime<Utc>>,
    pub failures_in_a_row: i32,
    pub failures_alerted: bool,
}

/// A shop to store on connect.
pub struct NewShop<'a> {
    pub program_id: i64,
    pub shop_id: &'a str,
    pub shop_name: &'a str,
    pub shop_cipher: &'a str,
    pub region: Option<&'a str>,
    pub seller_name: Option<&'a str>,
    pub access_token_enc: &'a [u8],
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token_enc: &'a [u8],
    pub refresh_expires_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

/// Stores a connected shop. Connecting again clears a stop and the failure count; the orders
/// watermark is kept when it is the same shop.
pub async fn save_shop(conn: impl PgExecutor<'_>, s: &NewShop<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO tiktok_shops (program_id, shop_id, shop_name, shop_cipher, region, seller_name,
             access_token_enc, access_expires_at, refresh_token_enc, refresh_expires_at, connected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (program_id) DO UPDATE SET
             shop_id = EXCLUDED.shop_id, shop_name = EXCLUDED.shop_name,
             shop_cipher = EXCLUDED.shop_cipher, region = EXCLUDED.region,
             seller_name = EXCLUDED.seller_name, access_token_enc = EXCLUDED.access_token_enc,
             access_expires_at = EXCLUDED.access_expires_at,
             refresh_token_enc = EXCLUDED.refresh_token_enc,
             refresh_expires_at = EXCLUDED.refresh_expires_at,
             connected_at = EXCLUDED.connected_at, refreshed_at = NULL, stopped_at = NULL,
             stopped_reason = NULL, failures_in_a_row = 0, failures_alerted = false,
             orders_watermark = CASE WHEN tiktok_shops.shop_id = EXCLUDED.shop_id
                                     THEN tiktok_shops.orders_watermark END",
    )
    .bind(s.program_id)
    .bind(s.shop_id)
    .bind(s.shop_name)
    .bind(s.shop_cipher)
    .bind(s.region)
    .bind(s.seller_name)
    .bind(s.access_token_enc)
    .bind(s.access_expires_at)
    .bind(s.refresh_token_enc)
    .bind(s.refresh_expires_at)
    .bind(s.at)
    .execute(conn)
    .await
    .context("storing the connected TikTok shop")?;
    Ok(())
}

/// The program's shop; `lock`: hold its row until the transaction ends (a token refresh).
pub async fn shop(
    conn: &mut PgConnection,
    program_id: i64,
    lock: bool,
) -> Result<Option<StoredShop>> {
    let sql = if lock {
        "SELECT * FROM tiktok_shops WHERE program_id = $1 FOR UPDATE"
    } else {
        "SELECT * FROM tiktok_shops WHERE program_id = $1"
    };
    sqlx::query_as(sql)
        .bind(program_id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading the connected TikTok shop")
}

/// Stores refreshed tokens.
pub async fn save_tokens(
    conn: &mut PgConnection,
    program_id: i64,
    access_enc: &[u8],
    access_expires_at: DateTime<Utc>,
    refresh_enc: &[u8],
    refresh_expires_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE tiktok_shops SET access_token_enc = $2, access_expires_at = $3,
                refresh_token_enc = $4, refresh_expires_at = $5, refreshed_at = $6
          WHERE program_id = $1",
    )
    .bind(program_id)
    .bind(access_enc)
    .bind(access_expires_at)
    .bind(refresh_enc)
    .bind(refresh_expires_at)
    .bind(at)
    .execute(&mut *conn)
    .await
    .context("storing the refreshed TikTok tokens")?;
    Ok(())
}

/// Stops the sync until the shop is connected again; `true` when it was running until now (so
/// staff are told once).
pub async fn stop(
    conn: &mut PgConnection,
    program_id: i64,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tiktok_shops SET stopped_at = $3, stopped_reason = $2
          WHERE program_id = $1 AND stopped_at IS NULL",
    )
    .bind(program_id)
    .bind(reason)
    .bind(at)
    .execute(&mut *conn)
    .await
    .context("stopping the TikTok sync")?;
    Ok(done.rows_affected() == 1)
}

/// Orders created before `at` have been read.
pub async fn set_watermark(
    conn: &mut PgConnection,
    program_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE tiktok_shops SET orders_watermark = GREATEST(orders_watermark, $2)
          WHERE program_id = $1",
    )
    .bind(program_id)
    .bind(at)
    .execute(&mut *conn)
    .await
    .context("moving the orders watermark")?;
    Ok(())
}

/// Counts a failed run; answers the failures in a row and whether staff were told already (and
/// marks them told when `alert_at` is reached).
pub async fn count_failure(
    conn: &mut PgConnection,
    program_id: i64,
    alert_at: i32,
) -> Result<(i32, bool)> {
    let (failures, alerted): (i32, bool) = sqlx::query_as(
        "UPDATE tiktok_shops s SET failures_in_a_row = s.failures_in_a_row + 1,
                failures_alerted = s.failures_alerted OR s.failures_in_a_row + 1 >= $2
           FROM (SELECT failures_alerted FROM tiktok_shops WHERE program_id = $1) before
          WHERE s.program_id = $1
          RETURNING s.failures_in_a_row, before.failures_alerted",
    )
    .bind(program_id)
    .bind(alert_at)
    .fetch_one(&mut *conn)
    .await
    .context("counting a failed TikTok sync")?;
    Ok((failures, alerted))
}

/// A run worked: the failure count starts again.
pub async fn count_success(conn: impl PgExecutor<'_>, program_id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE tiktok_shops SET failures_in_a_row = 0, failures_alerted = false
          WHERE program_id = $1 AND (failures_in_a_row <> 0 OR failures_alerted)",
    )
    .bind(program_id)
    .execute(conn)
    .await
    .context("clearing the TikTok failure count")?;
    Ok(())
}

pub async fn save_state(
    conn: impl PgExecutor<'_>,
    state: &str,
    program_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tiktok_auth_states (state, program_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(state)
    .bind(program_id)
    .bind(at)
    .execute(conn)
    .await
    .context("storing the authorization state")?;
    Ok(())
}

/// Uses up a state handed out after `since`; its program, or `None` for an unknown, used or
/// stale state.
pub async fn take_state(
    conn: impl PgExecutor<'_>,
    state: &str,
    since: DateTime<Utc>,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "DELETE FROM tiktok_auth_states WHERE state = $1 AND created_at >= $2 RETURNING program_id",
    )
    .bind(state)
    .bind(since)
    .fetch_optional(conn)
    .await
    .context("checking the authorization state")
}

/// One sync run as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncRun {
    pub id: i64,
    pub program_id: i64,
    pub kind: String,
    pub window_from: Option<DateTime<Utc>>,
    pub window_to: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
    pub cursor_from: Option<DateTime<Utc>>,
    pub page_token: Option<String>,
    pub pages: i32,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub new_creators: i64,
    pub samples_changed: i64,
    pub rejects: serde_json::Value,
    pub dirty_days: Vec<NaiveDate>,
    pub error: Option<String>,
}

pub async fn start_run(
    conn: impl PgExecutor<'_>,
    program_id: i64,
    kind: &str,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    at: DateTime<Utc>,
) -> Result<SyncRun> {
    sqlx::query_as(
        "INSERT INTO tiktok_syncs (program_id, kind, window_from, window_to, cursor_from, started_at)
         VALUES ($1, $2, $3, $4, $3, $5) RETURNING *",
    )
    .bind(program_id)
    .bind(kind)
    .bind(window.map(|w| w.0))
    .bind(window.map(|w| w.1))
    .bind(at)
    .fetch_one(conn)
    .await
    .context("recording the start of a TikTok sync")
}

/// The run of this kind a crash left unfinished, if any.
pub async fn unfinished_run(
    conn: impl PgExecutor<'_>,
    program_id: i64,
    kind: &str,
) -> Result<Option<SyncRun>> {
    sqlx::query_as(
        "SELECT * FROM tiktok_syncs WHERE program_id = $1 AND kind = $2 AND status = 'running'
          ORDER BY id DESC LIMIT 1",
    )
    .bind(program_id)
    .bind(kind)
    .fetch_optional(conn)
    .await
    .context("looking for an unfinished TikTok sync")
}

/// What a batch of pages did, recorded with it.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub pages: i32,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub new_creators: i64,
    pub samples_changed: i64,
    /// Rejected lines to keep (the run keeps the first [`KEPT_REJECTS`]).
    pub rejects: serde_json::Value,
    /// Days whose rollups the batch made stale (refreshed later, see `take_dirty_days`).
    pub dirty_days: Vec<NaiveDate>,
}

/// Rejected lines kept per run (all are counted).
pub const KEPT_REJECTS: i32 = 200;

/// Adds a batch's counts to the run and moves its cursor.
pub async fn record_progress(
    conn: &mut PgConnection,
    run_id: i64,
    cursor_from: Option<DateTime<Utc>>,
    page_token: Option<&str>,
    p: &Progress,
) -> Result<()> {
    sqlx::query(
        "UPDATE tiktok_syncs SET cursor_from = $2, page_token = $3, pages = pages + $4,
                inserted = inserted + $5, updated = updated + $6, unchanged = unchanged + $7,
                rejected = rejected + $8, new_creators = new_creators + $9,
                samples_changed = samples_changed + $10,
                rejects = CASE WHEN jsonb_array_length(rejects) >= $12 THEN rejects
                               ELSE rejects || $11 END,
                dirty_days = ARRAY(SELECT DISTINCT d FROM unnest(dirty_days || $13::date[]) AS d
                                    ORDER BY d)
          WHERE id = $1",
    )
    .bind(run_id)
    .bind(cursor_from)
    .bind(page_token)
    .bind(p.pages)
    .bind(p.inserted)
    .bind(p.updated)
    .bind(p.unchanged)
    .bind(p.rejected)
    .bind(p.new_creators)
    .bind(p.samples_changed)
    .bind(if p.rejects.is_array() {
        p.rejects.clone()
    } else {
        serde_json::json!([])
    })
    .bind(KEPT_REJECTS)
    .bind(&p.dirty_days)
    .execute(&mut *conn)
    .await
    .context("recording the sync's progress")?;
    Ok(())
}

/// The run's days waiting for a rollup refresh, cleared.
pub async fn take_dirty_days(conn: &mut PgConnection, run_id: i64) -> Result<Vec<NaiveDate>> {
    sqlx::query_scalar(
        "UPDATE tiktok_syncs s SET dirty_days = '{}' FROM tiktok_syncs old
          WHERE s.id = $1 AND old.id = s.id RETURNING old.dirty_days",
    )
    .bind(run_id)
    .fetch_one(&mut *conn)
    .await
    .context("reading the days to refresh")
}

/// Ends a run: `done`, or `failed` with the error.
pub async fn finish_run(
    conn: impl PgExecutor<'_>,
    run_id: i64,
    error: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE tiktok_syncs SET status = CASE WHEN $2::text IS NULL THEN 'done' ELSE 'failed' END,
                error = $2, finished_at = $3, page_token = NULL
          WHERE id = $1",
    )
    .bind(run_id)
    .bind(error)
    .bind(at)
    .execute(conn)
    .await
    .context("recording the end of a TikTok sync")?;
    Ok(())
}

/// One run.
pub async fn run(conn: impl PgExecutor<'_>, run_id: i64) -> Result<SyncRun> {
    sqlx::query_as("SELECT * FROM tiktok_syncs WHERE id = $1")
        .bind(run_id)
        .fetch_one(conn)
        .await
        .context("reading a TikTok sync")
}

/// The latest runs of a program, newest first.
pub async fn recent_runs(
    conn: impl PgExecutor<'_>,
    program_id: i64,
    limit: i64,
) -> Result<Vec<SyncRun>> {
    sqlx::query_as(
        "SELECT * FROM tiktok_syncs WHERE program_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
    )
    .bind(program_id)
    .bind(limit)
    .fetch_all(conn)
    .await
    .context("reading the TikTok syncs")
}

/// Of `ids`, the products the program has no name for.
pub async fn unnamed_products(
    conn: &mut PgConnection,
    program_id: i64,
    ids: &[String],
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM unnest($2::text[]) AS id
          WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.program_id = $1 AND p.product_id = id)",
    )
    .bind(program_id)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await
    .context("looking for products without a name")
}

/// Stores product names read from the API (unit cost unknown until a products file says).
pub async fn save_product_names(
    conn: &mut PgConnection,
    program_id: i64,
    names: &[(String, String)],
) -> Result<()> {
    let (ids, titles): (Vec<&str>, Vec<&str>) =
        names.iter().map(|(i, t)| (i.as_str(), t.as_str())).unzip();
    sqlx::query(
        "INSERT INTO products (program_id, product_id, name, unit_cost_cents)
         SELECT $1, id, name, 0 FROM unnest($2::text[], $3::text[]) AS t(id, name)
         ON CONFLICT (program_id, product_id) DO NOTHING",
    )
    .bind(program_id)
    .bind(ids)
    .bind(titles)
    .execute(&mut *conn)
    .await
    .context("storing product names")?;
    Ok(())
}
