//! Rejected rows are reported on their physical line in the file whatever its line endings (LF,
//! CRLF as Seller Center exports have, lone CR), with or without a UTF-8 BOM, after blank lines
//! and after quoted values that span lines; "the later line wins" names lines the same way.

use crate::common;

use creator_bot::db::programs::Program;
use creator_bot::features::import::{ImportKind, ImportReport, RejectedRow, import_reader};
use sqlx::PgPool;

const LF: &str = "\n";
const CRLF: &str = "\r\n";
const CR: &str = "\r";

/// The file's lines joined by `ending` (inside quoted values too, as a spreadsheet writes them),
/// after a BOM when `bom`.
fn file(lines: &[&str], ending: &str, bom: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    if bom {
        bytes.extend_from_slice(b"\xef\xbb\xbf");
    }
    for line in lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(ending.as_bytes());
    }
    bytes
}

async fn import(
    pool: &PgPool,
    program: &Program,
    kind: ImportKind,
    bytes: Vec<u8>,
) -> ImportReport {
    import_reader(
        pool,
        program,
        &common::config(),
        kind,
        "lines.csv",
        std::io::Cursor::new(bytes),
        None,
        false,
    )
    .await
    .unwrap()
}

fn rejected(line: u64, column: &str, value: &str, reason: &str) -> RejectedRow {
    RejectedRow {
        line,
        column: Some(column.into()),
        value: Some(value.into()),
        reason: reason.into(),
    }
}

fn whole_line(line: u64, reason: &str) -> RejectedRow {
    RejectedRow {
        line,
        column: None,
        value: None,
        reason: reason.into(),
    }
}

/// One record per line: the bad rows are on lines 3, 5 and 6 (line 4 is blank), and line 7
/// repeats the key of line 2.
const ORDERS_PLAIN: &[&str] = &[
    "Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created,Product Name",
    "7001,s1,anna,10.00,Settled,01/11/2026 10:00:00,Serum",
    "7002,s1,anna,abc,Settled,01/11/2026 10:00:00,Serum",
    "",
    "7003,s1,bella,5.00,Shipped,02/11/2026,Serum",
    "7004,s1,bella,5.00",
    "7001,s1,anna,12.00,Settled,01/11/2026 12:00:00,Serum",
    "7005,s1,bella,5.00,Pending,02/11/2026,Serum",
];

fn orders_plain_rejections() -> Vec<RejectedRow> {
    vec![
        whole_line(
            2,
            "line 7 has the same Order ID and SKU ID; the later line wins",
        ),
        rejected(
            3,
            "Payment Amount",
            "abc",
            "\"abc\" is not an amount of money",
        ),
        rejected(
            5,
            "Order Status",
            "Shipped",
            "\"Shipped\" is not an order status (Customer Unpaid, Pending, Settled, Ineligible or Frozen)",
        ),
        whole_line(6, "the line has 4 fields but the header has 7"),
    ]
}

/// Product names spanning two and three lines before each bad row.
const ORDERS_MULTILINE: &[&str] = &[
    "Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created,Product Name",
    "8001,s1,anna,10.00,Settled,01/11/2026 10:00:00,\"Serum",
    "Deluxe\"",
    "8002,s1,anna,abc,Settled,01/11/2026 10:00:00,Serum",
    "8003,s1,bella,5.00,Pending,02/11/2026,\"Night",
    "Cream",
    "XL\"",
    "8004,s1,bella,5.00,Shipped,02/11/2026,Serum",
    "8001,s1,anna,12.00,Settled,01/11/2026 12:00:00,\"Serum",
    "Deluxe\"",
    "8005,s1,bella,5.00",
];

fn orders_multiline_rejections() -> Vec<RejectedRow> {
    vec![
        whole_line(
            2,
            "line 9 has the same Order ID and SKU ID; the later line wins",
        ),
        rejected(
            4,
            "Payment Amount",
            "abc",
            "\"abc\" is not an amount of money",
        ),
        rejected(
            8,
            "Order Status",
            "Shipped",
            "\"Shipped\" is not an order status (Customer Unpaid, Pending, Settled, Ineligible or Frozen)",
        ),
        whole_line(11, "the line has 4 fields but the header has 7"),
    ]
}

async fn orders_plain(pool: PgPool, ending: &str, bom: bool) {
    let program = common::program(&pool).await;
    let report = import(
        &pool,
        &program,
        ImportKind::Orders,
        file(ORDERS_PLAIN, ending, bom),
    )
    .await;
    assert_eq!(report.rejected, orders_plain_rejections());
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (2, 0, 0)
    );
    assert_eq!(
        report.rejected[1].describe(&report.file),
        "lines.csv:3: column \"Payment Amount\": \"abc\" is not an amount of money"
    );
}

