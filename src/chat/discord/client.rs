//! The connection: serenity's HTTP client (straight to Discord with its own rate limiter, or
//! through `discord.api_url`'s proxy, which then owns the rate limits), the gateway shards, the
//! poise framework, and whether every shard is connected (`/readyz`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context as _, Result};
use async_trait::async_trait;
use poise::serenity_prelude as serenity;
use serenity::{ApplicationId, GatewayIntents, GuildId, Http, HttpBuilder, ShardManager};
use tokio::task::JoinHandle;

use crate::app::App;
use crate::chat::platforms::ChatPlatform;
use crate::chat::sender::{Delivered, Outgoing, Platform, SendError};
use crate::config::Config;
use crate::config::discord::TOKEN_ENV;

pub type Error = anyhow::Error;

/// What poise hands every command and event handler.
pub struct Bot {
    pub(super) app: App,
    pub(super) state: Arc<State>,
}

/// What the connection and the handlers share.
pub(super) struct State {
    /// Set when the client starts; the framework's setup reads it.
    pub(super) app: OnceLock<App>,
    /// Whether each shard is connected now.
    pub(super) shards: Mutex<HashMap<u32, bool>>,
    /// Slash commands being answered now.
    pub(super) in_flight: std::sync::atomic::AtomicUsize,
}

impl State {
    pub(super) fn shard_connected(&self, shard: u32, connected: bool) {
        let mut shards = self.shards.lock().unwrap_or_else(|e| e.into_inner());
        shards.insert(shard, connected);
    }
}

/// The gateway intents the bot asks for: guilds (its roles and channels) and, only when new
/// members are welcomed, the privileged server members intent. Slash commands need none.
pub fn intents(config: &Config) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILDS;
    if config.discord.welcome_new_members {
        intents |= GatewayIntents::GUILD_MEMBERS;
    }
    intents
}

/// The bot connected to Discord: the platform the dispatcher sends through.
pub struct Discord {
    pub(super) rest: super::send::Rest,
    state: Arc<State>,
    client: tokio::sync::Mutex<Option<serenity::Client>>,
    manager: Arc<ShardManager>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Discord {
    /// The token from `DISCORD_TOKEN`, when Discord is to be connected.
    pub fn token_from_env() -> Option<String> {
        std::env::var(TOKEN_ENV)
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// serenity's HTTP client as configured: through the proxy of `discord.api_url` with
    /// serenity's limiter off (the proxy owns the limits, and serenity ignores a proxy while its
    /// limiter is on), in HTTP/2 without TLS when `discord.api_http2` says the proxy speaks it;
    /// else straight to Discord with the limiter on (HTTP/2 when TLS negotiates it).
    pub fn http(config: &Config, token: &str) -> Result<Http> {
        let application_id = config.discord.application_id().context(
            "discord.application_id is not set: copy it from the Developer Portal \
             (your application → General Information → Application ID)",
        )?;
        let mut builder =
            HttpBuilder::new(token).application_id(ApplicationId::new(application_id));
        if let Some(url) = &config.discord.api_url {
            builder = builder
                .proxy(url.trim_end_matches('/'))
                .ratelimiter_disabled(true);
            if config.discord.api_http2 {
                // serenity's own client, but HTTP/2 from the first byte (h2c).
                let client = super::send::proxy_client(true, None)
                    .context("preparing the HTTP/2 client for discord.api_url")?;
                builder = builder.client(client);
            }
        }
        Ok(builder.build())
    }

    /// Prepares the client (nothing is connected until [`Discord::start`]).
    pub async fn new(config: &Config, token: &str) -> Result<Arc<Discord>> {
        let http = Discord::http(config, token)?;
        let state = Arc::new(State {
            app: OnceLock::new(),
            shards: Mutex::new(HashMap::new()),
            in_flight: Default::default(),
        });
        let setup_state = state.clone();
        let framework = poise::Framework::builder()
            .options(poise::FrameworkOptions {
                commands: super::interactions::commands(),
                event_handler: |fw, event| Box::pin(super::events::handle(fw, event)),
                on_error: |error| Box::pin(super::interactions::on_error(error)),
                // The owners are not used; this saves a request at start.
                initialize_owners: false,
                ..Default::default()
            })
            .setup(move |ctx, _ready, _framework| {
                let state = setup_state.clone();
                let http = ctx.http.clone();
                Box::pin(async move {
                    let app = state
                        .app
                        .get()
                        .cloned()
                        .context("the Discord client started before the app was set")?;
                    register_commands(&app, &http).await;
                    Ok(Bot { app, state })
                })
            })
            .build();
        let client = serenity::ClientBuilder::new_with_http(http, intents(config))
            .framework(framework)
            .await
            .context("preparing the Discord client")?;
        Ok(Arc::new(Discord {
            rest: super::send::Rest::new(client.http.clone(), config.discord.api_http2)
                .context("preparing the HTTP client for discord.api_url")?,
            manager: client.shard_manager.clone(),
            state,
            client: tokio::sync::Mutex::new(Some(client)),
            task: Mutex::new(None),
        }))
    }

    /// Connects the gateway (as many shards as Discord recommends) in the background; `app` is
    /// what commands and events run against.
    pub async fn start(&self, app: App) -> Result<()> {
        let _ = self.state.app.set(app);
        let mut client = self
            .client
            .lock()
            .await
            .take()
            .context("the Discord client was already started")?;
        let state = self.state.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = client.start_autosharded().await {
                tracing::error!("the Discord connection stopped: {e}");
            }
            state
                .shards
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        });
        *self.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
        Ok(())
    }
}

