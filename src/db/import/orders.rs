//! Staging and upserting affiliate order lines: COPY into a TEMP table, then one
//! `INSERT … ON CONFLICT (program_id, order_id, sku_id) DO UPDATE` into `order_lines`.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, PgConnection};

use super::{Duplicate, Merged, copy_text as ct};
use crate::domain::import_rows::ColumnMap;
use crate::domain::import_rows::orders::{OrderLine, col};

pub const STAGE: &str = "import_order_lines";

const STAGE_COLUMNS: &str = "line bigint, order_id text, sku_id text, handle text, product_id text,
    product_name text, currency text, price_cents bigint, payment_amount_cents bigint,
    quantity integer, refunded boolean, payment_method text, status text, content_type text,
    content_id text, standard_rate_bp integer, est_commission_base_cents bigint,
    est_standard_commission_cents bigint, actual_standard_commission_cents bigint,
    shop_ads_rate_bp integer, est_shop_ads_commission_cents bigint,
    actual_shop_ads_commission_cents bigint, est_cofunded_bonus_cents bigint,
    actual_cofunded_bonus_cents bigint, created_at timestamptz, created_on date";

/// `COPY … FROM STDIN` for rows written by [`encode`].
pub const COPY_SQL: &str = "COPY import_order_lines FROM STDIN";

/// The `order_lines` columns an import sets, each with the export column it comes from.
const COLUMNS: &[(&str, Option<usize>)] = &[
    ("creator_id", None),
    ("product_id", Some(col::PRODUCT_ID)),
    ("product_name", Some(col::PRODUCT_NAME)),
    ("currency", Some(col::CURRENCY)),
    ("price_cents", Some(col::PRICE)),
    ("payment_amount_cents", None),
    ("quantity", Some(col::QUANTITY)),
    ("refunded", Some(col::REFUNDED)),
    ("payment_method", Some(col::PAYMENT_METHOD)),
    ("status", None),
    ("content_type", Some(col::CONTENT_TYPE)),
    ("content_id", Some(col::CONTENT_ID)),
    ("standard_rate_bp", Some(col::STANDARD_RATE)),
    ("est_commission_base_cents", Some(col::EST_COMMISSION_BASE)),
    (
        "est_standard_commission_cents",
        Some(col::EST_STANDARD_COMMISSION),
    ),
    (
        "actual_standard_commission_cents",
        Some(col::ACTUAL_STANDARD_COMMISSION),
    ),
    ("shop_ads_rate_bp", Some(col::SHOP_ADS_RATE)),
    (
        "est_shop_ads_commission_cents",
        Some(col::EST_SHOP_ADS_COMMISSION),
    ),
    (
        "actual_shop_ads_commission_cents",
        Some(col::ACTUAL_SHOP_ADS_COMMISSION),
    ),
    ("est_cofunded_bonus_cents", Some(col::EST_COFUNDED_BONUS)),
    (
        "actual_cofunded_bonus_cents",
        Some(col::ACTUAL_COFUNDED_BONUS),
    ),
    ("created_at", None),
    ("created_on", None),
];

pub async fn create_stage(conn: &mut PgConnection) -> Result<()> {
    super::create_stage(conn, STAGE, STAGE_COLUMNS).await
}

/// Appends one COPY row; `currency` is the program's, used when the line names none.
pub fn encode(buf: &mut Vec<u8>, line: u64, o: &OrderLine<'_>, currency: &str) {
    ct::int(buf, line as i64);
    ct::text(buf, o.order_id);
    ct::text(buf, o.sku_id);
    ct::text(buf, &o.creator);
    ct::opt_text(buf, o.product_id);
    ct::opt_text(buf, o.product_name);
    ct::text(buf, o.currency.as_deref().unwrap_or(currency));
    ct::opt_int(buf, o.price);
    ct::int(buf, o.payment_amount);
    ct::int(buf, i64::from(o.quantity));
    ct::boolean(buf, o.refunded);
    ct::opt_text(buf, o.payment_method);
    ct::text(buf, o.status.as_str());
    ct::opt_text(buf, o.content_type);
    ct::opt_text(buf, o.content_id);
    ct::opt_int(buf, o.standard_rate_bp.map(i64::from));
    ct::opt_int(buf, o.est_commission_base);
    ct::int(buf, o.est_standard_commission);
    ct::opt_int(buf, o.actual_standard_commission);
    ct::opt_int(buf, o.shop_ads_rate_bp.map(i64::from));
    ct::int(buf, o.est_shop_ads_commission);
    ct::opt_int(buf, o.actual_shop_ads_commission);
    ct::int(buf, o.est_cofunded_bonus);
    ct::opt_int(buf, o.actual_cofunded_bonus);
    ct::timestamp(buf, o.created_at);
    ct::date(buf, o.created_on);
    ct::end_row(buf);
}

