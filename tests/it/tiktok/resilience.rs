//! When TikTok Shop misbehaves: the rate limit and 5xx are waited out (each retry signed anew),
//! a page that fails three times ends the run (logged, counted in `/metrics`, staff told once
//! after `tiktok.alert_after_failures` failed runs in a row), a malformed line is rejected alone
//! with its order, SKU, field and reason, a window longer than 3 months is read in parts, and a
//! line from a CSV export and from the API is one line.

use chrono::{Duration, Utc};
use creator_bot::domain::tiktok_lines::RejectedLine;
use creator_bot::features::import::{ImportKind, import_reader};
use creator_bot::features::tiktok::SyncKind;
use creator_bot::features::tiktok::orders::{self, Outcome};
use serde_json::json;
use sqlx::PgPool;

use super::orders::{lines, shop, sync};
use super::{Harness, ORDERS_PATH, ago};
use crate::tiktok_fake::{FakeShop, FakeSku, Fault};

fn small_pages(c: &mut creator_bot::config::Config) {
    c.tiktok.page_size = 2;
}

#[sqlx::test]
async fn the_rate_limit_and_server_errors_are_waited_out(pool: PgPool) {
    let h = Harness::start_with(&pool, shop(), small_pages).await;
    h.connect().await;
    h.fake.fail_next(ORDERS_PATH, 1, Fault::RateLimited);
    h.fake.fail_next(ORDERS_PATH, 1, Fault::Server(503));
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!(
        (run.status.as_str(), run.pages, run.inserted),
        ("done", 3, 6),
        "{:?}",
        run.error
    );
    let calls = h.fake.calls_to(ORDERS_PATH);
    let statuses: Vec<u16> = calls.iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![429, 503, 200, 200, 200]);
    // Every try was signed anew and accepted as such: the tries after the faults passed the
    // fake's signature check, and the retried request is the same page.
    assert!(calls[2].ok());
    assert_eq!(calls[0].param("page_token"), calls[2].param("page_token"));
    assert_eq!(calls[0].body, calls[2].body);
}

#[sqlx::test]
async fn a_page_failing_three_times_ends_the_run_and_staff_hear_after_three_runs(pool: PgPool) {
    let h = Harness::connected(&pool, shop()).await;
    for n in 1..=4 {
        h.fake.fail_next(ORDERS_PATH, 3, Fault::Server(500));
        let run = sync(&h, SyncKind::Orders).await;
        assert_eq!(run.status, "failed");
        assert_eq!(
            run.error.as_deref(),
            Some(&*format!(
                "reading the orders created from {} to {}: TikTok Shop answered HTTP 500",
                run.window_from.unwrap(),
                run.window_to.unwrap()
            ))
        );
        let failures: i32 = sqlx::query_scalar("SELECT failures_in_a_row FROM tiktok_shops")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(failures, n);
        let told: Vec<String> = sqlx::query_scalar(
            "SELECT payload->>'text' FROM outbox WHERE template = 'tiktok_sync_failing_alert'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            told.len(),
            if n < 3 { 0 } else { 1 },
            "after {n} failed runs"
        );
        if n == 3 {
            assert!(told[0].starts_with("The TikTok Shop sync of Glow Fake Shop has failed 3 times in a row. Last error: reading the orders created from"), "{}", told[0]);
        }
    }
    assert_eq!(lines(&pool, &h.program).await.len(), 0);
    let metrics = creator_bot::metrics::render(None);
    assert!(
        metrics.contains("creator_bot_tiktok_sync_runs_total{job=\"orders\",result=\"failed\"} 4"),
        "{metrics}"
    );
    // A run that works clears the count; the next failures would be told again.
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!((run.status.as_str(), run.inserted), ("done", 6));
    let (failures, alerted): (i32, bool) =
        sqlx::query_as("SELECT failures_in_a_row, failures_alerted FROM tiktok_shops")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((failures, alerted), (0, false));
}

#[sqlx::test]
async fn a_malformed_line_is_rejected_alone_naming_its_field(pool: PgPool) {
    let h = Harness::connected(&pool, shop()).await;
    h.fake.set_raw_field(
        "5001",
        "2",
        "estimated_commission_base",
        json!({"amount": "abc", "currency": "USD"}),
    );
    h.fake
        .set_raw_field("5003", "3", "creator_username", serde_json::Value::Null);
    h.fake
        .set_raw_field("5002", "1", "settlement_status", json!("SHIPPED"));
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!(
        (run.status.as_str(), run.inserted, run.rejected),
        ("done", 3, 3)
    );
    let rejects: Vec<RejectedLine> = serde_json::from_value(run.rejects.clone()).unwrap();
    let described: Vec<String> = rejects.iter().map(RejectedLine::describe).collect();
    assert_eq!(
        described,
        vec![
            "order 5001, SKU 2: field \"estimated_commission_base\": \"abc\" is not an amount of money",
            "order 5002, SKU 1: field \"settlement_status\": \"SHIPPED\" is not a settlement status (AWAITING_PAYMENT, TO_SETTLE, SETTLED, INELIGIBLE or FROZEN)",
            "order 5003, SKU 3: field \"creator_username\": is missing",
        ]
    );
    let kept: Vec<(String, String)> = lines(&pool, &h.program)
        .await
        .into_iter()
        .map(|l| (l.0, l.1))
        .collect();
    assert_eq!(
        kept,
        vec![
            ("5001".into(), "1".into()),
            ("5003".into(), "1".into()),
            ("5003".into(), "2".into())
        ]
    );
}

