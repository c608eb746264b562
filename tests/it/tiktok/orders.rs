//! Orders from the API: a first sync, then the settlement re-read that picks up new statuses,
//! refunds and actual commissions — every line's final state exact, nothing duplicated, the KPIs
//! those of the same data imported as a CSV file — and one line for an order seen in both.

use chrono::{DateTime, Duration, Utc};
use creator_bot::db::programs::Program;
use creator_bot::db::tiktok::SyncRun;
use creator_bot::domain::Period;
use creator_bot::domain::timefmt::local_day;
use creator_bot::features::import::{ImportKind, import_reader};
use creator_bot::features::stats::kpi::program_kpis;
use creator_bot::features::tiktok::SyncKind;
use creator_bot::features::tiktok::orders::{self, Outcome};
use sqlx::PgPool;

use super::{Harness, ago};
use crate::tiktok_fake::{DEFAULT_PRODUCT_ID, FakeProduct, FakeShop, FakeSku};

/// Three orders, six lines; with pages of 2 lines order C straddles two pages.
pub fn shop() -> FakeShop {
    FakeShop::new()
        .product(FakeProduct::new(DEFAULT_PRODUCT_ID, "Glow Serum"))
        .product(FakeProduct::new("1729000000000000002", "Night Cream"))
        .sku(FakeSku::new("5001", "1", "maya", ago(5, 2), 4_000))
        .sku(FakeSku::new("5001", "2", "maya", ago(5, 2), 1_500).settlement("AWAITING_PAYMENT"))
        .sku(
            FakeSku::new("5002", "1", "Lee.Beauty", ago(3, 1), 12_000)
                .product("1729000000000000002")
                .quantity(2, 6_000)
                .shop_ads_rate_bp(500),
        )
        .sku(FakeSku::new("5003", "1", "sam", ago(1, 5), 2_000))
        .sku(FakeSku::new("5003", "2", "sam", ago(1, 5), 3_000).content("LIVE", Some("live-9")))
        .sku(FakeSku::new("5003", "3", "sam", ago(1, 5), 500).commission_rate_bp(2000))
}

pub async fn sync(h: &Harness, kind: SyncKind) -> SyncRun {
    h.now();
    match orders::sync(&h.t.app, h.creds(), &h.program, kind, None, None)
        .await
        .expect("the sync runs")
    {
        Outcome::Ran(run) => *run,
        other => panic!("the sync did not run: {}", other.summary()),
    }
}

