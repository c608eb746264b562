//! TikTok Shop sync: orders and sample applications flow in from the Open API by themselves,
//! through the same merge as the CSV import. [`connect`] links a program to its shop (tokens
//! sealed at rest), [`session`] keeps the tokens fresh, [`orders`] reads orders page by page
//! (committing as it goes, so a crash resumes where it stopped), [`samples`] stamps each sample
//! application status the first time it is seen, and [`status`] says what the syncs did.

mod alerts;
pub mod connect;
pub mod orders;
pub mod samples;
pub mod session;
pub mod status;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};

use crate::config::tiktok::{APP_SECRET_ENV, TikTokConfig};
use crate::secret_key::{SecretKey, SecretKeyError};
use crate::tiktok::Api;
use governor::DefaultDirectRateLimiter;

/// The app's credentials: its key from the config, its secret and the sealing key from the
/// environment. `Debug` shows neither secret.
pub struct Credentials {
    pub app_key: String,
    secret: Option<String>,
    key: Result<SecretKey, SecretKeyError>,
    /// One pace per program's shop, shared by every sync of it in this process (TikTok's limit
    /// is per app and shop).
    limiters: Mutex<HashMap<i64, Arc<DefaultDirectRateLimiter>>>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_key", &self.app_key)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// From the config and the environment; `None` when `tiktok.app_key` is unset (no sync).
    pub fn from_env(config: &TikTokConfig) -> Option<Credentials> {
        let app_key = config.app_key.clone()?;
        let secret = std::env::var(APP_SECRET_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty());
        Some(Credentials::new(app_key, secret, SecretKey::from_env()))
    }

    pub fn new(
        app_key: String,
        secret: Option<String>,
        key: Result<SecretKey, SecretKeyError>,
    ) -> Credentials {
        Credentials {
            app_key,
            secret,
            key,
            limiters: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a sync can run: the app secret and the sealing key are both set.
    pub fn usable(&self) -> Result<()> {
        self.secret()?;
        self.key()?;
        Ok(())
    }

    fn secret(&self) -> Result<&str> {
        self.secret.as_deref().ok_or_else(|| {
            anyhow!(
                "{APP_SECRET_ENV} is not set: set it to the app secret from TikTok Shop Partner \
                 Center (App & Service → your app) in the bot's environment"
            )
        })
    }

    /// A client for one program's shop, paced with every other client of that shop.
    pub fn api(&self, config: &TikTokConfig, program_id: i64) -> Result<Api> {
        let secret = self.secret()?;
        let limiter = self
            .limiters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(program_id)
            .or_insert_with(|| Api::limiter(config))
            .clone();
        Ok(Api::with_limiter(config, &self.app_key, secret, limiter))
    }

    /// The key that seals the shop's tokens.
    pub fn key(&self) -> Result<&SecretKey> {
        self.key
            .as_ref()
            .map_err(|e| crate::domain::for_user(e.clone()))
    }
}

/// What a sync run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// Orders created since the last sync (less `tiktok.overlap_minutes`).
    Orders,
    /// The trailing `tiktok.settlement_days` of orders again.
    Settlements,
    /// History, in windows of at most 3 months.
    Backfill,
    /// Sample applications.
    Samples,
}

impl SyncKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncKind::Orders => "orders",
            SyncKind::Settlements => "settlements",
            SyncKind::Backfill => "backfill",
            SyncKind::Samples => "samples",
        }
    }
}

impl fmt::Display for SyncKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