#[sqlx::test]
async fn a_backfill_longer_than_three_months_is_read_in_parts(pool: PgPool) {
    let old = FakeShop::new()
        .sku(FakeSku::new("7001", "1", "maya", ago(199, 0), 1_000))
        .sku(FakeSku::new("7002", "1", "maya", ago(120, 0), 2_000))
        .sku(FakeSku::new("7003", "1", "lee", ago(60, 0), 3_000))
        .sku(FakeSku::new("7004", "1", "lee", ago(2, 0), 4_000));
    let h = Harness::connected(&pool, old).await;
    let now = h.now();
    let outcome = orders::sync(
        &h.t.app,
        h.creds(),
        &h.program,
        SyncKind::Backfill,
        Some(200),
        None,
    )
    .await
    .unwrap();
    let Outcome::Ran(run) = outcome else {
        panic!("{}", outcome.summary())
    };
    assert_eq!(
        (run.status.as_str(), run.inserted),
        ("done", 4),
        "{:?}",
        run.error
    );
    let windows: Vec<(i64, i64)> = h
        .fake
        .calls_to(ORDERS_PATH)
        .iter()
        .map(|c| {
            let b: serde_json::Value = serde_json::from_str(&c.body).unwrap();
            (
                b["create_time_ge"].as_i64().unwrap(),
                b["create_time_lt"].as_i64().unwrap(),
            )
        })
        .collect();
    let start = (now - Duration::days(200)).timestamp();
    let day = 86_400;
    assert_eq!(
        windows,
        vec![
            (start, start + 89 * day),
            (start + 89 * day, start + 178 * day),
            (start + 178 * day, now.timestamp()),
        ]
    );
    // The orders sync then starts where the backfill ended (less the overlap).
    let next = sync(&h, SyncKind::Orders).await;
    assert_eq!(
        next.window_from.unwrap().timestamp(),
        now.timestamp() - 60 * 60
    );
    assert!(next.window_to.unwrap() >= now);
}

#[sqlx::test]
async fn an_order_line_in_a_csv_and_in_the_api_is_one_line(pool: PgPool) {
    let h = Harness::connected(&pool, shop()).await;
    let export = "Order ID,SKU ID,Product ID,Product Name,Creator Username,Order Status,Payment Amount,Payment method,Time Created\n\
                  5001,1,1729000000000000001,Serum from the export,maya,Pending,40.00,Card,01/01/2026 10:00:00\n";
    let report = import_reader(
        &pool,
        &h.program,
        &h.t.app.config,
        ImportKind::Orders,
        "orders.csv",
        std::io::Cursor::new(export.to_string()),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(report.inserted, 1);
    h.fake
        .update_sku("5001", "1", |s| s.settlement_status = "SETTLED".into());
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!((run.inserted, run.updated), (5, 1));
    let (count, status, name, method, created): (
        i64,
        String,
        Option<String>,
        Option<String>,
        chrono::DateTime<Utc>,
    ) = sqlx::query_as(
        "SELECT count(*) OVER (), status, product_name, payment_method, created_at
               FROM order_lines WHERE order_id = '5001' AND sku_id = '1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(count, 1);
    // The API's status and time; the export's product name and payment method, which the API
    // does not carry.
    assert_eq!(status, "settled");
    assert_eq!(name.as_deref(), Some("Serum from the export"));
    assert_eq!(method.as_deref(), Some("Card"));
    assert_eq!(
        created.timestamp(),
        h.fake
            .skus()
            .iter()
            .find(|s| s.order_id == "5001" && s.sku_id == "1")
            .unwrap()
            .create_time
            .timestamp()
    );
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM order_lines")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total, 6);
}

#[sqlx::test]
async fn requests_are_paced_to_the_configured_rate(pool: PgPool) {
    let h = Harness::start_with(&pool, shop(), |c| {
        c.tiktok.page_size = 1;
        c.tiktok.requests_per_second = 10;
    })
    .await;
    h.connect().await;
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!((run.pages, run.inserted), (6, 6));
    // Every call to the API (the shops call, the orders pages and the two product names),
    // spread out: unpaced they would follow each other within a few milliseconds. Each gap is
    // measured where the fake received the requests, so allow for the way there.
    let calls: Vec<std::time::Instant> = h
        .fake
        .calls()
        .into_iter()
        .filter(|c| !c.path.starts_with("/api/v2/token"))
        .map(|c| c.at)
        .collect();
    assert_eq!(
        calls.len(),
        1 + 6 + 2,
        "the shops call, six pages, two products"
    );
    for pair in calls.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= std::time::Duration::from_millis(50), "{gap:?}");
    }
    let span = *calls.last().unwrap() - calls[0];
    assert!(span >= std::time::Duration::from_millis(750), "{span:?}");
}
