//! The authorization host: codes, refreshes, rotation, expiry and revocation.

use std::time::Duration;

use super::harness::*;
use crate::tiktok_fake::{AUTH_CODES, FakeShop, FakeTikTok, OPEN_ID, TokenCalls};

#[tokio::test]
async fn a_code_buys_tokens_once_and_bad_credentials_are_refused() {
    let fake = FakeTikTok::start(FakeShop::new().access_ttl(Duration::from_secs(3600))).await;
    let reply = token_call(&fake, "get", AUTH_CODES[0], "wrong-secret").await;
    assert_eq!(reply.code(), Some(36004003));
    assert_eq!(token(&fake, "get", "made-up").await.code(), Some(36004004));

    let before = chrono::Utc::now().timestamp();
    let reply = token(&fake, "get", AUTH_CODES[0]).await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    let data = reply.data();
    let access = data["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    assert_eq!(Some(access.clone()), fake.current_access_token());
    assert_eq!(
        data["refresh_token"].as_str(),
        fake.current_refresh_token().as_deref()
    );
    let expiry = data["access_token_expire_in"]
        .as_i64()
        .expect("absolute expiry");
    assert!(
        (before + 3600..=before + 3602).contains(&expiry),
        "{expiry}"
    );
    let refresh_expiry = data["refresh_token_expire_in"].as_i64().expect("expiry");
    assert!(refresh_expiry >= before + 365 * 86_400);
    assert_eq!(data["open_id"], OPEN_ID);
    assert_eq!(data["user_type"], 0);

    // Used once; issued codes work too.
    assert_eq!(
        token(&fake, "get", AUTH_CODES[0]).await.code(),
        Some(36004004)
    );
    let code = fake.issue_code();
    assert_eq!(token(&fake, "get", &code).await.code(), Some(0));
    assert_eq!(fake.token_calls(), TokenCalls { get: 5, refresh: 0 });
}

#[tokio::test]
async fn a_refresh_replaces_the_access_token_and_rotates_only_when_asked() {
    let (fake, old_access) = authorized(FakeShop::new()).await;
    let tokens = fake.tokens().expect("granted");
    fake.expire_access_token();
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &old_access)
            .await
            .code(),
        Some(105002)
    );

    let reply = token(&fake, "refresh", &tokens.refresh_token).await;
    assert_eq!(reply.code(), Some(0), "{}", reply.text);
    let access = reply.data()["access_token"]
        .as_str()
        .expect("new")
        .to_owned();
    assert_ne!(access, old_access);
    assert_eq!(
        reply.data()["refresh_token"].as_str(),
        Some(tokens.refresh_token.as_str())
    );
    assert_eq!(
        reply.data()["refresh_token_expire_in"],
        tokens.refresh_token_expire_in
    );
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &access).await.code(),
        Some(0)
    );
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &old_access)
            .await
            .code(),
        Some(105001)
    );

    fake.set_rotate_refresh(true);
    let reply = token(&fake, "refresh", &tokens.refresh_token).await;
    let rotated = reply.data()["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(rotated, tokens.refresh_token);
    assert_eq!(fake.current_refresh_token(), Some(rotated.clone()));
    assert_eq!(
        token(&fake, "refresh", &tokens.refresh_token).await.code(),
        Some(36004005)
    );
    assert_eq!(token(&fake, "refresh", &rotated).await.code(), Some(0));

    fake.expire_refresh_token();
    let current = fake.current_refresh_token().expect("current");
    assert_eq!(
        token(&fake, "refresh", &current).await.code(),
        Some(36004001)
    );
    assert_eq!(fake.token_calls().refresh, 5);
}

#[tokio::test]
async fn a_revoked_authorization_refuses_calls_and_refreshes_until_a_new_code() {
    let (fake, access) = authorized(FakeShop::new()).await;
    let refresh = fake.current_refresh_token().expect("granted");
    fake.revoke();
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &access).await.code(),
        Some(105001)
    );
    assert_eq!(
        token(&fake, "refresh", &refresh).await.code(),
        Some(36004005)
    );

    let reply = token(&fake, "get", &fake.issue_code()).await;
    let access = reply.data()["access_token"]
        .as_str()
        .expect("new")
        .to_owned();
    assert_eq!(
        api(&fake, "GET", SHOPS, &[], None, &access).await.code(),
        Some(0)
    );
}
