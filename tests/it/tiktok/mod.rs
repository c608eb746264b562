//! The TikTok Shop sync end to end: the bot's real HTTP client (signing, pacing, retries, token
//! refresh) against the fake TikTok Shop on 127.0.0.1 (tests/it/tiktok_fake), which checks every
//! signature with its own copy of the secret. This module is the harness (a program connected to
//! the fake's shop); each submodule tests one capability.
#![allow(dead_code)]

mod connect;
mod orders;
mod resilience;
mod samples;
mod service;

use chrono::{DateTime, Duration, Utc};
use creator_bot::config::tiktok::TikTokConfig;
use creator_bot::config::{Config, ProgramConfig};
use creator_bot::db::programs::{self, Program};
use creator_bot::features::tiktok::Credentials;
use creator_bot::features::tiktok::connect as connecting;
use creator_bot::secret_key::SecretKey;
use sqlx::PgPool;

use crate::common::app::TestApp;
use crate::tiktok_fake::{APP_KEY, APP_SECRET, FakeShop, FakeTikTok};

/// The orders search, as TikTok Shop documents it.
pub const ORDERS_PATH: &str = "/affiliate_seller/202410/orders/search";

/// The sealing key of the tests (hex).
pub const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

pub struct Harness {
    pub fake: FakeTikTok,
    pub t: TestApp,
    pub program: Program,
}

pub fn config(fake_url: &str) -> Config {
    Config {
        default_program: "glow".into(),
        programs: vec![ProgramConfig {
            slug: "glow".into(),
            name: "Glow Creators".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: None,
            slack_team_id: None,
        }],
        tiktok: TikTokConfig {
            app_key: Some(APP_KEY.into()),
            service_id: Some("7001".into()),
            api_url: fake_url.into(),
            auth_url: fake_url.into(),
            authorize_url: format!("{fake_url}/open/authorize"),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub fn credentials() -> Credentials {
    Credentials::new(
        APP_KEY.into(),
        Some(APP_SECRET.into()),
        SecretKey::parse(KEY),
    )
}

impl Harness {
    /// The fake serving `shop`, and an app whose program `glow` is not connected yet. The app's
    /// clock is the real time (the fake checks request timestamps against it).
    pub async fn start(pool: &PgPool, shop: FakeShop) -> Harness {
        Harness::start_with(pool, shop, |_| {}).await
    }

    pub async fn start_with(
        pool: &PgPool,
        shop: FakeShop,
        tweak: impl FnOnce(&mut Config),
    ) -> Harness {
        let fake = FakeTikTok::start(shop).await;
        let mut config = config(&fake.url());
        tweak(&mut config);
        programs::sync(pool, &config.programs()).await.unwrap();
        let mut t = TestApp::with_config(pool, config, Utc::now());
        t.app = t.app.clone().with_tiktok(credentials());
        let program = t.app.program(Some("glow")).await.unwrap();
        Harness { fake, t, program }
    }

    /// Connected as a seller would: a fresh code exchanged.
    pub async fn connected(pool: &PgPool, shop: FakeShop) -> Harness {
        let h = Harness::start(pool, shop).await;
        h.connect().await;
        h
    }

    pub async fn connect(&self) -> connecting::Connected {
        let code = self.fake.issue_code();
        connecting::exchange(&self.t.app, self.creds(), &self.program, &code)
            .await
            .expect("connecting with a fresh code")
    }

    /// The app's TikTok credentials (one pace per shop, as in `run`).
    pub fn creds(&self) -> &Credentials {
        self.t.app.tiktok().unwrap()
    }

    pub fn pool(&self) -> &PgPool {
        self.t.pool()
    }

    /// Moves the app's clock to the real time (the sync windows end at the app's now).
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        self.t.clock.set(now);
        now
    }
}

/// `days` days and `hours` hours before now.
pub fn ago(days: i64, hours: i64) -> DateTime<Utc> {
    Utc::now() - Duration::days(days) - Duration::hours(hours)
}
