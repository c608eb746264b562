//! The orders search: windows, pages cut by SKU line, page tokens, the SKU fields, a generated
//! shop.

use serde_json::{Value, json};

use super::harness::*;
use crate::tiktok_fake::{FakeShop, FakeSku, SHOP_CIPHER, encode_query, signed_query};

const T0: i64 = 1_750_000_000;

fn line(order: &str, sku: &str, t: i64) -> FakeSku {
    FakeSku::new(order, sku, "maya", at(t), 2_000)
}

/// Four orders in the window (2, 3, 1 and 1 lines), one line just before it, one at its end.
fn shop() -> FakeShop {
    FakeShop::new().skus([
        line("5760004", "1731007", T0 + 30),
        line("5760002", "1731005", T0 + 10),
        line("5760001", "1731002", T0),
        line("5760002", "1731003", T0 + 10),
        line("5760001", "1731001", T0),
        line("5760002", "1731004", T0 + 10),
        line("5760003", "1731006", T0 + 20),
        line("5760000", "1731000", T0 - 1),
        line("5760005", "1731008", T0 + 100),
    ])
}

/// (order id, its sku ids) per order of a page.
fn orders_of(data: &Value) -> Vec<(String, Vec<String>)> {
    data["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| {
            let skus = o["skus"].as_array().expect("skus");
            let ids = skus
                .iter()
                .map(|s| s["sku_id"].as_str().unwrap().to_owned());
            (o["id"].as_str().unwrap().to_owned(), ids.collect())
        })
        .collect()
}

fn owned(order: &str, skus: &[&str]) -> (String, Vec<String>) {
    (
        order.to_owned(),
        skus.iter().map(|s| (*s).to_owned()).collect(),
    )
}

#[tokio::test]
async fn pages_are_cut_by_sku_line_and_an_order_straddles_two() {
    let (fake, token) = authorized(shop()).await;
    let (ge, lt) = (T0, T0 + 100);
    let first = orders_page(&fake, &token, ge, lt, 3, "").await;
    assert_eq!(first.code(), Some(0), "{}", first.text);
    assert_eq!(
        orders_of(first.data()),
        vec![
            owned("5760001", &["1731001", "1731002"]),
            owned("5760002", &["1731003"]),
        ]
    );
    assert_eq!(first.data()["orders"][0]["create_time"], T0);
    assert_eq!(first.data()["total_count"], 4);
    let token1 = first.data()["next_page_token"].as_str().unwrap().to_owned();
    for c in ['+', '/', '='] {
        assert!(token1.contains(c), "{token1} needs URL encoding");
    }

    let second = orders_page(&fake, &token, ge, lt, 3, &token1).await;
    assert_eq!(
        orders_of(second.data()),
        vec![
            owned("5760002", &["1731004", "1731005"]),
            owned("5760003", &["1731006"]),
        ]
    );
    let token2 = second.data()["next_page_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let third = orders_page(&fake, &token, ge, lt, 3, &token2).await;
    assert_eq!(
        orders_of(third.data()),
        vec![owned("5760004", &["1731007"])]
    );
    assert_eq!(third.data()["next_page_token"], "");
    assert_eq!(third.data()["total_count"], 4);
    // The token arrived decoded, as sent.
    let calls = fake.calls_to(ORDERS);
    assert_eq!(calls[1].param("page_token"), Some(token1.as_str()));

    let empty = orders_page(&fake, &token, T0 + 200, T0 + 300, 3, "").await;
    assert_eq!(
        empty.data(),
        &json!({"orders": [], "next_page_token": "", "total_count": 0})
    );
}

#[tokio::test]
async fn a_page_token_sent_unencoded_or_garbled_is_refused() {
    let (fake, token) = authorized(shop()).await;
    let first = orders_page(&fake, &token, T0, T0 + 100, 3, "").await;
    let next = first.data()["next_page_token"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"create_time_ge":{T0},"create_time_lt":{}}}"#, T0 + 100);
    let params = [
        ("page_size", "3"),
        ("page_token", next.as_str()),
        ("shop_cipher", SHOP_CIPHER),
    ];
    let query = signed_query(ORDERS, &params, &body);
    let encoded = encode_query(&[("page_token", &next)]);
    let raw = query.replace(&encoded, &format!("page_token={next}"));
    assert_ne!(raw, query);
    let reply = send(
        &fake,
        "POST",
        &format!("{ORDERS}?{raw}"),
        Some(&body),
        Some(&token),
    )
    .await;
    assert_eq!(reply.code(), Some(106001));

    let garbled = next.replacen('A', "B", 1).replacen('+', "-", 1);
    let reply = orders_page(&fake, &token, T0, T0 + 100, 3, &garbled).await;
    assert_eq!(reply.code(), Some(36009003));
    assert_eq!(reply.json["message"], "invalid page_token");
    // A token belongs to its window.
    let reply = orders_page(&fake, &token, T0, T0 + 99, 3, &next).await;
    assert_eq!(reply.code(), Some(36009003));
}

