//! Raw requests to the fake: signed API calls (with a token the fake granted) and token calls.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::tiktok_fake::{
    ACCESS_TOKEN_HEADER, APP_KEY, APP_SECRET, FakeShop, FakeTikTok, SHOP_CIPHER, encode_query,
    signed_query,
};

pub const ORDERS: &str = "/affiliate_seller/202410/orders/search";
pub const SHOPS: &str = "/authorization/202309/shops";

/// An answer: HTTP status and the body (JSON when it parses, else `Null`).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: Value,
    pub text: String,
}

impl Reply {
    pub fn code(&self) -> Option<i64> {
        self.json["code"].as_i64()
    }

    pub fn data(&self) -> &Value {
        &self.json["data"]
    }
}

/// A fake serving `shop`, already authorized, and its access token.
pub async fn authorized(shop: FakeShop) -> (FakeTikTok, String) {
    let fake = FakeTikTok::start(shop).await;
    let token = fake.grant().access_token;
    (fake, token)
}

pub fn at(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).expect("a valid time")
}

/// Sends `method path?query` with `body` (JSON content type when there is one).
pub async fn send(
    fake: &FakeTikTok,
    method: &str,
    path_and_query: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Reply {
    let url = format!("{}{path_and_query}", fake.url());
    let client = reqwest::Client::new();
    let mut request = match method {
        "GET" => client.get(url),
        _ => client.post(url),
    };
    if let Some(token) = token {
        request = request.header(ACCESS_TOKEN_HEADER, token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, json, text }
}

/// A correctly signed API call; `params` without `app_key`/`timestamp`/`sign` (shop-scoped
/// paths get `shop_cipher` added).
pub async fn api(
    fake: &FakeTikTok,
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    body: Option<&str>,
    token: &str,
) -> Reply {
    let mut params = params.to_vec();
    if !path.starts_with("/authorization/") {
        params.push(("shop_cipher", SHOP_CIPHER));
    }
    let query = signed_query(path, &params, body.unwrap_or(""));
    send(fake, method, &format!("{path}?{query}"), body, Some(token)).await
}

/// One page of the orders search.
pub async fn orders_page(
    fake: &FakeTikTok,
    token: &str,
    ge: i64,
    lt: i64,
    page_size: usize,
    page_token: &str,
) -> Reply {
    let size = page_size.to_string();
    let mut params = vec![("page_size", size.as_str())];
    if !page_token.is_empty() {
        params.push(("page_token", page_token));
    }
    let body = format!(r#"{{"create_time_ge":{ge},"create_time_lt":{lt}}}"#);
    api(fake, "POST", ORDERS, &params, Some(&body), token).await
}

/// `token/get` (`kind` "get", grant type `authorized_code`, `credential` the code) or
/// `token/refresh` (grant type `refresh_token`, `credential` the refresh token).
pub async fn token_call(fake: &FakeTikTok, kind: &str, credential: &str, secret: &str) -> Reply {
    let (field, grant) = match kind {
        "get" => ("auth_code", "authorized_code"),
        _ => ("refresh_token", "refresh_token"),
    };
    let query = encode_query(&[
        ("app_key", APP_KEY),
        ("app_secret", secret),
        (field, credential),
        ("grant_type", grant),
    ]);
    send(
        fake,
        "GET",
        &format!("/api/v2/token/{kind}?{query}"),
        None,
        None,
    )
    .await
}

/// [`token_call`] with the right secret.
pub async fn token(fake: &FakeTikTok, kind: &str, credential: &str) -> Reply {
    token_call(fake, kind, credential, APP_SECRET).await
}
