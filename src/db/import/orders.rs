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
    /// Days an updated line moved away from (its `Time Created` changed); their rollups are stale.
    pub vacated_days: Vec<NaiveDate>,
}

/// Moves the staged lines into `order_lines`: drops earlier duplicates, creates new creators,
/// upserts. Columns the file lacks keep their stored values on update.
pub async fn merge(
    conn: &mut PgConnection,
    program_id: i64,
    map: &ColumnMap,
) -> Result<OrdersMerged> {
    let duplicates = super::drop_duplicates(conn, STAGE, &["order_id", "sku_id"]).await?;
    super::analyze(conn, STAGE, &["handle", "order_id", "sku_id"]).await?;
    let new_creators =
        super::create_missing_creators(conn, program_id, STAGE, "created_on").await?;
    let staged: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {STAGE}")))
        .fetch_one(&mut *conn)
        .await?;
    let names: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
    let select: Vec<String> = names
        .iter()
        .map(|c| {
            if *c == "creator_id" {
                "c.id".to_string()
            } else {
                format!("s.{c}")
            }
        })
        .collect();
    let sql = format!(
        "WITH vacated AS (
             SELECT DISTINCT o.created_on FROM {STAGE} s
               JOIN order_lines o ON o.program_id = $1 AND o.order_id = s.order_id
                                 AND o.sku_id = s.sku_id
              WHERE o.created_on <> s.created_on),
         up AS (
             INSERT INTO order_lines (program_id, order_id, sku_id, {names})
             SELECT $1, s.order_id, s.sku_id, {select}
               FROM {STAGE} s JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
             ON CONFLICT (program_id, order_id, sku_id) DO {update}
             RETURNING (xmax = 0) AS inserted)
         SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
                (SELECT array_agg(created_on) FROM vacated)
           FROM up",
        names = names.join(", "),
        select = select.join(", "),
        update = super::update_clause("order_lines", COLUMNS, map),
    );
    let (inserted, updated, vacated): (i64, i64, Option<Vec<NaiveDate>>) =
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(program_id)
            .fetch_one(&mut *conn)
            .await
            .context("saving the order lines")?;
    Ok(OrdersMerged {
        merged: Merged {
            inserted: inserted as u64,
            updated: updated as u64,
        },
        new_creators,
        duplicates,
        staged: staged as u64,
        vacated_days: vacated.unwrap_or_default(),
    })
}
