//! The connection: the Web API client with the bot token, Socket Mode's websockets (or, in
//! `http` mode, the signed endpoints of [`super::http`]), whether Slack is reachable now
//! (`/readyz`), and the [`ChatPlatform`] the dispatcher sends through.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use async_trait::async_trait;
use slack_morphism::SlackApiToken;
use slack_morphism::SlackClientSocketModeConfig;
use slack_morphism::SlackSigningSecret;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use slack_morphism::socket_mode::clients_manager::SlackSocketModeClientsManager;
use tokio::task::JoinHandle;

use super::api::{Api, token};
use super::send::Pacer;
use super::staff::StaffCache;
use crate::app::App;
use crate::chat::commands::Reply;
use crate::chat::platforms::ChatPlatform;
use crate::chat::sender::{Delivered, Outgoing, Platform, SendError};
use crate::config::Config;
use crate::config::slack::{APP_TOKEN_ENV, BOT_TOKEN_ENV, SIGNING_SECRET_ENV, SlackMode};
use crate::db::programs::Program;

/// The secrets Slack needs, read from the environment by [`Tokens::from_env`] or built directly.
/// Socket Mode needs `bot` and `app`; the Events API needs `bot` and `signing_secret`.
#[derive(Clone, Default)]
pub struct Tokens {
    /// The bot token (`xoxb-…`).
    pub bot: String,
    /// The app-level token with `connections:write` (`xapp-…`).
    pub app: Option<String>,
    /// The signing secret of the Events API.
    pub signing_secret: Option<String>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: bool| if v { "set" } else { "unset" };
        f.debug_struct("Tokens")
            .field("bot", &set(!self.bot.is_empty()))
            .field("app", &set(self.app.is_some()))
            .field("signing_secret", &set(self.signing_secret.is_some()))
            .finish()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl Tokens {
    /// The tokens `mode` needs, when any Slack variable is set (`None`: Slack is not wanted).
    /// A variable the mode needs that is missing, or a token of the wrong kind, is an error
    /// naming the variable (never showing its value).
    pub fn from_env(mode: SlackMode) -> Result<Option<Tokens>> {
        let bot = env(BOT_TOKEN_ENV);
        let app = env(APP_TOKEN_ENV);
        let signing_secret = env(SIGNING_SECRET_ENV);
        if bot.is_none() && app.is_none() && signing_secret.is_none() {
            return Ok(None);
        }
        let tokens = Tokens {
            bot: bot.unwrap_or_default(),
            app,
            signing_secret,
        };
        tokens.check(mode)?;
        Ok(Some(tokens))
    }

    /// Only the bot token (`creator-bot slack setup`).
    pub fn bot_from_env() -> Result<Tokens> {
        let tokens = Tokens {
            bot: env(BOT_TOKEN_ENV).unwrap_or_default(),
            ..Default::default()
        };
        tokens.check_bot()?;
        Ok(tokens)
    }

    fn check_bot(&self) -> Result<()> {
        if self.bot.is_empty() {
            bail!(
                "{BOT_TOKEN_ENV} is not set: put the app's Bot User OAuth Token (xoxb-…, from \
                 OAuth & Permissions) in it"
            );
        }
        if !self.bot.starts_with("xoxb-") {
            bail!("{BOT_TOKEN_ENV} is not a bot token: it must start with xoxb-");
        }
        Ok(())
    }

    /// Whether the tokens fit `mode`.
    pub fn check(&self, mode: SlackMode) -> Result<()> {
        self.check_bot()?;
        match mode {
            SlackMode::Socket => match &self.app {
                None => bail!(
                    "{APP_TOKEN_ENV} is not set: Socket Mode (slack.mode = \"socket\") needs an \
                     app-level token (xapp-…) with the connections:write scope, from Basic \
                     Information → App-Level Tokens"
                ),
                Some(app) if !app.starts_with("xapp-") => {
                    bail!("{APP_TOKEN_ENV} is not an app-level token: it must start with xapp-")
                }
                Some(_) => Ok(()),
            },
            SlackMode::Http => match &self.signing_secret {
                None => bail!(
                    "{SIGNING_SECRET_ENV} is not set: the Events API (slack.mode = \"http\") \
                     needs the app's Signing Secret, from Basic Information → App Credentials"
                ),
                Some(_) => Ok(()),
            },
        }
    }
}

/// The bot connected to Slack: the platform the dispatcher sends through, and the receiver of
/// slash commands and events.
pub struct Slack {
    pub(super) mode: SlackMode,
    pub(super) api: Api,
    app_token: Option<SlackApiToken>,
    pub(super) verifier: Option<SlackEventSignatureVerifier>,
    socket_connections: u32,
    /// Set when the adapter starts; commands and events run against it.
    pub(super) app: OnceLock<App>,
    /// The bot's own user id (from `auth.test`), so it ignores its own joins and messages.
    pub(super) bot_user: OnceLock<String>,
    /// Socket Mode: the connections open now (those that said hello and have not dropped).
    connections: Mutex<HashSet<String>>,
    /// Events API: `auth.test` succeeded.
    authed: AtomicBool,
    manager: Mutex<Option<Arc<dyn SlackSocketModeClientsManager + Send + Sync>>>,
    pub(super) pacer: Pacer,
    pub(super) staff: StaffCache,
    auth_task: Mutex<Option<JoinHandle<()>>>,
}

impl Slack {
    /// Prepares the client (nothing is connected until [`Slack::start`]). `config.slack.api_url`
    /// is where the Web API is (and, through `apps.connections.open`, the Socket Mode URL).
    pub fn new(config: &Config, tokens: Tokens) -> Result<Arc<Slack>> {
        let mode = config.slack.mode;
        tokens.check(mode)?;
        let api = Api::new(config.slack.api_base(), &tokens.bot)?;
        Ok(Arc::new(Slack {
            mode,
            api,
            app_token: tokens.app.as_deref().map(token),
            verifier: tokens
                .signing_secret
                .map(|s| SlackEventSignatureVerifier::new(&SlackSigningSecret::new(s))),
            socket_connections: config.slack.socket_connections,
            app: OnceLock::new(),
            bot_user: OnceLock::new(),
            connections: Mutex::new(HashSet::new()),
            authed: AtomicBool::new(false),
            manager: Mutex::new(None),
            pacer: Pacer::new(Duration::from_secs(1), Duration::from_secs(1)),
            staff: StaffCache::new(Duration::from_secs(60)),
            auth_task: Mutex::new(None),
        }))
    }

