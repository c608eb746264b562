//! Connecting a shop and keeping its tokens: sealed at rest, refreshed before they expire and
//! once after TikTok says the access token expired, a rotated refresh token kept, and a revoked
//! authorization stopping the sync with one staff alert until the shop is connected again.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use creator_bot::chat::Platform;
use creator_bot::chat::commands::{Caller, Request, respond};
use creator_bot::db::chat as chat_db;
use creator_bot::features::tiktok::orders::{self, Outcome};
use creator_bot::features::tiktok::{Credentials, SyncKind, connect};
use creator_bot::secret_key::{SecretKey, SecretKeyError};
use creator_bot::service::http::{Endpoints, router};
use sqlx::PgPool;

use super::ORDERS_PATH as ORDERS_PATH_PREFIX;
use super::orders::{shop, sync};
use super::{Harness, KEY};
use crate::tiktok_fake::{APP_KEY, APP_SECRET, FakeShop, Fault, SHOP_CIPHER, SHOP_ID, SHOP_NAME};

#[derive(sqlx::FromRow)]
struct Stored {
    shop_id: String,
    shop_name: String,
    shop_cipher: String,
    access_token_enc: Vec<u8>,
    refresh_token_enc: Vec<u8>,
    access_expires_at: chrono::DateTime<chrono::Utc>,
    refresh_expires_at: chrono::DateTime<chrono::Utc>,
}