/// What merging the staged lines did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersMerged {
    pub merged: Merged,
    pub new_creators: u64,
    pub duplicates: Vec<Duplicate>,
    /// Lines left in the staging table after dropping duplicates.
    pub staged: u64,
    /// Days whose rollups the merge made stale: the days of new and changed lines, and the days
    /// a changed line moved away from (its `Time Created` changed). Unchanged lines add none.
    pub touched_days: Vec<NaiveDate>,
}

/// The new and changed staged lines, with their creator and (for a changed one) the day it had.
const CHANGES: &str = "import_order_changes";

/// Moves the staged lines into `order_lines`: drops earlier duplicates (when `check_duplicates`),
/// creates new creators, then sorts the lines in bulk into new, changed and unchanged against
/// what is stored. New lines
/// are inserted, changed ones updated in place (only the columns the file has), and unchanged
/// ones are not written at all (no new row version, no index entry, no rollup). Imports of one
/// program wait for each other here; other programs' imports run alongside.
pub async fn merge(
    conn: &mut PgConnection,
    program_id: i64,
    map: &ColumnMap,
    check_duplicates: bool,
) -> Result<OrdersMerged> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('creator-bot:import-orders', $1))")
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("waiting for another import of this program")?;
    // `check_duplicates` false: the caller saw every key once (no key can repeat).
    let duplicates = if check_duplicates {
        super::drop_duplicates(conn, STAGE, &["order_id", "sku_id"]).await?
    } else {
        Vec::new()
    };
    super::analyze(conn, STAGE, &["handle", "order_id", "sku_id"]).await?;
    let new_creators =
        super::create_missing_creators(conn, program_id, STAGE, "created_on").await?;
    let staged: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {STAGE}")))
        .fetch_one(&mut *conn)
        .await?;
    let staged_value = |c: &str| {
        if c == "creator_id" {
            "c.id".to_string()
        } else {
            format!("s.{c}")
        }
    };
    let present: Vec<&str> = COLUMNS
        .iter()
        .filter(|(_, spec)| spec.is_none_or(|c| map.has(c)))
        .map(|(name, _)| *name)
        .collect();
    let stored: Vec<String> = present.iter().map(|c| format!("o.{c}")).collect();
    let incoming: Vec<String> = present.iter().map(|c| staged_value(c)).collect();
    let names: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
    let select: Vec<String> = names
        .iter()
        .map(|c| format!("{} AS {c}", staged_value(c)))
        .collect();
    sqlx::query(AssertSqlSafe(format!(
        "CREATE TEMP TABLE {CHANGES} ON COMMIT DROP AS
         SELECT s.order_id, s.sku_id, {select}, o.created_on AS old_created_on,
                o.order_id IS NULL AS is_new
           FROM {STAGE} s
           JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
           LEFT JOIN order_lines o ON o.program_id = $1 AND o.order_id = s.order_id
                                  AND o.sku_id = s.sku_id
          WHERE o.order_id IS NULL OR ({stored}) IS DISTINCT FROM ({incoming})",
        select = select.join(", "),
        stored = stored.join(", "),
        incoming = incoming.join(", "),
    )))
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context("comparing the lines with those stored")?;
    let inserted = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO order_lines (program_id, order_id, sku_id, {names})
         SELECT $1, order_id, sku_id, {names} FROM {CHANGES} WHERE is_new",
        names = names.join(", "),
    )))
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context("saving the new order lines")?
    .rows_affected();
    let set: Vec<String> = present.iter().map(|c| format!("{c} = ch.{c}")).collect();
    let updated = sqlx::query(AssertSqlSafe(format!(
        "UPDATE order_lines o SET {set}, updated_at = now()
           FROM {CHANGES} ch
          WHERE NOT ch.is_new AND o.program_id = $1 AND o.order_id = ch.order_id
            AND o.sku_id = ch.sku_id",
        set = set.join(", "),
    )))
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context("updating the changed order lines")?
    .rows_affected();
    let touched: Option<Vec<NaiveDate>> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT array_agg(DISTINCT day ORDER BY day) FROM (
             SELECT created_on AS day FROM {CHANGES}
             UNION ALL SELECT old_created_on FROM {CHANGES} WHERE old_created_on IS NOT NULL) d"
    )))
    .fetch_one(&mut *conn)
    .await
    .context("listing the days the import changed")?;
    Ok(OrdersMerged {
        merged: Merged { inserted, updated },
        new_creators,
        duplicates,
        staged: staged as u64,
        touched_days: touched.unwrap_or_default(),
    })
}