    pub fn mode(&self) -> SlackMode {
        self.mode
    }

    /// Starts receiving: checks the token (`auth.test`, retried in the background until Slack
    /// answers) and, in Socket Mode, opens `slack.socket_connections` websockets, which are
    /// reopened whenever they drop. In `http` mode Slack's requests arrive through
    /// [`Slack::router`], which the service mounts on `run.listen`.
    pub async fn start(self: &Arc<Self>, app: App) -> Result<()> {
        if self.app.set(app).is_err() {
            bail!("the Slack adapter was already started");
        }
        let this = Arc::clone(self);
        let task = tokio::spawn(async move { this.authenticate().await });
        *self.auth_task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
        if self.mode == SlackMode::Socket {
            let app_token = self
                .app_token
                .clone()
                .context("Socket Mode needs the app-level token")?;
            let manager = self.api.socket_manager();
            let listener = Arc::new(super::socket::Listener::new(self, &manager));
            let config = SlackClientSocketModeConfig::new()
                .with_max_connections_count(self.socket_connections);
            manager
                .register_new_token(&config, app_token, listener)
                .await
                .map_err(|e| anyhow::anyhow!("preparing Socket Mode: {e}"))?;
            manager.start().await;
            *self.manager.lock().unwrap_or_else(|e| e.into_inner()) = Some(manager);
        }
        Ok(())
    }

