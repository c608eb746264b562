//! The shop list, products, sample applications and their fulfillments.

use serde_json::{Value, json};

use super::World;
use super::api::{ApiError, Incoming};
use super::model::{SAMPLE_STATUSES, SHOP_CIPHER, SHOP_CODE, SHOP_ID, SHOP_NAME};
use super::orders::page_size;
use super::signing::{page_token, read_page_token};

pub const MAX_SAMPLE_PAGE_SIZE: usize = 50;
/// `GET /product/202309/products/{id}` for an unknown id.
pub const PRODUCT_NOT_FOUND: i64 = 12052048;

fn bytes(data: Value) -> Vec<u8> {
    serde_json::to_vec(&data).expect("JSON")
}

/// `GET /authorization/202309/shops`.
pub fn shops() -> Vec<u8> {
    bytes(json!({
        "shops": [{
            "id": SHOP_ID,
            "name": SHOP_NAME,
            "region": "US",
            "seller_type": "LOCAL",
            "cipher": SHOP_CIPHER,
            "code": SHOP_CODE,
        }]
    }))
}

/// `GET /product/202309/products/{id}`.
pub fn product(world: &World, id: &str) -> Result<Vec<u8>, ApiError> {
    let product = world
        .products
        .get(id)
        .ok_or_else(|| ApiError::new(PRODUCT_NOT_FOUND, "product not found"))?;
    Ok(bytes(json!({
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "is_cod_allowed": false,
        "skus": [],
    })))
}

/// `POST /affiliate_seller/202508/sample_applications/search`, in the order the samples were
/// added; `status` filters.
pub fn samples(world: &World, request: &Incoming<'_>, body: &Value) -> Result<Vec<u8>, ApiError> {
    let size = page_size(request.param("page_size"), MAX_SAMPLE_PAGE_SIZE)?;
    let status = match body.get("status") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) if SAMPLE_STATUSES.contains(&s.as_str()) => s.as_str(),
        Some(_) => return Err(ApiError::params("invalid status")),
    };
    let matching: Vec<_> = world
        .samples
        .iter()
        .filter(|s| status.is_empty() || s.status == status)
        .collect();
    let start = match request.param("page_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => {
            let invalid = || ApiError::params("invalid page_token");
            let fields = read_page_token(token).ok_or_else(invalid)?;
            match fields.as_slice() {
                [kind, token_status, offset] if kind == "s" && token_status == status => {
                    offset.parse::<usize>().map_err(|_| invalid())?
                }
                _ => return Err(invalid()),
            }
        }
    };
    let start = start.min(matching.len());
    let stop = (start + size).min(matching.len());
    let next = if stop < matching.len() {
        page_token(&["s", status, &stop.to_string()])
    } else {
        String::new()
    };
    let page: Vec<Value> = matching[start..stop]
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "status": s.status,
                "creator": {"creator_open_id": s.creator_open_id, "username": s.creator_username},
                "product": {"id": s.product_id, "title": s.title, "sku_id": s.sku_id},
                "commission_rate": s.commission_rate,
            })
        })
        .collect();
    Ok(bytes(json!({
        "sample_applications": page,
        "next_page_token": next,
        "total_count": matching.len(),
    })))
}

/// `POST /affiliate_seller/202409/sample_applications/{id}/fulfillments/search`: the videos
/// for `content_format: VIDEO`, nothing for `LIVE`.
pub fn fulfillments(world: &World, id: &str, body: &Value) -> Result<Vec<u8>, ApiError> {
    let sample = world
        .samples
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::params("sample application not found"))?;
    let videos = match body.get("content_format").and_then(Value::as_str) {
        Some("VIDEO") => sample.videos.as_slice(),
        Some("LIVE") => &[],
        _ => return Err(ApiError::params("content_format must be VIDEO or LIVE")),
    };
    let fulfillments: Vec<Value> = videos
        .iter()
        .map(|v| {
            json!({"content": {
                "id": v.id,
                "description": v.description,
                "view_count": v.view_count,
                "like_count": v.like_count,
                "comment_count": v.comment_count,
                "create_time": v.create_time.timestamp(),
            }})
        })
        .collect();
    Ok(bytes(json!({ "fulfillments": fulfillments })))
}
