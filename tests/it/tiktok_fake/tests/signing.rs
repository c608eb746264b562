//! The API host's checks, in order: app key, timestamp, signature, access token, shop cipher,
//! content type.

use super::harness::*;
use crate::tiktok_fake::{
    APP_KEY, FakeShop, SHOP_CIPHER, SHOP_ID, encode_query, sign, signed_query, signed_query_at,
};

#[test]
fn the_signature_is_the_documented_hmac() {
    // Computed apart from the fake (Python's hmac): path, sorted params without `sign` and
    // `access_token`, body; wrapped in the secret; HMAC-SHA256 keyed with the secret.
    let query = [
        ("timestamp", "1700000000"),
        ("app_key", APP_KEY),
        ("shop_cipher", SHOP_CIPHER),
        ("page_size", "10"),
        ("page_token", "a+b/c="),
        ("access_token", "x"),
        ("sign", "ignored"),
    ];
    assert_eq!(
        sign(ORDERS, &query, r#"{"create_time_ge":1,"create_time_lt":2}"#),
        "0319aadb9b3debd9a2ae4768083ac2f86cc41a87812ad0be4e7c9180b8aa8b5c"
    );
}

#[tokio::test]
async fn a_correctly_signed_request_is_answered() {
    let (fake, token) = authorized(FakeShop::new()).await;
    let reply = api(&fake, "GET", SHOPS, &[], None, &token).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    assert_eq!(reply.json["message"], "Success");
    let shops = reply.data()["shops"].as_array().expect("shops");
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0]["id"], SHOP_ID);
    assert_eq!(shops[0]["cipher"], SHOP_CIPHER);
    assert_eq!(shops[0]["region"], "US");
    let second = api(&fake, "GET", SHOPS, &[], None, &token).await;
    assert_ne!(second.json["request_id"], reply.json["request_id"]);
    let call = &fake.calls_to(SHOPS)[0];
    assert_eq!(call.token.as_deref(), Some(token.as_str()));
    assert_eq!(call.param("app_key"), Some(APP_KEY));
    assert_eq!(call.code, Some(0));
}

#[tokio::test]
async fn each_check_refuses_with_its_code() {
    let (fake, token) = authorized(FakeShop::new()).await;
    let body = r#"{"create_time_ge":1700000000,"create_time_lt":1700086400}"#;
    let params = [("page_size", "10"), ("shop_cipher", SHOP_CIPHER)];

    // A wrong sign.
    let good = signed_query(ORDERS, &params, body);
    let tampered = good.replace("page_size=10", "page_size=11");
    let reply = send(
        &fake,
        "POST",
        &format!("{ORDERS}?{tampered}"),
        Some(body),
        Some(&token),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (200, Some(106001)));
    assert!(reply.json.get("data").is_none());
    // The body is signed too.
    let other = body.replace("1700086400", "1700086401");
    let reply = send(
        &fake,
        "POST",
        &format!("{ORDERS}?{good}"),
        Some(&other),
        Some(&token),
    )
    .await;
    assert_eq!(reply.code(), Some(106001));

    // A stale or future timestamp, though signed.
    let now = chrono::Utc::now().timestamp();
    for timestamp in [now - 301, now + 31] {
        let query = signed_query_at(ORDERS, &params, body, timestamp);
        let reply = send(
            &fake,
            "POST",
            &format!("{ORDERS}?{query}"),
            Some(body),
            Some(&token),
        )
        .await;
        assert_eq!(reply.code(), Some(36009004));
    }
    let query = signed_query_at(ORDERS, &params, body, now - 290);
    let reply = send(
        &fake,
        "POST",
        &format!("{ORDERS}?{query}"),
        Some(body),
        Some(&token),
    )
    .await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);

    // Another app's key.
    let query = encode_query(&[("app_key", "other"), ("timestamp", &now.to_string())]);
    let reply = send(
        &fake,
        "GET",
        &format!("{SHOPS}?{query}"),
        None,
        Some(&token),
    )
    .await;
    assert_eq!(reply.code(), Some(106002));

    // Tokens: none, unknown.
    let query = signed_query(SHOPS, &[], "");
    let reply = send(&fake, "GET", &format!("{SHOPS}?{query}"), None, None).await;
    assert_eq!(reply.code(), Some(105001));
    let reply = send(
        &fake,
        "GET",
        &format!("{SHOPS}?{query}"),
        None,
        Some("ROW_nope"),
    )
    .await;
    assert_eq!(reply.code(), Some(105001));

    // The shop cipher, on a shop-scoped path.
    let wrong = [("page_size", "10"), ("shop_cipher", "ROW_other")];
    let query = signed_query(ORDERS, &wrong, body);
    let reply = send(
        &fake,
        "POST",
        &format!("{ORDERS}?{query}"),
        Some(body),
        Some(&token),
    )
    .await;
    assert_eq!(reply.code(), Some(106011));

    // A POST body without the JSON content type.
    let query = signed_query(ORDERS, &params, body);
    let response = reqwest::Client::new()
        .post(format!("{}{ORDERS}?{query}", fake.url()))
        .header("x-tts-access-token", &token)
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .expect("answered");
    let json: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(json["code"], 36009003);

    // An unknown path.
    let reply = api(&fake, "GET", "/order/202309/orders", &[], None, &token).await;
    assert_eq!((reply.status, reply.code()), (404, Some(404)));
}

#[tokio::test]
async fn a_fake_on_its_own_thread_answers_and_stops_when_dropped() {
    let fake = crate::tiktok_fake::FakeTikTok::start_on_own_thread(FakeShop::new());
    let token = fake.grant().access_token;
    let reply = api(&fake, "GET", SHOPS, &[], None, &token).await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    let url = fake.url();
    drop(fake);
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::get(format!("{url}{SHOPS}")).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refused, "still serving after the drop");
}
