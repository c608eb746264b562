//! `TestApp`: what every test of the service's parts needs — the test's database, the [`App`]
//! over it with the shipped templates, a clock the test sets, and the recording platform that
//! keeps what the dispatcher sends.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::recording::RecordingSender;
use creator_bot::chat::{Platform, Platforms};
use creator_bot::config::Config;
use creator_bot::db::{channels, chat};
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::ManualClock;
use sqlx::PgPool;

use super::lifecycle::templates;

/// The recording platform's workspace id.
pub const RECORDING_WORKSPACE: &str = "test";

pub struct TestApp {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub recording: RecordingSender,
}

impl TestApp {
    /// An app on `pool` with the default config, its clock at `now`, the recording platform
    /// connected to this process.
    pub fn new(pool: &PgPool, now: DateTime<Utc>) -> TestApp {
        TestApp::with_config(pool, Config::default(), now)
    }

    pub fn with_config(pool: &PgPool, config: Config, now: DateTime<Utc>) -> TestApp {
        let clock = Arc::new(ManualClock::new(now));
        let recording = RecordingSender::new(clock.clone());
        let app = App::new(pool.clone(), config, templates(), clock.clone())
            .with_platforms(Platforms::default().with(Arc::new(recording.clone())));
        TestApp {
            app,
            clock,
            recording,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.app.pool
    }
}

/// Connects the recording platform to a program as a brand's setup would: its workspace, every
/// creator not linked yet as the user named like their handle, the program channels mapped to
/// `#name` and the tier roles to `role:name`. Safe to call again (after adding creators).
pub async fn connect_recording(pool: &PgPool, program_id: i64) {
    let platform = Platform::Recording.as_str();
    let mut conn = pool.acquire().await.unwrap();
    chat::add_workspace(&mut *conn, program_id, platform, RECORDING_WORKSPACE)
        .await
        .unwrap();
    for channel in ProgramChannel::ALL {
        channels::set_channel(
            &mut conn,
            program_id,
            platform,
            channel,
            &channel.to_string(),
        )
        .await
        .unwrap();
    }
    for role in ["all_stars", "steady_earners", "staff"] {
        channels::set_role(
            &mut conn,
            program_id,
            platform,
            role,
            &format!("role:{role}"),
        )
        .await
        .unwrap();
    }
    chat::link_creators_by_handle(
        &mut *conn,
        program_id,
        platform,
        RECORDING_WORKSPACE,
        Utc::now(),
    )
    .await
    .unwrap();
}

/// An app on `pool` with `config` and the shipped templates, for code that is given the time
/// explicitly (the scheduler's `run_due(app, now)`).
pub fn app_with(pool: &PgPool, config: &Config) -> App {
    App::new(
        pool.clone(),
        config.clone(),
        templates(),
        Arc::new(ManualClock::new(Utc::now())),
    )
}
