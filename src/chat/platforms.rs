//! The chat platforms a process is connected to (Discord, Slack, the console workspace, or the
//! tests' recording platform), each behind one [`ChatPlatform`]: the dispatcher sends through
//! them, `/readyz` asks whether each is connected, shutdown disconnects them.

use std::sync::Arc;

use async_trait::async_trait;

use sqlx::PgPool;

use super::commands::{Outcome, Reply, Rich};
use super::sender::{Delivered, Outgoing, Platform, SendError};
use crate::config::Config;
use crate::db::programs::Program;

/// One connected platform. Implementations only translate and send: the dispatcher has already
/// resolved the recipient to the platform's own ids (see [`super::sender::Address`]). They must
/// be safe to call from several workers at once.
#[async_trait]
pub trait ChatPlatform: Send + Sync + 'static {
    fn platform(&self) -> Platform;

    /// Whether the platform is connected and able to send now.
    fn is_ready(&self) -> bool {
        true
    }

    /// Opens (or finds) the direct-message channel with `user_id` and returns its id; the
    /// dispatcher keeps it in `chat_identities.dm_channel_id` so it is opened once.
    async fn open_dm(&self, user_id: &str) -> Result<String, SendError>;

    /// Sends one delivery.
    async fn send(&self, message: &Outgoing) -> Result<Delivered, SendError>;

    /// Closes the connection (shutdown).
    async fn disconnect(&self) {}

    /// Creates or adopts the program's channels and roles in `workspace_id` and stores them in
    /// the map (`/setup`); what it did and what is left to fix, for the staff member who asked.
    async fn setup(
        &self,
        _pool: &PgPool,
        _config: &Config,
        _program: &Program,
        _workspace_id: &str,
    ) -> anyhow::Result<Reply> {
        Ok(Reply::refused(format!(
            "There is nothing to set up on {}: its channels are mapped with \
             `creator-bot channels set`.",
            self.platform().as_str()
        )))
    }
}

/// The platforms of one process, at most one of each kind.
#[derive(Clone, Default)]
pub struct Platforms {
    list: Vec<Arc<dyn ChatPlatform>>,
}

impl Platforms {
    /// Adds `platform`, replacing one of the same kind.
    pub fn with(mut self, platform: Arc<dyn ChatPlatform>) -> Platforms {
        self.list.retain(|p| p.platform() != platform.platform());
        self.list.push(platform);
        self
    }

    pub fn get(&self, platform: Platform) -> Option<&Arc<dyn ChatPlatform>> {
        self.list.iter().find(|p| p.platform() == platform)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn ChatPlatform>> {
        self.list.iter()
    }

    /// The kinds connected, in the order they were added.
    pub fn kinds(&self) -> Vec<Platform> {
        self.list.iter().map(|p| p.platform()).collect()
    }

    /// The platforms that are configured but not connected right now.
    pub fn not_ready(&self) -> Vec<Platform> {
        self.list
            .iter()
            .filter(|p| !p.is_ready())
            .map(|p| p.platform())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub async fn disconnect_all(&self) {
        for p in &self.list {
            p.disconnect().await;
        }
    }
}

/// What a platform's setup found: what it created, what it adopted by name, and what staff must
/// fix. Both adapters report it the same way.
#[derive(Debug, Default)]
pub struct SetupFound {
    pub created: Vec<String>,
    pub adopted: Vec<String>,
    pub problems: Vec<String>,
}

impl SetupFound {
    /// The report staff read under `title`: refused while anything is left to fix.
    pub fn reply(self, title: String) -> Reply {
        let mut reply = Reply::titled(title);
        reply = reply.line(if self.created.is_empty() {
            "Created: nothing (everything was there already).".to_string()
        } else {
            format!("Created: {}.", self.created.join(", "))
        });
        if !self.adopted.is_empty() {
            reply = reply.line(format!(
                "Already there, now used: {}.",
                self.adopted.join(", ")
            ));
        }
        if self.problems.is_empty() {
            reply = reply.line("Everything the bot needs is in place.");
        } else {
            reply = reply.line(format!("To fix ({}):", self.problems.len()));
            for p in &self.problems {
                // Names come from the workspace (roles, channels): shown as they are.
                reply = reply.line(Rich::user(format!("• {p}")));
            }
            reply.outcome = Outcome::Refused;
        }
        reply
    }
}
