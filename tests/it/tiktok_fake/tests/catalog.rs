//! Products, sample applications and their fulfillments.

use serde_json::json;

use super::harness::*;
use crate::tiktok_fake::{DEFAULT_PRODUCT_ID, FakeProduct, FakeSample, FakeShop, FakeVideo};

const SAMPLES: &str = "/affiliate_seller/202508/sample_applications/search";

fn shop() -> FakeShop {
    let video = FakeVideo::new("7300000000000000001", at(1_750_000_000), 12_000);
    FakeShop::new()
        .product(FakeProduct::new(DEFAULT_PRODUCT_ID, "Glow serum"))
        .sample(
            FakeSample::new("S1", "maya", "Glow serum")
                .status("COMPLETED")
                .video(video),
        )
        .sample(FakeSample::new("S2", "leo", "Glow serum"))
        .sample(FakeSample::new("S3", "ana", "Glow serum").status("SHIPPED"))
}

#[tokio::test]
async fn products_are_found_by_id_and_counted() {
    let (fake, token) = authorized(shop()).await;
    let path = format!("/product/202309/products/{DEFAULT_PRODUCT_ID}");
    let reply = api(&fake, "GET", &path, &[], None, &token).await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    assert_eq!(reply.data()["title"], "Glow serum");
    assert_eq!(reply.data()["status"], "ACTIVATE");
    let unknown = api(
        &fake,
        "GET",
        "/product/202309/products/17",
        &[],
        None,
        &token,
    )
    .await;
    assert_eq!(unknown.code(), Some(12052048));
    assert_eq!(fake.product_calls(DEFAULT_PRODUCT_ID), 1);
    assert_eq!(fake.product_calls("17"), 1);
    assert_eq!(fake.product_calls("1"), 0);
}

#[tokio::test]
async fn samples_page_and_filter_by_status() {
    let (fake, token) = authorized(shop()).await;
    let first = api(
        &fake,
        "POST",
        SAMPLES,
        &[("page_size", "2")],
        Some("{}"),
        &token,
    )
    .await;
    assert_eq!(first.code(), Some(0), "{}", first.text);
    assert_eq!(first.data()["total_count"], 3);
    assert_eq!(
        first.data()["sample_applications"][0],
        json!({
            "id": "S1",
            "status": "COMPLETED",
            "creator": {"creator_open_id": "open-maya", "username": "maya"},
            "product": {"id": DEFAULT_PRODUCT_ID, "title": "Glow serum", "sku_id": "1731000000000000001"},
            "commission_rate": "0.15",
        })
    );
    let next = first.data()["next_page_token"].as_str().unwrap().to_owned();
    let params = [("page_size", "2"), ("page_token", next.as_str())];
    let second = api(&fake, "POST", SAMPLES, &params, Some("{}"), &token).await;
    let ids: Vec<_> = second.data()["sample_applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["S3"]);
    assert_eq!(second.data()["next_page_token"], "");

    assert!(fake.set_sample_status("S2", "SHIPPED"));
    let body = r#"{"status":"SHIPPED"}"#;
    let shipped = api(
        &fake,
        "POST",
        SAMPLES,
        &[("page_size", "50")],
        Some(body),
        &token,
    )
    .await;
    assert_eq!(shipped.data()["total_count"], 2);
    let bad = api(
        &fake,
        "POST",
        SAMPLES,
        &[("page_size", "51")],
        Some("{}"),
        &token,
    )
    .await;
    assert_eq!(bad.code(), Some(36009003));
}

#[tokio::test]
async fn fulfillments_list_the_videos_that_completed_a_sample() {
    let (fake, token) = authorized(shop()).await;
    let path = "/affiliate_seller/202409/sample_applications/S1/fulfillments/search";
    let body = r#"{"content_format":"VIDEO"}"#;
    let reply = api(&fake, "POST", path, &[], Some(body), &token).await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    assert_eq!(
        reply.data()["fulfillments"],
        json!([{"content": {
            "id": "7300000000000000001",
            "description": "video 7300000000000000001",
            "view_count": 12_000,
            "like_count": 1_200,
            "comment_count": 120,
            "create_time": 1_750_000_000,
        }}])
    );
    let unknown = "/affiliate_seller/202409/sample_applications/S9/fulfillments/search";
    let reply = api(&fake, "POST", unknown, &[], Some(body), &token).await;
    assert_eq!(reply.code(), Some(36009003));
}
