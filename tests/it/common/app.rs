//! `TestApp`: what every test of the service's parts needs — the test's database, the [`App`]
//! over it with the shipped templates, and a clock the test sets.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::config::Config;
use creator_bot::jobs::ManualClock;
use sqlx::PgPool;

use super::lifecycle::templates;

pub struct TestApp {
    pub app: App,
    pub clock: Arc<ManualClock>,
}

impl TestApp {
    /// An app on `pool` with the default config, its clock at `now`.
    pub fn new(pool: &PgPool, now: DateTime<Utc>) -> TestApp {
        TestApp::with_config(pool, Config::default(), now)
    }

    pub fn with_config(pool: &PgPool, config: Config, now: DateTime<Utc>) -> TestApp {
        let clock = Arc::new(ManualClock::new(now));
        let app = App::new(pool.clone(), config, templates(), clock.clone());
        TestApp { app, clock }
    }

    pub fn pool(&self) -> &PgPool {
        &self.app.pool
    }
}