async fn stored(pool: &PgPool) -> Stored {
    sqlx::query_as(
        "SELECT shop_id, shop_name, shop_cipher, access_token_enc, refresh_token_enc,
                access_expires_at, refresh_expires_at FROM tiktok_shops",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The stored access token, opened with the test key.
fn opened_access(s: &Stored, program_id: i64) -> String {
    SecretKey::parse(KEY)
        .unwrap()
        .open(
            &format!("tiktok access token, program {program_id}"),
            &s.access_token_enc,
        )
        .unwrap()
}

async fn alerts(pool: &PgPool, template: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT payload->>'text' FROM outbox WHERE template = $1 AND channel = 'staff' ORDER BY id",
    )
    .bind(template)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_code_is_exchanged_and_the_tokens_are_stored_sealed(pool: PgPool) {
    let h = Harness::start(&pool, FakeShop::new()).await;
    let connected = h.connect().await;
    assert_eq!(connected.shop.id, SHOP_ID);
    assert_eq!(connected.shop.name, SHOP_NAME);
    let tokens = h.fake.tokens().unwrap();
    let s = stored(&pool).await;
    assert_eq!(
        (
            s.shop_id.as_str(),
            s.shop_name.as_str(),
            s.shop_cipher.as_str()
        ),
        (SHOP_ID, SHOP_NAME, SHOP_CIPHER)
    );
    assert_eq!(
        s.access_expires_at.timestamp(),
        tokens.access_token_expire_in
    );
    assert_eq!(
        s.refresh_expires_at.timestamp(),
        tokens.refresh_token_expire_in
    );
    // Not readable in the table…
    assert!(!contains(&s.access_token_enc, &tokens.access_token));
    assert!(!contains(&s.refresh_token_enc, &tokens.refresh_token));
    let dump: String = sqlx::query_scalar("SELECT row_to_json(s)::text FROM tiktok_shops s")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!dump.contains(&tokens.access_token) && !dump.contains(&tokens.refresh_token));
    // …but the key opens them.
    assert_eq!(opened_access(&s, h.program.id), tokens.access_token);
}

#[sqlx::test]
async fn without_the_sealing_key_no_code_is_spent(pool: PgPool) {
    let h = Harness::start(&pool, FakeShop::new()).await;
    let keyless = Credentials::new(
        APP_KEY.into(),
        Some(APP_SECRET.into()),
        Err(SecretKeyError::Missing),
    );
    let code = h.fake.issue_code();
    let e = connect::exchange(&h.t.app, &keyless, &h.program, &code)
        .await
        .unwrap_err();
    let text = creator_bot::domain::user_error::describe(&e);
    assert!(
        text.starts_with("CREATOR_BOT_SECRET_KEY is not set: the bot will not store the shop's tokens unencrypted"),
        "{text}"
    );
    assert_eq!(h.fake.token_calls().get, 0);
    let shops: i64 = sqlx::query_scalar("SELECT count(*) FROM tiktok_shops")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(shops, 0);
    // The code is still good once the key is set.
    connect::exchange(&h.t.app, h.creds(), &h.program, &code)
        .await
        .unwrap();
}

#[sqlx::test]
async fn the_callback_checks_the_state_before_using_the_code(pool: PgPool) {
    let h = Harness::start(&pool, FakeShop::new()).await;
    let url = connect::authorize_url(&h.t.app, h.creds(), &h.program)
        .await
        .unwrap();
    let prefix = format!("{}/open/authorize?service_id=7001&state=", h.fake.url());
    assert!(url.starts_with(&prefix), "{url}");
    let state = url[prefix.len()..].to_string();
    assert_eq!(state.len(), 48);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let endpoints = Endpoints {
        app: h.t.app.clone(),
        stopping: Arc::new(AtomicBool::new(false)),
        slack: None,
    };
    tokio::spawn(async move { axum::serve(listener, router(endpoints)).await });
    let get = |query: String| async move {
        let r = reqwest::get(format!("http://{addr}/tiktok/callback?{query}"))
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    let code = h.fake.issue_code();
    let (status, body) = get(format!("code={code}&state=forged")).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("this authorization link is unknown, already used or more than an hour old"),
        "{body}"
    );
    assert_eq!(h.fake.token_calls().get, 0, "a forged state spends no code");

    let (status, body) = get(format!("code={code}&state={state}")).await;
    assert_eq!(
        (status, body.as_str()),
        (
            200,
            "Connected: the shop Glow Fake Shop is now synced with the program glow. You can close this page.\n"
        )
    );
    assert_eq!(stored(&pool).await.shop_id, SHOP_ID);
    // A state works once.
    let (status, _) = get(format!("code={}&state={state}", h.fake.issue_code())).await;
    assert_eq!(status, 400);
    let (status, _) = get("state=x".into()).await;
    assert_eq!(status, 400);
}

#[sqlx::test]
async fn the_access_token_is_refreshed_before_it_expires(pool: PgPool) {
    let h = Harness::connected(
        &pool,
        shop().access_ttl(std::time::Duration::from_secs(30 * 60)),
    )
    .await;
    let before = h.fake.current_access_token().unwrap();
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!((run.status.as_str(), run.inserted), ("done", 6));
    assert_eq!(h.fake.token_calls().refresh, 1);
    let now = h.fake.current_access_token().unwrap();
    assert_ne!(before, now);
    let s = stored(&pool).await;
    assert_eq!(opened_access(&s, h.program.id), now);
    assert_eq!(
        s.access_expires_at.timestamp(),
        h.fake.tokens().unwrap().access_token_expire_in
    );
    // Every orders call carried the new token.
    assert!(
        h.fake
            .calls_to(ORDERS_PATH_PREFIX)
            .iter()
            .all(|c| c.token.as_deref() == Some(now.as_str()))
    );
}

#[sqlx::test]
async fn an_expired_access_token_is_refreshed_once_and_the_call_made_again(pool: PgPool) {
    let h = Harness::connected(&pool, shop()).await;
    h.fake.fail_next(ORDERS_PATH_PREFIX, 1, Fault::ExpiredToken);
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!(
        (run.status.as_str(), run.inserted, run.rejected),
        ("done", 6, 0)
    );
    assert_eq!(h.fake.token_calls().refresh, 1);
    let codes: Vec<Option<i64>> = h
        .fake
        .calls_to(ORDERS_PATH_PREFIX)
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes, vec![Some(105002), Some(0)]);
}

