//! The Discord adapter end to end: the real serenity and poise code of `creator-bot run` against
//! the fake Discord on 127.0.0.1. This module is the harness (a program on the fake's server, the
//! client started as `run` starts it); each submodule tests one capability.
#![allow(dead_code)]

mod charts;
mod commands;
mod failures;
mod life;
mod members;
mod service;
mod start;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::Platforms;
use creator_bot::chat::commands::Reply;
use creator_bot::chat::discord::{Discord, setup};
use creator_bot::config::discord::DiscordConfig;
use creator_bot::config::{Config, DispatchConfig, ProgramConfig};
use creator_bot::db::programs::{self, Program};
use creator_bot::jobs::ManualClock;
use creator_bot::jobs::dispatch::Dispatcher;
use sqlx::PgPool;

use crate::common::lifecycle::templates;
use crate::discord_fake::{APPLICATION_ID, FakeDiscord, FakeGuild, FakeMember};

pub const PATIENCE: Duration = Duration::from_secs(30);
/// Noon in New York on 1 December 2026: `30d` is 2 November to 1 December.
pub const NOW: &str = "2026-12-01T17:00:00Z";
pub const GUILD: u64 = 1_000;
pub const AVA: u64 = 3_001;
pub const LENA: u64 = 3_002;
pub const STRANGER: u64 = 3_003;

pub fn config(fake: &FakeDiscord) -> Config {
    let config = Config {
        default_program: "glow".into(),
        programs: vec![ProgramConfig {
            slug: "glow".into(),
            name: "Glow Creators".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: Some(GUILD.to_string()),
            slack_team_id: None,
        }],
        discord: DiscordConfig {
            application_id: Some(APPLICATION_ID.to_string()),
            api_url: Some(fake.api_url()),
            api_http2: false,
            welcome_new_members: false,
        },
        ..Config::default()
    };
    config.validate().unwrap();
    config
}

pub struct Bot {
    pub app: App,
    pub discord: Arc<Discord>,
    pub program: Program,
    pub clock: Arc<ManualClock>,
}

/// `creator-bot run`'s Discord part on the test's database: the program synced from config (its
/// server connected), the client started and connected to the fake.
pub async fn start(pool: &PgPool, fake: &FakeDiscord, now: DateTime<Utc>) -> Bot {
    start_with(pool, fake, now, config(fake)).await
}

/// [`start`] with a config of the test's own (from [`config`], changed).
pub async fn start_with(
    pool: &PgPool,
    fake: &FakeDiscord,
    now: DateTime<Utc>,
    config: Config,
) -> Bot {
    let program = programs::sync(pool, &config.programs())
        .await
        .unwrap()
        .remove(0);
    let discord = Discord::new(&config, "fake-bot-token").await.unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let app = App::new(pool.clone(), config, templates(), clock.clone())
        .with_platforms(Platforms::default().with(discord.clone()));
    discord.start(app.clone()).await.unwrap();
    assert!(fake.wait_connected(PATIENCE).await, "the bot connected");
    Bot {
        app,
        discord,
        program,
        clock,
    }
}

impl Bot {
    /// Sends everything due now, with no pacing of our own.
    pub async fn dispatch(&self) {
        let config = DispatchConfig {
            global_per_second: 0,
            discord_per_second: 0,
            ..DispatchConfig::default()
        };
        Dispatcher::with_config(&self.app, &config)
            .drain("test")
            .await
            .unwrap();
    }

    /// Links a member of the fake server to a creator, as `/link` or the roster does.
    pub async fn link(&self, user: u64, creator_id: i64) {
        sqlx::query(
            "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id,
                                          linked_at)
             VALUES ($1, 'discord', $2, $3, $4, now())",
        )
        .bind(self.program.id)
        .bind(GUILD.to_string())
        .bind(user.to_string())
        .bind(creator_id)
        .execute(&self.app.pool)
        .await
        .unwrap();
    }

    /// Waits until every shard's READY went through the framework's setup.
    pub async fn wait_ready(&self) {
        use creator_bot::chat::ChatPlatform;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !self.discord.is_ready() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(self.discord.is_ready());
    }

    /// `creator-bot discord setup` for the program's server on the fake.
    pub async fn setup(&self) -> Reply {
        let http = Discord::http(&self.app.config, "fake-bot-token").unwrap();
        setup::setup(
            &http,
            &self.app.pool,
            &self.program,
            poise::serenity_prelude::GuildId::new(GUILD),
            APPLICATION_ID,
        )
        .await
        .unwrap()
    }
}

pub fn guild() -> FakeGuild {
    FakeGuild::new(GUILD, "Glow Creators")
        .member(FakeMember::new(AVA, "ava"))
        .member(FakeMember::new(LENA, "lena").nick("Lena"))
        .member(FakeMember::new(STRANGER, "sam"))
}