/// Replaces each program's guild commands with the registry's (a bulk overwrite, so commands
/// that were removed disappear). A guild that refuses is logged with what to do; the others
/// still get theirs.
async fn register_commands(app: &App, http: &Http) {
    let commands = crate::chat::commands::export::discord_commands();
    for program in app.config.programs() {
        let Some(guild) = program.discord_guild_id.as_deref() else {
            continue;
        };
        let Ok(id) = guild.parse::<u64>() else {
            continue;
        };
        match http
            .create_guild_commands(GuildId::new(id), &commands)
            .await
        {
            Ok(registered) => tracing::info!(
                program = program.slug,
                guild,
                commands = registered.len(),
                "slash commands registered"
            ),
            Err(e) => tracing::error!(
                program = program.slug,
                guild,
                "registering the slash commands failed: {}; is the bot in that server with the \
                 applications.commands scope? `creator-bot discord setup` prints the invite link",
                super::errors::describe(&e)
            ),
        }
    }
}

#[async_trait]
impl ChatPlatform for Discord {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    /// Every shard that has been ready is connected now. serenity's own view of its runners is
    /// the authority (a shard being restarted after an outage has no runner, and sends no stage
    /// event); the events are the fallback while the manager is busy.
    fn is_ready(&self) -> bool {
        let shards = self.state.shards.lock().unwrap_or_else(|e| e.into_inner());
        if shards.is_empty() || !shards.values().all(|connected| *connected) {
            return false;
        }
        match self.manager.runners.try_lock() {
            Ok(runners) => shards.keys().all(|id| {
                runners
                    .get(&serenity::ShardId(*id))
                    .is_some_and(|r| r.stage == serenity::ConnectionStage::Connected)
            }),
            Err(_) => true,
        }
    }

    async fn open_dm(&self, user_id: &str) -> Result<String, SendError> {
        super::send::open_dm(&self.rest, user_id).await
    }

    async fn send(&self, message: &Outgoing) -> Result<Delivered, SendError> {
        super::send::send(&self.rest, message).await
    }

    async fn setup(
        &self,
        pool: &sqlx::PgPool,
        config: &Config,
        program: &crate::db::programs::Program,
        workspace_id: &str,
    ) -> Result<crate::chat::commands::Reply> {
        let guild = workspace_id
            .parse::<u64>()
            .ok()
            .filter(|g| *g > 0)
            .with_context(|| format!("{workspace_id:?} is not a Discord server id"))?;
        let application_id = config
            .discord
            .application_id()
            .context("discord.application_id is not set")?;
        super::setup::setup(
            &self.rest.http,
            pool,
            program,
            GuildId::new(guild),
            application_id,
        )
        .await
    }

    async fn disconnect(&self) {
        self.manager.shutdown_all().await;
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task
            && tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
        {
            tracing::warn!("the Discord connection did not close within 5 s");
        }
    }
}
