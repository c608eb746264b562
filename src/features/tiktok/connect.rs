//! Connecting a program to its TikTok shop: the authorization page's URL (with a one-time
//! `state`), then the code it hands back — through the `run` server's `/tiktok/callback` or
//! `creator-bot tiktok connect --code` — exchanged for tokens, the shop and its cipher found, and
//! everything stored with the tokens sealed. Without the sealing key nothing is exchanged.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

use super::Credentials;
use super::session::{access_purpose, refresh_purpose};
use crate::app::App;
use crate::db::programs::{self, Program};
use crate::db::tiktok as db;
use crate::tiktok::auth::{self, Shop};

/// How long an authorization link stays good.
pub const STATE_LIFETIME: Duration = Duration::hours(1);

/// The `state` of a callback is not one this bot handed out in the last hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this authorization link is unknown, already used or more than an hour old; run \
     `creator-bot tiktok connect` for a new one"
)]
pub struct UnknownState;

/// A shop just connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    pub program: String,
    pub shop: Shop,
    pub seller_name: Option<String>,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
}

/// The URL a seller opens to authorize the app for `program`'s shop.
pub async fn authorize_url(app: &App, creds: &Credentials, program: &Program) -> Result<String> {
    creds.key()?;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let state = hex::encode(bytes);
    db::save_state(&app.pool, &state, program.id, app.now()).await?;
    Ok(auth::authorize_url(
        &app.config.tiktok,
        &creds.app_key,
        &state,
    ))
}

/// `GET /tiktok/callback?code&state`: the state must be one this bot handed out in the last hour.
pub async fn callback(
    app: &App,
    creds: &Credentials,
    code: &str,
    state: &str,
) -> Result<Connected> {
    let Some(program_id) = db::take_state(&app.pool, state, app.now() - STATE_LIFETIME).await?
    else {
        return Err(crate::domain::for_user(UnknownState));
    };
    let program = programs::by_id(&app.pool, program_id)
        .await?
        .context("the program of this authorization no longer exists")?;
    exchange(app, creds, &program, code).await
}

/// Exchanges `code` for tokens and stores the shop they unlock.
pub async fn exchange(
    app: &App,
    creds: &Credentials,
    program: &Program,
    code: &str,
) -> Result<Connected> {
    let key = creds.key()?;
    let api = creds.api(&app.config.tiktok, program.id)?;
    let tokens = auth::exchange_code(&api, code.trim())
        .await
        .context("exchanging the authorization code for tokens")?;
    let shops = auth::shops(&api, &tokens.access_token)
        .await
        .context("finding the authorized shop")?;
    let Some(shop) = shops.into_iter().next() else {
        bail!("the authorization covers no shop: authorize the app from the shop's seller account");
    };
    let access_enc = key.seal(&access_purpose(program.id), &tokens.access_token);
    let refresh_enc = key.seal(&refresh_purpose(program.id), &tokens.refresh_token);
    db::save_shop(
        &app.pool,
        &db::NewShop {
            program_id: program.id,
            shop_id: &shop.id,
            shop_name: &shop.name,
            shop_cipher: &shop.cipher,
            region: shop.region.as_deref(),
            seller_name: tokens.seller_name.as_deref(),
            access_token_enc: &access_enc,
            access_expires_at: tokens.access_expires_at,
            refresh_token_enc: &refresh_enc,
            refresh_expires_at: tokens.refresh_expires_at,
            at: app.now(),
        },
    )
    .await?;
    tracing::info!(
        program = program.slug,
        shop = shop.name,
        "TikTok shop connected"
    );
    Ok(Connected {
        program: program.slug.clone(),
        shop,
        seller_name: tokens.seller_name,
        access_expires_at: tokens.access_expires_at,
        refresh_expires_at: tokens.refresh_expires_at,
    })
}
