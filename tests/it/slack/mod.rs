//! The Slack adapter end to end: the real slack-morphism code of `creator-bot run` against the
//! fake Slack on 127.0.0.1, in Socket Mode and in `http` mode (the service's own HTTP server
//! receiving signed requests). This module is the harness (a program on the fake's workspace, the
//! adapter started as `run` starts it); each submodule tests one capability.
#![allow(dead_code)]

mod both;
mod charts;
mod commands;
mod failures;
mod http_mode;
mod life;
mod service;
mod setup;
mod smoke;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::slack::{Slack, Tokens};
use creator_bot::chat::{ChatPlatform, Platforms};
use creator_bot::config::slack::{SlackConfig, SlackMode};
use creator_bot::config::{Config, DispatchConfig, ProgramConfig};
use creator_bot::db::programs::{self, Program};
use creator_bot::jobs::ManualClock;
use creator_bot::jobs::dispatch::Dispatcher;
use creator_bot::service::http::{Endpoints, router};
use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::common::lifecycle::templates;
use crate::slack_fake::{
    APP_TOKEN, BOT_TOKEN, FakeChannel, FakeSlack, FakeUser, FakeWorkspace, TEAM_ID,
};

pub const PATIENCE: Duration = Duration::from_secs(30);
/// The signing secret of `http` mode.
pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// A creator-to-be (linked by the tests that need it).
pub const MAYA: &str = "U0MAYA";
/// Staff: a member of #staff once setup ran, or listed in `slack.staff_user_ids`.
pub const LENA: &str = "U0LENA";
/// Nobody to the program.
pub const SAM: &str = "U0SAM";

/// The program `glow` on the fake's workspace, in `mode`, with one Socket Mode connection.
pub fn config(fake: &FakeSlack, mode: SlackMode) -> Config {
    let config = Config {
        default_program: "glow".into(),
        programs: vec![ProgramConfig {
            slug: "glow".into(),
            name: "Glow Creators".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: None,
            slack_team_id: Some(TEAM_ID.to_string()),
        }],
        slack: SlackConfig {
            mode,
            api_url: fake.api_url(),
            socket_connections: 1,
            ..SlackConfig::default()
        },
        ..Config::default()
    };
    config.validate().unwrap();
    config
}

/// The secrets `mode` needs, as the fake accepts them.
pub fn tokens(mode: SlackMode) -> Tokens {
    Tokens {
        bot: BOT_TOKEN.to_string(),
        app: (mode == SlackMode::Socket).then(|| APP_TOKEN.to_string()),
        signing_secret: (mode == SlackMode::Http).then(|| SECRET.to_string()),
    }
}

/// The fake's workspace: maya, lena and sam, and a #general the bot is in.
pub fn workspace() -> FakeWorkspace {
    FakeWorkspace::new()
        .user(FakeUser::new(MAYA, "maya").real_name("Maya Lopez"))
        .user(FakeUser::new(LENA, "lena").real_name("Lena Park"))
        .user(FakeUser::new(SAM, "sam"))
        .channel(
            FakeChannel::public("C0GENERAL", "general")
                .with_bot()
                .members([MAYA, LENA, SAM]),
        )
}

pub struct Bot {
    pub app: App,
    pub slack: Arc<Slack>,
    pub program: Program,
    pub clock: Arc<ManualClock>,
    /// `http` mode: where the service's HTTP server (with the Slack endpoints) listens.
    pub http: Option<SocketAddr>,
    server: Option<JoinHandle<()>>,
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

/// `creator-bot run`'s Slack part on the test's database in `mode`: the program synced from
/// config (its workspace connected), the adapter started; in Socket Mode connected to the fake,
/// in `http` mode the service's endpoints served on 127.0.0.1.
pub async fn start(pool: &PgPool, fake: &FakeSlack, now: DateTime<Utc>, mode: SlackMode) -> Bot {
    start_with(pool, fake, now, config(fake, mode), tokens(mode)).await
}

/// [`start`] with a config and tokens of the test's own.
pub async fn start_with(
    pool: &PgPool,
    fake: &FakeSlack,
    now: DateTime<Utc>,
    config: Config,
    tokens: Tokens,
) -> Bot {
    let mode = config.slack.mode;
    let program = programs::sync(pool, &config.programs())
        .await
        .unwrap()
        .remove(0);
    let slack = Slack::new(&config, tokens).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let app = App::new(pool.clone(), config, templates(), clock.clone())
        .with_platforms(Platforms::default().with(slack.clone()));
    slack.start(app.clone()).await.unwrap();
    let (http, server) = if mode == SlackMode::Http {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let endpoints = Endpoints {
            app: app.clone(),
            stopping: Arc::new(AtomicBool::new(false)),
            slack: Some(slack.clone()),
        };
        let server = tokio::spawn(async move {
            axum::serve(listener, router(endpoints)).await.unwrap();
        });
        (Some(address), Some(server))
    } else {
        assert!(
            fake.wait_connected(1, PATIENCE).await,
            "the bot opened a Socket Mode connection"
        );
        (None, None)
    };
    let bot = Bot {
        app,
        slack,
        program,
        clock,
        http,
        server,
    };
    bot.wait_ready().await;
    bot
}

impl Bot {
    /// Sends everything due now, with no pacing of the dispatcher's own.
    pub async fn dispatch(&self) {
        let config = DispatchConfig {
            global_per_second: 0,
            slack_per_second: 0,
            ..DispatchConfig::default()
        };
        Dispatcher::with_config(&self.app, &config)
            .drain("test")
            .await
            .unwrap();
    }

    /// Links a member of the fake workspace to a creator, as `/link` or the roster does.
    pub async fn link(&self, user: &str, creator_id: i64) {
        sqlx::query(
            "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id,
                                          linked_at)
             VALUES ($1, 'slack', $2, $3, $4, now())",
        )
        .bind(self.program.id)
        .bind(TEAM_ID)
        .bind(user)
        .bind(creator_id)
        .execute(&self.app.pool)
        .await
        .unwrap();
    }

    /// Waits until the adapter says it is ready (a Socket Mode connection open, or the token
    /// accepted in `http` mode).
    pub async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !self.slack.is_ready() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(self.slack.is_ready(), "the Slack adapter is ready");
    }

    /// `http` mode: the URL of `path` on the service (`/slack/commands`, …).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http.expect("http mode"))
    }
}