    /// `auth.test` until it succeeds: the bot's own user id, and readiness in `http` mode.
    async fn authenticate(&self) {
        let mut wait = Duration::from_secs(1);
        loop {
            match self.api.get("auth.test", &[]).await {
                Ok(me) => {
                    if let Some(user) = me["user_id"].as_str() {
                        let _ = self.bot_user.set(user.to_string());
                    }
                    self.authed.store(true, Ordering::Relaxed);
                    tracing::info!(
                        team = me["team_id"].as_str().unwrap_or_default(),
                        bot = me["user"].as_str().unwrap_or_default(),
                        mode = self.mode.as_str(),
                        "connected to Slack"
                    );
                    return;
                }
                Err(e) => {
                    tracing::error!("checking the Slack bot token failed: {e}; trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(60));
                }
            }
        }
    }

    /// A Socket Mode connection said hello (`open`) or dropped.
    pub(super) fn connection(&self, id: &str, open: bool) {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        if open {
            connections.insert(id.to_string());
        } else {
            connections.remove(id);
        }
        tracing::info!(
            connection = id,
            open = connections.len(),
            "Slack Socket Mode connection {}",
            if open { "opened" } else { "closed" }
        );
    }

    /// The running app, once started.
    pub(super) fn app(&self) -> Option<&App> {
        self.app.get()
    }
}

#[async_trait]
impl ChatPlatform for Slack {
    fn platform(&self) -> Platform {
        Platform::Slack
    }

    /// Socket Mode: at least one websocket is open (it said hello and has not dropped since).
    /// Events API: the bot token was accepted (Slack reaches us, not we it).
    fn is_ready(&self) -> bool {
        match self.mode {
            SlackMode::Socket => !self
                .connections
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_empty(),
            SlackMode::Http => self.authed.load(Ordering::Relaxed),
        }
    }

    async fn open_dm(&self, user_id: &str) -> Result<String, SendError> {
        super::send::open_dm(&self.api, user_id).await
    }

    async fn send(&self, message: &Outgoing) -> Result<Delivered, SendError> {
        super::send::send(&self.api, &self.pacer, message).await
    }

    async fn setup(
        &self,
        pool: &sqlx::PgPool,
        _config: &Config,
        program: &Program,
        workspace_id: &str,
    ) -> Result<Reply> {
        super::setup::setup(&self.api, pool, program, workspace_id).await
    }

    async fn disconnect(&self) {
        let manager = self
            .manager
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(manager) = manager {
            manager.shutdown().await;
        }
        self.connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let task = self
            .auth_task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_names_the_variable_it_misses() {
        let tokens = Tokens {
            bot: "xoxb-1".into(),
            ..Default::default()
        };
        let e = tokens.check(SlackMode::Socket).unwrap_err().to_string();
        assert!(e.starts_with("SLACK_APP_TOKEN is not set"), "{e}");
        let e = tokens.check(SlackMode::Http).unwrap_err().to_string();
        assert!(e.starts_with("SLACK_SIGNING_SECRET is not set"), "{e}");
        let e = Tokens::default()
            .check(SlackMode::Http)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("SLACK_BOT_TOKEN is not set"), "{e}");
        let wrong = Tokens {
            bot: "xapp-secret-value".into(),
            ..Default::default()
        };
        let e = wrong.check(SlackMode::Socket).unwrap_err().to_string();
        assert_eq!(
            e,
            "SLACK_BOT_TOKEN is not a bot token: it must start with xoxb-"
        );
        let ok = Tokens {
            bot: "xoxb-1".into(),
            app: Some("xapp-1".into()),
            signing_secret: None,
        };
        ok.check(SlackMode::Socket).unwrap();
    }

    #[test]
    fn tokens_never_show_in_debug() {
        let tokens = Tokens {
            bot: "xoxb-very-secret".into(),
            app: Some("xapp-very-secret".into()),
            signing_secret: Some("shh-secret".into()),
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("very") && !shown.contains("shh"), "{shown}");
        assert_eq!(
            shown,
            "Tokens { bot: \"set\", app: \"set\", signing_secret: \"set\" }"
        );
    }
}
