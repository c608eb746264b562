//! Importing the Seller Center affiliate orders export: every quirk of the file, re-imports,
//! rejected rows, and the rollups the import refreshes.

use crate::common;

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use creator_bot::db::programs::Program;
use creator_bot::features::import::{
    ImportError, ImportKind, ImportReport, RejectedRow, import_file, import_reader,
};
use sqlx::PgPool;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

async fn import(pool: &PgPool, program: &Program, name: &str) -> ImportReport {
    import_file(
        pool,
        program,
        &common::config(),
        ImportKind::Orders,
        &fixture(name),
        false,
    )
    .await
    .unwrap()
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Stored {
    order_id: String,
    sku_id: String,
    handle: String,
    product_id: Option<String>,
    product_name: Option<String>,
    currency: String,
    price_cents: Option<i64>,
    payment_amount_cents: i64,
    quantity: i32,
    refunded: bool,
    payment_method: Option<String>,
    status: String,
    content_type: Option<String>,
    content_id: Option<String>,
    standard_rate_bp: Option<i32>,
    est_commission_base_cents: Option<i64>,
    est_standard_commission_cents: i64,
    actual_standard_commission_cents: Option<i64>,
    shop_ads_rate_bp: Option<i32>,
    est_shop_ads_commission_cents: i64,
    actual_shop_ads_commission_cents: Option<i64>,
    est_cofunded_bonus_cents: i64,
    actual_cofunded_bonus_cents: Option<i64>,
    created_at: DateTime<Utc>,
    created_on: NaiveDate,
}

async fn stored(pool: &PgPool, order_id: &str) -> Stored {
    sqlx::query_as(
        "SELECT o.order_id, o.sku_id, c.handle, o.product_id, o.product_name, o.currency,
                o.price_cents, o.payment_amount_cents, o.quantity, o.refunded, o.payment_method,
                o.status, o.content_type, o.content_id, o.standard_rate_bp,
                o.est_commission_base_cents, o.est_standard_commission_cents,
                o.actual_standard_commission_cents, o.shop_ads_rate_bp,
                o.est_shop_ads_commission_cents, o.actual_shop_ads_commission_cents,
                o.est_cofunded_bonus_cents, o.actual_cofunded_bonus_cents, o.created_at, o.created_on
           FROM order_lines o JOIN creators c ON c.id = o.creator_id
          WHERE o.order_id = $1",
    )
    .bind(order_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// (day, gross, refunded, orders, commission) per program day.
async fn program_days(pool: &PgPool) -> Vec<(NaiveDate, i64, i64, i32, i64)> {
    sqlx::query_as(
        "SELECT day, gross_gmv_cents, refunded_gmv_cents, orders, commission_cents
           FROM program_daily ORDER BY day",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn us_export_with_every_quirk(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import(&pool, &program, "orders_us.csv").await;
    assert_eq!(
        report,
        ImportReport {
            file: "orders_us.csv".into(),
            kind: ImportKind::Orders,
            inserted: 4,
            updated: 0,
            unchanged: 0,
            new_creators: 2,
            rejected: vec![],
        }
    );
    assert_eq!(
        report.summary(),
        "orders_us.csv: 4 inserted, 0 updated, 0 unchanged, 0 rejected; 2 new creators"
    );

    // BOM, shuffled and oddly spelled headers, `$1,234.56`, `15%`, 14:03:59 New York = 19:03:59 UTC.
    assert_eq!(
        stored(&pool, "1001").await,
        Stored {
            order_id: "1001".into(),
            sku_id: "sku-a".into(),
            handle: "glowqueen".into(),
            product_id: Some("p1".into()),
            product_name: Some("Vitamin Serum".into()),
            currency: "USD".into(),
            price_cents: Some(61_728),
            payment_amount_cents: 123_456,
            quantity: 2,
            refunded: false,
            payment_method: Some("Card".into()),
            status: "settled".into(),
            content_type: Some("Video".into()),
            content_id: Some("v-1".into()),
            standard_rate_bp: Some(1500),
            est_commission_base_cents: Some(123_456),
            est_standard_commission_cents: 18_518,
            actual_standard_commission_cents: None,
            shop_ads_rate_bp: Some(500),
            est_shop_ads_commission_cents: 6_173,
            actual_shop_ads_commission_cents: None,
            est_cofunded_bonus_cents: 0,
            actual_cofunded_bonus_cents: None,
            created_at: utc("2026-11-21T19:03:59Z"),
            created_on: day("2026-11-21"),
        }
    );
    // A date without a time is local midnight; blanks become defaults and NULLs.
    let line = stored(&pool, "1002").await;
    assert_eq!(line.created_at, utc("2026-11-21T05:00:00Z"));
    assert_eq!(line.status, "pending");
    assert_eq!(
        (line.quantity, line.currency.as_str(), line.price_cents),
        (1, "USD", None)
    );
    assert_eq!(
        (
            line.est_standard_commission_cents,
            line.est_shop_ads_commission_cents
        ),
        (250, 0)
    );
    // 23:30 in New York is already the next day in UTC; the program-local day counts.
    let line = stored(&pool, "1003").await;
    assert_eq!(line.created_at, utc("2026-11-23T04:30:00Z"));
    assert_eq!(line.created_on, day("2026-11-22"));
    assert_eq!(
        (line.status.as_str(), line.currency.as_str()),
        ("customer_unpaid", "USD")
    );
    let line = stored(&pool, "1004").await;
    assert_eq!((line.status.as_str(), line.refunded), ("ineligible", true));

    let creators: Vec<(String, NaiveDate, String, Option<String>)> =
        sqlx::query_as("SELECT handle, joined_on, tier, first_name FROM creators ORDER BY handle")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        creators,
        vec![
            (
                "fitfam".into(),
                day("2026-11-20"),
                "new_and_promising".into(),
                None
            ),
            (
                "glowqueen".into(),
                day("2026-11-21"),
                "new_and_promising".into(),
                None
            ),
        ]
    );
    assert_eq!(
        program_days(&pool).await,
        vec![
            (day("2026-11-20"), 1000, 1000, 0, 0),
            (day("2026-11-21"), 125_956, 0, 2, 18_518 + 6_173 + 250),
            (day("2026-11-22"), 0, 0, 0, 0),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn reimporting_the_same_file_changes_nothing(pool: PgPool) {
    let program = common::program(&pool).await;
    import(&pool, &program, "orders_us.csv").await;
    let before = row_versions(&pool).await;
    let again = import(&pool, &program, "orders_us.csv").await;
    // Nothing was written: every line and every rollup row is the very row version it was.
    assert_eq!(row_versions(&pool).await, before);
    assert_eq!(
        (
            again.inserted,
            again.updated,
            again.unchanged,
            again.new_creators
        ),
        (0, 0, 4, 0)
    );
    assert!(again.rejected.is_empty());
    assert_eq!(count(&pool, "order_lines").await, 4);
    assert_eq!(count(&pool, "creators").await, 2);
}

/// The physical row versions (`xmin`, `ctid`) of every order line and rollup row, by key.
async fn row_versions(pool: &PgPool) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT 'line ' || order_id || '/' || sku_id, xmin::text, ctid::text FROM order_lines
         UNION ALL SELECT 'creator_daily ' || creator_id || ' ' || day, xmin::text, ctid::text
           FROM creator_daily
         UNION ALL SELECT 'program_daily ' || day, xmin::text, ctid::text FROM program_daily
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_newer_overlapping_export_updates_lines_and_rollups(pool: PgPool) {
    let program = common::program(&pool).await;
    import(&pool, &program, "orders_us.csv").await;
    let unchanged_line = |v: &Vec<(String, String, String)>| {
        v.iter()
            .find(|r| r.0 == "line 1003/sku-a")
            .cloned()
            .unwrap()
    };
    let before = unchanged_line(&row_versions(&pool).await);
    let report = import(&pool, &program, "orders_us_newer.csv").await;
    // The line the newer export repeats unchanged was not rewritten.
    assert_eq!(unchanged_line(&row_versions(&pool).await), before);
    assert_eq!(
        (
            report.inserted,
            report.updated,
            report.unchanged,
            report.new_creators
        ),
        (1, 2, 1, 1)
    );
    assert_eq!(count(&pool, "order_lines").await, 5);

    let refunded = stored(&pool, "1001").await;
    assert_eq!(
        (refunded.status.as_str(), refunded.refunded),
        ("settled", true)
    );
    let settled = stored(&pool, "1002").await;
    assert_eq!(settled.status, "settled");
    assert_eq!(settled.actual_standard_commission_cents, Some(240));

    // 1001 is refunded now: the 21st keeps its gross, loses it to refunds; 1002's actual
    // commission (2.40) replaces its estimate (2.50).
    assert_eq!(
        program_days(&pool).await,
        vec![
            (day("2026-11-20"), 1000, 1000, 0, 0),
            (day("2026-11-21"), 125_956, 123_456, 1, 240),
            (day("2026-11-22"), 0, 0, 0, 0),
            (day("2026-11-23"), 800, 0, 1, 80),
        ]
    );
    let glow: (i64, i64, i32) = sqlx::query_as(
        "SELECT d.gross_gmv_cents, d.refunded_gmv_cents, d.net_lines
           FROM creator_daily d JOIN creators c ON c.id = d.creator_id
          WHERE c.handle = 'glowqueen' AND d.day = '2026-11-21'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(glow, (123_456, 123_456, 0));
    let fit: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT d.gross_gmv_cents, d.gross_gmv_cents - d.refunded_gmv_cents, d.commission_cents,
                d.commission_actual_cents
           FROM creator_daily d JOIN creators c ON c.id = d.creator_id
          WHERE c.handle = 'fitfam' AND d.day = '2026-11-21'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(fit, (2500, 2500, 240, 240));
    let first_sale: Option<NaiveDate> =
        sqlx::query_scalar("SELECT first_sale_on FROM creators WHERE handle = 'glowqueen'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(first_sale, None, "glowqueen's only paid line was refunded");

    // The rollups refreshed for the touched days only are those computed from scratch.
    let incremental = program_days(&pool).await;
    let period = creator_bot::domain::Period::new(day("2026-11-01"), day("2026-12-01")).unwrap();
    let kpis = creator_bot::features::stats::program_kpis(&pool, &program, period)
        .await
        .unwrap();
    let all_days: Vec<NaiveDate> = (0..30)
        .map(|d| day("2026-11-01") + chrono::Duration::days(d))
        .collect();
    let mut conn = pool.acquire().await.unwrap();
    creator_bot::db::rollups::refresh_days(&mut conn, program.id, &all_days)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(program_days(&pool).await, incremental);
    assert_eq!(
        creator_bot::features::stats::program_kpis(&pool, &program, period)
            .await
            .unwrap(),
        kpis
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn uk_export_in_pounds_and_london_time(pool: PgPool) {
    let program = common::program_in(&pool, "brit", "Europe/London", "GBP").await;
    let report = import(&pool, &program, "orders_uk.csv").await;
    assert_eq!(
        (report.inserted, report.rejected.len(), report.new_creators),
        (2, 0, 1)
    );
    let line = stored(&pool, "576000000000000001").await;
    assert_eq!(
        (
            line.payment_amount_cents,
            line.price_cents,
            line.est_standard_commission_cents,
            line.actual_standard_commission_cents,
            line.standard_rate_bp,
            line.shop_ads_rate_bp,
            line.currency.as_str(),
            line.handle.as_str(),
        ),
        (
            123_450,
            Some(123_450),
            15_431,
            Some(15_431),
            Some(1250),
            Some(0),
            "GBP",
            "brit.beauty"
        )
    );
    // British Summer Time: 10:00 in London is 09:00 UTC.
    assert_eq!(line.created_at, utc("2026-07-15T09:00:00Z"));
    let line = stored(&pool, "576000000000000002").await;
    assert_eq!(
        (
            line.status.as_str(),
            line.quantity,
            line.est_cofunded_bonus_cents
        ),
        ("frozen", 3, 25)
    );
    assert_eq!(line.created_at, utc("2026-12-01T10:00:00Z"));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn bad_rows_are_reported_and_good_rows_kept(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import(&pool, &program, "orders_bad.csv").await;
    let rejected = |line, column: Option<&str>, value: Option<&str>, reason: &str| RejectedRow {
        line,
        column: column.map(String::from),
        value: value.map(String::from),
        reason: reason.into(),
    };
    assert_eq!(
        report.rejected,
        vec![
            rejected(
                2,
                None,
                None,
                "line 9 has the same Order ID and SKU ID; the later line wins"
            ),
            rejected(
                3,
                Some("Payment Amount"),
                Some("abc"),
                "\"abc\" is not an amount of money"
            ),
            rejected(
                6,
                Some("Order Status"),
                Some("Shipped"),
                "\"Shipped\" is not an order status (Customer Unpaid, Pending, Settled, Ineligible or Frozen)"
            ),
            rejected(7, None, None, "the line has 4 fields but the header has 8"),
            rejected(
                8,
                Some("Time Created"),
                Some("2026-11-02"),
                "\"2026-11-02\" is not a date in DD/MM/YYYY or DD/MM/YYYY HH:MM:SS form"
            ),
            rejected(10, Some("Order ID"), None, "a value is required"),
            rejected(
                11,
                Some("Standard commission rate"),
                Some("abc%"),
                "\"abc%\" is not a percentage"
            ),
        ]
    );
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (2, 0, 0)
    );
    assert_eq!(
        report.rejected[1].describe(&report.file),
        "orders_bad.csv:3: column \"Payment Amount\": \"abc\" is not an amount of money"
    );
    assert_eq!(
        report.rejected[3].describe(&report.file),
        "orders_bad.csv:7: the line has 4 fields but the header has 8"
    );
    // The later of the two 2001 lines won; the multi-line product name was kept whole.
    assert_eq!(stored(&pool, "2001").await.payment_amount_cents, 1200);
    assert_eq!(
        stored(&pool, "2003").await.product_name.as_deref(),
        Some("Serum\nDeluxe")
    );
    assert_eq!(count(&pool, "order_lines").await, 2);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn missing_required_columns_stop_the_import(pool: PgPool) {
    let program = common::program(&pool).await;
    let err = import_file(
        &pool,
        &program,
        &common::config(),
        ImportKind::Orders,
        &fixture("orders_missing.csv"),
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<ImportError>(),
        Some(&ImportError::MissingColumns {
            file: "orders_missing.csv".into(),
            columns: vec!["Order Status".into(), "Time Created".into()],
        })
    );
    assert_eq!(
        err.to_string(),
        "orders_missing.csv: missing required column(s): Order Status, Time Created"
    );
    assert_eq!(count(&pool, "order_lines").await, 0);
    assert_eq!(count(&pool, "creators").await, 0);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn empty_file_and_header_only_file(pool: PgPool) {
    let program = common::program(&pool).await;
    let config = common::config();
    let err = import_reader(
        &pool,
        &program,
        &config,
        ImportKind::Orders,
        "empty.csv",
        std::io::empty(),
        Some(0),
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "empty.csv: the file is empty (not even a header line)"
    );
    let header =
        "\u{feff}Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created\n";
    let report = import_reader(
        &pool,
        &program,
        &config,
        ImportKind::Orders,
        "header.csv",
        std::io::Cursor::new(header.as_bytes().to_vec()),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        report.summary(),
        "header.csv: 0 inserted, 0 updated, 0 unchanged, 0 rejected"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn small_copy_chunks_give_the_same_result(pool: PgPool) {
    let program = common::program(&pool).await;
    let mut config = common::config();
    config.import.copy_chunk_rows = 1;
    let report = import_file(
        &pool,
        &program,
        &config,
        ImportKind::Orders,
        &fixture("orders_us.csv"),
        true,
    )
    .await
    .unwrap();
    assert_eq!((report.inserted, report.rejected.len()), (4, 0));
    assert_eq!(count(&pool, "order_lines").await, 4);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_failure_after_the_copy_leaves_nothing_behind(pool: PgPool) {
    let program = common::program(&pool).await;
    // The last step of an orders import writes the rollups; make it fail there, after the
    // staging COPY, the new creators and the order lines were written in the same transaction.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'rollups are read-only today'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON program_daily FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    .execute(&pool)
    .await
    .unwrap();
    let err = import_file(
        &pool,
        &program,
        &common::config(),
        ImportKind::Orders,
        &fixture("orders_us.csv"),
        false,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("rollups are read-only today"),
        "{err:#}"
    );
    assert_eq!(count(&pool, "order_lines").await, 0);
    assert_eq!(count(&pool, "creators").await, 0);
    assert_eq!(count(&pool, "creator_daily").await, 0);
}

pub(crate) async fn import_text(
    pool: &PgPool,
    program: &Program,
    name: &str,
    text: &str,
) -> ImportReport {
    import_reader(
        pool,
        program,
        &common::config(),
        ImportKind::Orders,
        name,
        std::io::Cursor::new(text.as_bytes().to_vec()),
        None,
        false,
    )
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn lines_in_another_currency_are_rejected_not_added(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import_text(
        &pool,
        &program,
        "mixed.csv",
        "Order ID,SKU ID,Payment Amount,Currency,Order Status,Creator Username,Time Created\n\
         1,a,$10.00,USD,Settled,ann,02/11/2026 10:00:00\n\
         2,a,£100.00,GBP,Settled,ann,02/11/2026 11:00:00\n\
         3,a,5.00,,Settled,ann,02/11/2026 12:00:00\n",
    )
    .await;
    assert_eq!((report.inserted, report.rejected.len()), (2, 1));
    assert_eq!(
        report.rejected[0].describe("mixed.csv"),
        "mixed.csv:3: column \"Currency\": \"GBP\" is not this program's currency (USD); its amounts cannot be added to the program's"
    );
    let gross: i64 = sqlx::query_scalar("SELECT gross_gmv_cents FROM program_daily")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(gross, 1_500);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_line_credited_to_another_creator_moves_the_first_sale(pool: PgPool) {
    let program = common::program(&pool).await;
    let header = "Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created\n";
    import_text(
        &pool,
        &program,
        "first.csv",
        &format!("{header}1,a,10.00,Settled,ann,02/11/2026 10:00:00\n"),
    )
    .await;
    let newer = import_text(
        &pool,
        &program,
        "newer.csv",
        &format!("{header}1,a,10.00,Settled,bob,02/11/2026 10:00:00\n"),
    )
    .await;
    assert_eq!((newer.inserted, newer.updated), (0, 1));
    let first_sales: Vec<(String, Option<NaiveDate>)> =
        sqlx::query_as("SELECT handle, first_sale_on FROM creators ORDER BY handle")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        first_sales,
        [
            ("ann".to_string(), None),
            ("bob".to_string(), Some(day("2026-11-02")))
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_year_zero_date_is_a_rejected_row(pool: PgPool) {
    let program = common::program(&pool).await;
    let report = import_text(
        &pool,
        &program,
        "zero.csv",
        "Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created\n\
         1,a,10.00,Settled,ann,01/01/0000\n\
         2,a,10.00,Settled,ann,02/11/2026\n",
    )
    .await;
    assert_eq!(report.inserted, 1);
    assert_eq!(
        report.rejected[0].describe("zero.csv"),
        "zero.csv:2: column \"Time Created\": \"01/01/0000\" is not a date in DD/MM/YYYY or DD/MM/YYYY HH:MM:SS form"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn hostile_files_stay_bounded_and_say_what_is_wrong(pool: PgPool) {
    let program = common::program(&pool).await;
    let header =
        "Order ID,SKU ID,Product Name,Creator Username,Payment Amount,Order Status,Time Created\n";
    // A 5 MB product name: its row is left out, naming the line and the column; the rest stays.
    let huge = "x".repeat(5 * 1024 * 1024);
    let text = format!(
        "{header}1,a,Serum,maya,10.00,Settled,21/11/2026 10:00:00\n\
         2,a,{huge},maya,20.00,Settled,21/11/2026 11:00:00\n\
         3,a,Cream,lee,30.00,Settled,21/11/2026 12:00:00\n"
    );
    let report = import_text(&pool, &program, "huge.csv", &text).await;
    assert_eq!((report.inserted, report.rejected.len()), (2, 1));
    assert_eq!(
        report.rejected[0].describe("huge.csv"),
        "huge.csv:3: column \"Product Name\": is longer than import.max_field_bytes (4096 bytes); the row is left out"
    );
    let longest: i32 = sqlx::query_scalar("SELECT max(length(product_name)) FROM order_lines")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(longest, 5);

    // An unterminated quote: reported as such on the line it opens, the rows before it kept.
    let text = format!(
        "{header}4,a,Serum,maya,10.00,Settled,21/11/2026 10:00:00\n\
         5,a,\"Serum, 30 ml,maya,20.00,Settled,21/11/2026 11:00:00\n\
         6,a,Cream,lee,30.00,Settled,21/11/2026 12:00:00\n"
    );
    let report = import_text(&pool, &program, "quote.csv", &text).await;
    assert_eq!((report.inserted, report.rejected.len()), (1, 1));
    assert_eq!(
        report.rejected[0].describe("quote.csv"),
        "quote.csv:3: a quote (\") opened in this row is never closed, so the rest of the file was read as one value: close the quote and import the file again"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn two_imports_of_one_program_wait_for_each_other(pool: PgPool) {
    let glow = common::program(&pool).await;
    let other = common::program_in(&pool, "other", "America/New_York", "USD").await;
    // The same file twice at once into one program, and once into another program meanwhile.
    let (a, b, c) = tokio::join!(
        import(&pool, &glow, "orders_us.csv"),
        import(&pool, &glow, "orders_us.csv"),
        import(&pool, &other, "orders_us.csv"),
    );
    // One of the two found the lines new, the other found them there, unchanged: neither failed
    // on the other's lines, and nothing is doubled.
    let mut counts = [(a.inserted, a.unchanged), (b.inserted, b.unchanged)];
    counts.sort();
    assert_eq!(counts, [(0, 4), (4, 0)]);
    assert_eq!((c.inserted, c.unchanged), (4, 0));
    let per_program: Vec<(String, i64)> = sqlx::query_as(
        "SELECT p.slug, count(*) FROM order_lines o JOIN programs p ON p.id = o.program_id
          GROUP BY p.slug ORDER BY p.slug",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(per_program, vec![("glow".into(), 4), ("other".into(), 4)]);
}