/// Every line as stored: order, SKU, creator, status, refunded, paid, estimated and actual
/// commission, product name.
pub async fn lines(
    pool: &PgPool,
    program: &Program,
) -> Vec<(
    String,
    String,
    String,
    String,
    bool,
    i64,
    i64,
    Option<i64>,
    Option<String>,
)> {
    sqlx::query_as(
        "SELECT o.order_id, o.sku_id, c.handle, o.status, o.refunded, o.payment_amount_cents,
                o.est_standard_commission_cents, o.actual_standard_commission_cents, o.product_name
           FROM order_lines o JOIN creators c ON c.id = o.creator_id
          WHERE o.program_id = $1 ORDER BY o.order_id, o.sku_id",
    )
    .bind(program.id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[allow(clippy::too_many_arguments)]
fn line(
    order: &str,
    sku: &str,
    handle: &str,
    status: &str,
    refunded: bool,
    paid: i64,
    est: i64,
    actual: Option<i64>,
    product: &str,
) -> (
    String,
    String,
    String,
    String,
    bool,
    i64,
    i64,
    Option<i64>,
    Option<String>,
) {
    (
        order.into(),
        sku.into(),
        handle.into(),
        status.into(),
        refunded,
        paid,
        est,
        actual,
        Some(product.into()),
    )
}

fn page_size_2(c: &mut creator_bot::config::Config) {
    c.tiktok.page_size = 2;
}

#[sqlx::test]
async fn a_first_sync_then_the_settlement_reread_leaves_every_line_exact(pool: PgPool) {
    let h = Harness::start_with(&pool, shop(), page_size_2).await;
    h.connect().await;
    let first = sync(&h, SyncKind::Orders).await;
    assert_eq!(first.status, "done", "{:?}", first.error);
    assert_eq!(
        (
            first.pages,
            first.inserted,
            first.updated,
            first.unchanged,
            first.rejected,
            first.new_creators
        ),
        (3, 6, 0, 0, 0, 3)
    );
    let serum = "Glow Serum";
    assert_eq!(
        lines(&pool, &h.program).await,
        vec![
            line(
                "5001", "1", "maya", "pending", false, 4_000, 600, None, serum
            ),
            line(
                "5001",
                "2",
                "maya",
                "customer_unpaid",
                false,
                1_500,
                225,
                None,
                serum
            ),
            line(
                "5002",
                "1",
                "lee.beauty",
                "pending",
                false,
                12_000,
                1_800,
                None,
                "Night Cream"
            ),
            line(
                "5003", "1", "sam", "pending", false, 2_000, 300, None, serum
            ),
            line(
                "5003", "2", "sam", "pending", false, 3_000, 450, None, serum
            ),
            line("5003", "3", "sam", "pending", false, 500, 100, None, serum),
        ]
    );

    // Weeks later TikTok settles some lines, one is refunded, the unpaid one is paid.
    h.fake.update_sku("5001", "1", |s| {
        s.settlement_status = "SETTLED".into();
        s.actual_commission = Some(590);
    });
    h.fake
        .update_sku("5001", "2", |s| s.settlement_status = "TO_SETTLE".into());
    h.fake.update_sku("5002", "1", |s| {
        s.settlement_status = "INELIGIBLE".into();
        s.fully_return = true;
    });
    let reread = sync(&h, SyncKind::Settlements).await;
    assert_eq!(reread.status, "done", "{:?}", reread.error);
    assert_eq!(
        (
            reread.inserted,
            reread.updated,
            reread.unchanged,
            reread.rejected
        ),
        (0, 3, 3, 0)
    );
    assert_eq!(
        lines(&pool, &h.program).await,
        vec![
            line(
                "5001",
                "1",
                "maya",
                "settled",
                false,
                4_000,
                600,
                Some(590),
                serum
            ),
            line(
                "5001", "2", "maya", "pending", false, 1_500, 225, None, serum
            ),
            line(
                "5002",
                "1",
                "lee.beauty",
                "ineligible",
                true,
                12_000,
                1_800,
                None,
                "Night Cream"
            ),
            line(
                "5003", "1", "sam", "pending", false, 2_000, 300, None, serum
            ),
            line(
                "5003", "2", "sam", "pending", false, 3_000, 450, None, serum
            ),
            line("5003", "3", "sam", "pending", false, 500, 100, None, serum),
        ]
    );
    // Each product's name was asked for once.
    assert_eq!(h.fake.product_calls(DEFAULT_PRODUCT_ID), 1);
    assert_eq!(h.fake.product_calls("1729000000000000002"), 1);

    // The orders sync reads only since the last sync (less the overlap): these are older.
    let recent = sync(&h, SyncKind::Orders).await;
    assert_eq!((recent.pages, recent.inserted, recent.unchanged), (1, 0, 0));
    // Nothing changed since: reading them all again writes nothing.
    let again = sync(&h, SyncKind::Settlements).await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 6));

    // The same final data imported as a Seller Center export gives the same KPIs.
    let csv = super::super::common::program_in(&pool, "csv", "America/New_York", "USD").await;
    let report = import_reader(
        &pool,
        &csv,
        &h.t.app.config,
        ImportKind::Orders,
        "orders.csv",
        std::io::Cursor::new(export_of(&h.fake.skus(), &h.program)),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (report.inserted, report.rejected.len()),
        (6, 0),
        "{report:?}"
    );
    let today = local_day(Utc::now(), h.program.timezone);
    let period = Period::new(today - Duration::days(30), today + Duration::days(1)).unwrap();
    let from_api = program_kpis(&pool, &h.program, period).await.unwrap();
    let from_csv = program_kpis(&pool, &csv, period).await.unwrap();
    assert_eq!(from_api, from_csv);
    assert_eq!(
        from_api.sales.gross_gmv_cents,
        4_000 + 1_500 + 12_000 + 2_000 + 3_000 + 500
    );
}

/// The fake's lines as the Seller Center export writes them (program-local times).
pub fn export_of(skus: &[FakeSku], program: &Program) -> String {
    let mut out = String::from(
        "Order ID,SKU ID,Product ID,Creator Username,Order Status,Fully returned or refunded,\
         Payment Amount,Price,Quantity,Currency,Content Type,Content ID,Standard commission rate,\
         Est. Commission Base,Est. standard commission payment,Actual Commission Payment,\
         Shop Ads commission rate,Est. Shop Ads commission payment,\
         Actual Shop Ads commission payment,Est. co-funded creator bonus,\
         Actual co-funded creator bonus,Time Created\n",
    );
    let money = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    let opt = |c: Option<i64>| c.map(money).unwrap_or_default();
    for s in skus {
        let status = match s.settlement_status.as_str() {
            "AWAITING_PAYMENT" => "Customer Unpaid",
            "TO_SETTLE" => "Pending",
            "SETTLED" => "Settled",
            "INELIGIBLE" => "Ineligible",
            _ => "Frozen",
        };
        let local: DateTime<chrono_tz::Tz> = s.create_time.with_timezone(&program.timezone);
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}%,{},{},{},{}%,{},{},{},{},{}\n",
            s.order_id,
            s.sku_id,
            s.product_id,
            s.creator_username.clone().unwrap_or_default(),
            status,
            if s.fully_return { "Yes" } else { "No" },
            money(s.paid_cents),
            money(s.price_cents),
            s.quantity,
            s.currency,
            match s.content_type.as_deref() {
                Some("VIDEO") => "Video",
                other => other.unwrap_or(""),
            },
            s.content_id.clone().unwrap_or_default(),
            f64::from(s.commission_rate_bp) / 100.0,
            money(s.paid_cents),
            money(s.est_commission),
            opt(s.actual_commission),
            f64::from(s.shop_ads_rate_bp) / 100.0,
            money(s.est_shop_ads),
            opt(s.actual_shop_ads),
            money(s.est_bonus),
            opt(s.actual_bonus),
            local.format("%d/%m/%Y %H:%M:%S"),
        ));
    }
    out
}
