//! The composition root: one [`App`] value holds what features, commands and jobs share — the
//! database pool, the config, the templates, the clock and the connected chat platforms — so they
//! take `&App` instead of long argument lists. `creator-bot run` builds one; tests build one per
//! test database.

use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::chat::platforms::Platforms;
use crate::config::Config;
use crate::db;
use crate::db::programs::Program;
use crate::jobs::{Clock, SystemClock};
use crate::templates::Templates;

/// See the module documentation. Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct App {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
    pub clock: Arc<dyn Clock>,
    pub platforms: Platforms,
    /// The TikTok Shop app's credentials; `None` when `tiktok.app_key` is unset (no sync).
    pub tiktok: Option<Arc<crate::features::tiktok::Credentials>>,
}

impl App {
    /// An app over an open pool, with no chat platform connected yet.
    pub fn new(pool: PgPool, config: Config, templates: Templates, clock: Arc<dyn Clock>) -> App {
        let tiktok = crate::features::tiktok::Credentials::from_env(&config.tiktok).map(Arc::new);
        App {
            pool,
            config: Arc::new(config),
            templates: Arc::new(templates),
            clock,
            platforms: Platforms::default(),
            tiktok,
        }
    }

    /// Checks the templates, opens the database (the private cluster unless `DATABASE_URL` is
    /// set), applies the migrations and makes the configured programs exist. The clock is the
    /// real one.
    pub async fn open(config: Config) -> Result<App> {
        let templates = Templates::load(&config.lifecycle.templates_dir)?;
        let source = db::Source::from_env(&config)?;
        let pool = db::open(&config, &source, None).await?;
        db::programs::sync(&pool, &config.programs())
            .await
            .context("recording the configured programs")?;
        Ok(App::new(pool, config, templates, Arc::new(SystemClock)))
    }

    /// The same app with these platforms connected.
    /// The TikTok Shop credentials to use (tests give them directly rather than by environment).
    pub fn with_tiktok(mut self, creds: crate::features::tiktok::Credentials) -> App {
        self.tiktok = Some(Arc::new(creds));
        self
    }

    /// The TikTok Shop credentials, or a clear error when the sync is not set up.
    pub fn tiktok(&self) -> Result<&crate::features::tiktok::Credentials> {
        self.tiktok.as_deref().context(
            "TikTok Shop is not set up: set tiktok.app_key in the config and TIKTOK_APP_SECRET in              the environment (see the README's \"TikTok Shop\" section)",
        )
    }

    pub fn with_platforms(mut self, platforms: Platforms) -> App {
        self.platforms = platforms;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The program called `slug`, or the config's default program when `None`.
    pub async fn program(&self, slug: Option<&str>) -> Result<Program> {
        let slug = slug.unwrap_or(&self.config.default_program);
        db::programs::by_slug(&self.pool, slug)
            .await?
            .with_context(|| {
                format!("there is no program {slug:?}; add it under [[programs]] in the config")
            })
    }
}
