//! Injected faults and the rate limit.

use std::time::Duration;

use super::harness::*;
use crate::tiktok_fake::{FakeShop, Fault};

#[tokio::test]
async fn the_rate_limit_answers_429_past_n_requests_a_second() {
    let (fake, token) = authorized(FakeShop::new()).await;
    fake.set_rate_limit(Some(3));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, token) = (fake.url(), token.clone());
        let query = crate::tiktok_fake::signed_query(SHOPS, &[], "");
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .get(format!("{url}{SHOPS}?{query}"))
                .header("x-tts-access-token", token)
                .send()
                .await
                .expect("answered")
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("a status"));
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429, 429, 429]);
    let limited: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.status == 429)
        .collect();
    assert!(limited.iter().all(|c| c.code == Some(36009002)));

    fake.set_rate_limit(None);
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &token).await.code(),
        Some(0)
    );
}

#[tokio::test]
async fn faults_hit_the_next_requests_under_a_prefix_in_order() {
    let (fake, token) = authorized(FakeShop::new()).await;
    fake.fail_next("/authorization", 2, Fault::Server(503));
    fake.fail_next("/authorization", 1, Fault::RateLimited);
    fake.fail_next("/authorization", 1, Fault::ExpiredToken);
    fake.fail_next("/authorization", 1, Fault::Malformed);
    fake.fail_next("/product", 1, Fault::Server(500));

    let mut seen = Vec::new();
    for _ in 0..6 {
        let reply = api(&fake, "GET", SHOPS, &[], None, &token).await;
        seen.push((reply.status, reply.code(), reply.json.is_null()));
    }
    assert_eq!(
        seen,
        [
            (503, None, true),
            (503, None, true),
            (429, Some(36009002), false),
            (200, Some(105002), false),
            (200, None, true),
            (200, Some(0), false),
        ]
    );
    let codes: Vec<_> = fake
        .calls_to(SHOPS)
        .iter()
        .map(|c| (c.status, c.code))
        .collect();
    assert_eq!(codes[4], (200, None));
    assert_eq!(codes[5], (200, Some(0)));
    assert_eq!(fake.request_count(), 6);
}

#[tokio::test]
async fn a_hang_outlasts_a_client_timeout() {
    let (fake, token) = authorized(FakeShop::new()).await;
    fake.fail_next(SHOPS, 1, Fault::Hang(Duration::from_secs(3)));
    let query = crate::tiktok_fake::signed_query(SHOPS, &[], "");
    let result = reqwest::Client::new()
        .get(format!("{}{SHOPS}?{query}", fake.url()))
        .header("x-tts-access-token", &token)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(result.expect_err("timed out").is_timeout());
    assert_eq!(fake.calls_to(SHOPS)[0].status, 0);
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &token).await.code(),
        Some(0)
    );
}