#[sqlx::test]
async fn a_rotated_refresh_token_is_the_one_used_next(pool: PgPool) {
    let h = Harness::connected(
        &pool,
        shop().access_ttl(std::time::Duration::from_secs(30 * 60)),
    )
    .await;
    h.fake.set_rotate_refresh(true);
    let first = h.fake.current_refresh_token().unwrap();
    sync(&h, SyncKind::Orders).await;
    let rotated = h.fake.current_refresh_token().unwrap();
    assert_ne!(first, rotated);
    // The second refresh must use the rotated token: the first one is unknown now.
    let run = sync(&h, SyncKind::Settlements).await;
    assert_eq!(run.status, "done", "{:?}", run.error);
    assert_eq!(h.fake.token_calls().refresh, 2);
    assert_ne!(h.fake.current_refresh_token().unwrap(), rotated);
}

#[sqlx::test]
async fn a_revoked_authorization_stops_the_sync_and_tells_staff_once(pool: PgPool) {
    let h = Harness::connected(&pool, shop()).await;
    h.fake.revoke();
    h.fake.expire_access_token();
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!(run.status, "failed");
    assert!(
        run.error
            .as_deref()
            .unwrap()
            .contains("the TikTok Shop sync is stopped"),
        "{:?}",
        run.error
    );
    let told = alerts(&pool, "tiktok_disconnected_alert").await;
    assert_eq!(told.len(), 1);
    assert!(
        told[0].starts_with(
            "The TikTok Shop sync of Glow Fake Shop has stopped: TikTok Shop no longer accepts \
             the shop's authorization (code 105001: invalid access token). Orders and sample \
             applications no longer reach the bot."
        ),
        "{}",
        told[0]
    );
    assert!(
        told[0].contains("run `creator-bot tiktok connect --program glow`"),
        "{}",
        told[0]
    );

    // Later runs do nothing and say why; staff are not told again.
    for kind in [SyncKind::Orders, SyncKind::Settlements] {
        h.now();
        let outcome = orders::sync(&h.t.app, h.creds(), &h.program, kind, None, None)
            .await
            .unwrap();
        match outcome {
            Outcome::Stopped(reason) => assert!(reason.contains("code 105001"), "{reason}"),
            other => panic!("expected the sync stopped, got {}", other.summary()),
        }
    }
    assert_eq!(alerts(&pool, "tiktok_disconnected_alert").await.len(), 1);
    // A stop is not a failure to count toward the failing alert.
    assert!(alerts(&pool, "tiktok_sync_failing_alert").await.is_empty());

    // Connecting again resumes the sync.
    h.connect().await;
    let run = sync(&h, SyncKind::Orders).await;
    assert_eq!((run.status.as_str(), run.inserted), ("done", 6));
}

#[sqlx::test]
async fn staff_see_the_syncs_with_slash_sync(pool: PgPool) {
    let h = Harness::connected(&pool, shop()).await;
    sync(&h, SyncKind::Orders).await;
    chat_db::add_workspace(&pool, h.program.id, "discord", "g1")
        .await
        .unwrap();
    let maya = chat_db::add_staff(&pool, h.program.id, "Maya")
        .await
        .unwrap();
    chat_db::link_staff(&pool, h.program.id, "discord", "g1", "u-maya", maya)
        .await
        .unwrap();
    let staff = Caller::new(Platform::Discord, "g1", "u-maya");
    let reply = respond(&h.t.app, &staff, &Request::new("sync", "")).await;
    let text = reply.text();
    assert!(
        text.starts_with("TikTok Shop sync: Glow Fake Shop\n"),
        "{text}"
    );
    let header: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "started",
            "sync",
            "result",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "samples"
        ]
    );
    let row = text.lines().nth(2).unwrap();
    let cells: Vec<&str> = row.split_whitespace().rev().take(7).collect();
    // read from the right: samples, rejected, unchanged, updated, inserted, result, sync
    assert_eq!(
        cells,
        vec!["–", "0", "0", "0", "6", "ok", "orders"],
        "{row}"
    );
    assert!(text.contains("Next: orders "), "{text}");
    // Creators may not.
    let stranger = Caller::new(Platform::Discord, "g1", "u-other");
    let refused = respond(&h.t.app, &stranger, &Request::new("sync", "")).await;
    assert!(
        !refused.text().contains("Glow Fake Shop"),
        "{}",
        refused.text()
    );
}