#[tokio::test]
async fn windows_over_92_days_and_bad_page_sizes_are_refused() {
    let (fake, token) = authorized(shop()).await;
    let days_92 = 92 * 86_400;
    let ok = orders_page(&fake, &token, T0, T0 + days_92, 100, "").await;
    assert_eq!(ok.code(), Some(0));
    assert_eq!(ok.data()["total_count"], 5);
    let long = orders_page(&fake, &token, T0, T0 + days_92 + 1, 100, "").await;
    assert_eq!(long.code(), Some(36009003));
    assert_eq!(
        long.json["message"],
        "time range too long (at most 92 days)"
    );
    for size in [0, 101] {
        let reply = orders_page(&fake, &token, T0, T0 + 100, size, "").await;
        assert_eq!(reply.code(), Some(36009003));
    }
    let body = format!(r#"{{"create_time_ge":{T0}}}"#);
    let reply = api(
        &fake,
        "POST",
        ORDERS,
        &[("page_size", "10")],
        Some(&body),
        &token,
    )
    .await;
    assert_eq!(reply.code(), Some(36009003));
}

#[tokio::test]
async fn a_sku_carries_the_documented_fields_and_raw_overrides() {
    let sku = FakeSku::new("5760001", "1731001", "maya", at(T0), 2_500)
        .quantity(2, 1_300)
        .shop_ads_rate_bp(500)
        .settled();
    let (fake, token) = authorized(FakeShop::new().sku(sku)).await;
    let page = orders_page(&fake, &token, T0, T0 + 1, 10, "").await;
    let usd = |amount: &str| json!({"amount": amount, "currency": "USD"});
    let served = page.data()["orders"][0]["skus"][0].clone();
    assert_eq!(served["sku_id"], "1731001");
    assert_eq!(served["product_id"], "1729000000000000001");
    assert_eq!(served["settlement_status"], "SETTLED");
    assert_eq!(served["fully_return"], "No");
    assert_eq!(served["creator_username"], "maya");
    assert_eq!(served["content_type"], "VIDEO");
    assert_eq!(served["quantity"], 2);
    assert_eq!(served["price"], usd("13.00"));
    assert_eq!(served["commission_rate"], "1500");
    assert_eq!(served["shop_ads_commission_rate"], "500");
    assert_eq!(served["estimated_commission_base"], usd("25.00"));
    assert_eq!(served["estimated_paid_commission"], usd("3.75"));
    assert_eq!(served["actual_paid_commission"], usd("3.75"));
    assert_eq!(served["estimated_paid_shop_ads_commission"], usd("1.25"));
    assert_eq!(served["actual_cofunded_creator_bonus_amount"], usd("0.00"));
    assert!(served.get("status").is_none() && served.get("refunded_quantity").is_none());

    fake.update_sku("5760001", "1731001", |s| {
        s.settlement_status = "TO_SETTLE".into();
        s.actual_commission = None;
    });
    assert!(fake.set_raw_field("5760001", "1731001", "price", json!({"amount": "abc"})));
    assert!(fake.set_raw_field("5760001", "1731001", "creator_username", Value::Null));
    let page = orders_page(&fake, &token, T0, T0 + 1, 10, "").await;
    let served = &page.data()["orders"][0]["skus"][0];
    assert_eq!(served["settlement_status"], "TO_SETTLE");
    assert!(served.get("actual_paid_commission").is_none());
    assert_eq!(served["price"], json!({"amount": "abc"}));
    assert!(served.get("creator_username").is_none());
}

#[tokio::test]
async fn a_generated_shop_pages_every_line_once_in_order() {
    let shop = FakeShop::generated(1_000, 40, at(T0), at(T0 + 10 * 86_400), 7);
    let (fake, token) = authorized(shop).await;
    let (ge, lt) = (T0 + 86_400, T0 + 5 * 86_400);
    let (mut seen, mut orders, mut page_token) = (Vec::new(), 0, String::new());
    let mut last_key = (0, String::new(), String::new());
    loop {
        let page = orders_page(&fake, &token, ge, lt, 100, &page_token).await;
        assert_eq!(page.code(), Some(0), "{}", page.text);
        for order in page.data()["orders"].as_array().unwrap() {
            let (id, t) = (
                order["id"].as_str().unwrap(),
                order["create_time"].as_i64().unwrap(),
            );
            assert!((ge..lt).contains(&t));
            if seen.is_empty() || last_key.1 != id {
                orders += 1;
            }
            for sku in order["skus"].as_array().unwrap() {
                let key = (t, id.to_owned(), sku["sku_id"].as_str().unwrap().to_owned());
                assert!(key > last_key, "{key:?} after {last_key:?}");
                last_key = key.clone();
                seen.push(key);
            }
        }
        page_token = page.data()["next_page_token"].as_str().unwrap().to_owned();
        if page_token.is_empty() {
            assert_eq!(page.data()["total_count"], orders);
            break;
        }
    }
    // 1,000 lines over 10 days: the 4 days hold about 400.
    assert!((390..=410).contains(&seen.len()), "{}", seen.len());

    // A million lines cost nothing until asked for.
    let big = FakeShop::generated(1_000_000, 5_000, at(T0), at(T0 + 90 * 86_400), 1);
    let (big, token) = authorized(big).await;
    let page = orders_page(&big, &token, T0 + 45 * 86_400, T0 + 46 * 86_400, 100, "").await;
    let lines: usize = page.data()["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["skus"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines, 100);
    let total = page.data()["total_count"].as_u64().unwrap();
    assert!((5_500..=5_600).contains(&total), "{total}");
}
