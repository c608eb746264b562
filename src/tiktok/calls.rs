//! The Open API calls the sync makes, each answering the parts of the response it needs. Order
//! and application objects are handed on as JSON objects: their fields are checked one by one
//! ([`crate::domain::tiktok_lines`]), so one malformed field rejects one line, not the page.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{Api, ApiError, Caller};

pub const ORDERS_PATH: &str = "/affiliate_seller/202410/orders/search";
pub const SAMPLES_PATH: &str = "/affiliate_seller/202508/sample_applications/search";
/// Sample applications per page (the API's most).
pub const SAMPLES_PAGE_SIZE: u32 = 50;

/// One page of a search.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Map<String, Value>>,
    /// `None` on the last page.
    pub next_page_token: Option<String>,
}

fn page(mut data: Value, list: &str) -> Result<Page, ApiError> {
    let items = match data.get_mut(list).map(Value::take) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Ok(m),
                other => Err(ApiError::Malformed(format!(
                    "an entry of {list} is not an object: {other}"
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(ApiError::Malformed(format!(
                "{list} is not a list: {other}"
            )));
        }
    };
    let next_page_token = data
        .get("next_page_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    Ok(Page {
        items,
        next_page_token,
    })
}

/// Affiliate orders created in `[from, to)` (at most 3 months), one page of SKU lines.
pub async fn orders_page(
    api: &Api,
    caller: Caller<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    page_size: u32,
    page_token: Option<&str>,
) -> Result<Page, ApiError> {
    let size = page_size.to_string();
    let mut query = vec![("page_size", size.as_str())];
    if let Some(t) = page_token {
        query.push(("page_token", t));
    }
    let body = json!({"create_time_ge": from.timestamp(), "create_time_lt": to.timestamp()});
    let data = api
        .call(Method::POST, ORDERS_PATH, &query, Some(&body), caller)
        .await?;
    page(data, "orders")
}

/// A product's title (`GET /product/202309/products/{id}`).
pub async fn product_title(
    api: &Api,
    caller: Caller<'_>,
    product_id: &str,
) -> Result<Option<String>, ApiError> {
    let path = format!(
        "/product/202309/products/{}",
        percent_encoding::utf8_percent_encode(product_id, percent_encoding::NON_ALPHANUMERIC)
    );
    let data = api.call(Method::GET, &path, &[], None, caller).await?;
    Ok(data
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string))
}

/// One page of the shop's sample applications.
pub async fn sample_applications_page(
    api: &Api,
    caller: Caller<'_>,
    page_token: Option<&str>,
) -> Result<Page, ApiError> {
    let size = SAMPLES_PAGE_SIZE.to_string();
    let mut query = vec![("page_size", size.as_str())];
    if let Some(t) = page_token {
        query.push(("page_token", t));
    }
    let data = api
        .call(Method::POST, SAMPLES_PATH, &query, Some(&json!({})), caller)
        .await?;
    page(data, "sample_applications")
}

/// A video that fulfilled a sample application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentVideo {
    pub content_id: String,
    pub posted_at: Option<DateTime<Utc>>,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
}

/// The videos that completed a sample application.
pub async fn fulfillment_videos(
    api: &Api,
    caller: Caller<'_>,
    application_id: &str,
) -> Result<Vec<FulfillmentVideo>, ApiError> {
    let path = format!(
        "/affiliate_seller/202409/sample_applications/{}/fulfillments/search",
        percent_encoding::utf8_percent_encode(application_id, percent_encoding::NON_ALPHANUMERIC)
    );
    let body = json!({"content_format": "VIDEO"});
    let data = api
        .call(Method::POST, &path, &[], Some(&body), caller)
        .await?;
    let page = page(data, "fulfillments")?;
    let count = |c: &Map<String, Value>, k: &str| {
        c.get(k)
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(0)
            .max(0)
    };
    Ok(page
        .items
        .iter()
        .filter_map(|f| {
            let c = f.get("content")?.as_object()?;
            let id = c.get("id").and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })?;
            Some(FulfillmentVideo {
                content_id: id,
                posted_at: c
                    .get("create_time")
                    .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
                    .and_then(|s| DateTime::from_timestamp(s, 0)),
                views: count(c, "view_count"),
                likes: count(c, "like_count"),
                comments: count(c, "comment_count"),
            })
        })
        .collect())
}