async fn orders_multiline(pool: PgPool, ending: &str, bom: bool) {
    let program = common::program(&pool).await;
    let report = import(
        &pool,
        &program,
        ImportKind::Orders,
        file(ORDERS_MULTILINE, ending, bom),
    )
    .await;
    assert_eq!(report.rejected, orders_multiline_rejections());
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (2, 0, 0)
    );
    let name: String =
        sqlx::query_scalar("SELECT product_name FROM order_lines WHERE order_id = '8003'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(name, ["Night", "Cream", "XL"].join(ending));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_lf(pool: PgPool) {
    orders_plain(pool, LF, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_crlf(pool: PgPool) {
    orders_plain(pool, CRLF, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_crlf_and_a_bom(pool: PgPool) {
    orders_plain(pool, CRLF, true).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_lone_cr(pool: PgPool) {
    orders_plain(pool, CR, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_values_spanning_lines_and_lf(pool: PgPool) {
    orders_multiline(pool, LF, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_values_spanning_lines_and_crlf(pool: PgPool) {
    orders_multiline(pool, CRLF, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_values_spanning_lines_crlf_and_a_bom(pool: PgPool) {
    orders_multiline(pool, CRLF, true).await;
}

/// A file mixing endings, as one edited by hand after an export: a CRLF file with a quoted value
/// broken by a bare LF, then lines ending in LF.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn orders_with_mixed_endings(pool: PgPool) {
    let program = common::program(&pool).await;
    let text = "\u{feff}Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created,Product Name\r\n\
                9001,s1,anna,10.00,Settled,01/11/2026,\"Serum\nDeluxe\"\r\n\
                \r\n\
                9002,s1,anna,abc,Settled,01/11/2026,Serum\n\
                9003,s1,anna,1.00,Settled,01/11/2026,Serum\n\
                9001,s1,anna,2.00,Settled,01/11/2026,Serum\r\n";
    let report = import(&pool, &program, ImportKind::Orders, text.into()).await;
    assert_eq!(
        report.rejected,
        vec![
            whole_line(
                2,
                "line 7 has the same Order ID and SKU ID; the later line wins"
            ),
            rejected(
                5,
                "Payment Amount",
                "abc",
                "\"abc\" is not an amount of money"
            ),
        ]
    );
}

/// Creators: a niche spanning lines, a blank line, a bad date, a niche with a blank line in it, a
/// repeated handle.
const CREATORS: &[&str] = &[
    "handle,first_name,joined_on,niche",
    "anna,Anna,2026-10-01,\"skin",
    "care\"",
    "",
    "bella,Bella,2026-13-01,fitness",
    "carla,Carla,2026-10-03,\"food",
    "",
    "drinks\"",
    "anna,Anna,2026-10-02,skincare",
    "dora,Dora,10/04/2026,",
];

async fn creators(pool: PgPool, ending: &str, bom: bool) {
    let program = common::program(&pool).await;
    let report = import(
        &pool,
        &program,
        ImportKind::Creators,
        file(CREATORS, ending, bom),
    )
    .await;
    assert_eq!(
        report.rejected,
        vec![
            whole_line(2, "line 9 has the same handle; the later line wins"),
            rejected(
                5,
                "joined_on",
                "2026-13-01",
                "\"2026-13-01\" is not a date in YYYY-MM-DD form"
            ),
            rejected(
                10,
                "joined_on",
                "10/04/2026",
                "\"10/04/2026\" is not a date in YYYY-MM-DD form"
            ),
        ]
    );
    assert_eq!((report.inserted, report.new_creators), (2, 2));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn creators_with_lf(pool: PgPool) {
    creators(pool, LF, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn creators_with_crlf(pool: PgPool) {
    creators(pool, CRLF, false).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn creators_with_crlf_and_a_bom(pool: PgPool) {
    creators(pool, CRLF, true).await;
}

/// Videos: the repeated content id's message names the later physical line.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn videos_with_crlf_and_a_bom(pool: PgPool) {
    let program = common::program(&pool).await;
    let lines = [
        "content_id,handle,posted_at,views",
        "v1,anna,2026-11-01,10",
        "v2,anna,2026-11-01,lots",
        "v1,anna,2026-11-01,25",
    ];
    let report = import(
        &pool,
        &program,
        ImportKind::Videos,
        file(&lines, CRLF, true),
    )
    .await;
    assert_eq!(
        report.rejected,
        vec![
            whole_line(2, "line 4 has the same content_id; the later line wins"),
            rejected(3, "views", "lots", "\"lots\" is not a whole number"),
        ]
    );
}
