//! The bot's configuration: one TOML file plus `CREATOR_BOT__…` environment overrides, parsed into
//! typed values (time zones, times of day, cadences) and validated once at start. Secrets (the
//! database URL, chat tokens) come only from the environment.

pub mod charts;
pub mod discord;
pub mod slack;
pub mod tiktok;
mod values;

use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::domain::cadence::Cadence;
use crate::domain::daytime::Daytime;

/// Environment variable naming the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "CREATOR_BOT_CONFIG";
/// Prefix of environment overrides: `CREATOR_BOT__TIERS__STEADY_MIN_GMV_CENTS=25000`.
pub const OVERRIDE_PREFIX: &str = "CREATOR_BOT__";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Slug of the program used when a command is given no `--program`.
    pub default_program: String,
    pub programs: Vec<ProgramConfig>,
    pub database: DatabaseConfig,
    pub tiers: TierConfig,
    pub import: ImportConfig,
    pub lifecycle: LifecycleConfig,
    pub sequences: SequenceConfig,
    pub dispatch: DispatchConfig,
    pub cadences: CadenceConfig,
    pub run: RunConfig,
    pub discord: discord::DiscordConfig,
    pub slack: slack::SlackConfig,
    pub charts: charts::ChartsConfig,
    pub tiktok: tiktok::TikTokConfig,
}

/// `creator-bot run`, the long-running service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Seconds between two looks of the scheduler at the clock.
    pub tick_seconds: u32,
    /// Address of the HTTP server (`/healthz`, `/readyz`, `/metrics`); port 0 picks a free one.
    pub listen: String,
    /// How long a stopping process lets the sends in flight finish.
    pub shutdown_grace_seconds: u32,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            tick_seconds: 30,
            listen: "127.0.0.1:8080".into(),
            shutdown_grace_seconds: 10,
        }
    }
}

impl RunConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |key: &str, problem: String| Err(ConfigError(format!("run.{key}: {problem}")));
        if self.tick_seconds == 0 || self.tick_seconds > 3600 {
            return err(
                "tick_seconds",
                format!("must be between 1 and 3600, got {}", self.tick_seconds),
            );
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return err(
                "listen",
                format!(
                    "{:?} is not an address and port (e.g. \"127.0.0.1:8080\")",
                    self.listen
                ),
            );
        }
        if self.shutdown_grace_seconds > 3600 {
            return err(
                "shutdown_grace_seconds",
                format!("must be at most 3600, got {}", self.shutdown_grace_seconds),
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramConfig {
    pub slug: String,
    pub name: String,
    #[serde(default = "default_timezone", with = "values::timezone")]
    pub timezone: Tz,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// The Discord guild (server) that belongs to this program.
    #[serde(default)]
    pub discord_guild_id: Option<String>,
    /// The Slack workspace (team id, `T…`) that belongs to this program.
    #[serde(default)]
    pub slack_team_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub max_connections: u32,
    /// Where the private PostgreSQL cluster lives when `DATABASE_URL` is not set.
    pub data_dir: PathBuf,
    /// Directory holding `initdb` and `pg_ctl`; empty means look in /usr/lib/postgresql and PATH.
    pub pg_bin_dir: Option<PathBuf>,
    /// Database created inside the private cluster.
    pub embedded_database: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TierConfig {
    /// Trailing window for tier GMV and videos.
    pub window_days: u32,
    pub all_stars_min_gmv_cents: i64,
    /// Top share of selling creators (by trailing GMV) that is All-Stars regardless of amount.
    pub all_stars_top_percent: u32,
    pub steady_min_gmv_cents: i64,
    /// Videos in the window that, together with at least one sale, make a Steady Earner.
    pub steady_min_videos: u32,
    pub viral_window_days: u32,
    pub viral_min_gmv_cents: i64,
    /// Day of the month on which the monthly review runs (program timezone).
    pub review_day_of_month: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportConfig {
    /// Rows sent to PostgreSQL per COPY chunk.
    pub copy_chunk_rows: usize,
    /// Show a progress bar for files larger than this many bytes (when stderr is a terminal).
    pub progress_min_bytes: u64,
    /// Largest file accepted by `/import` from chat (a Discord attachment, a file sent to the
    /// bot on Slack).
    pub max_upload_bytes: u64,
    /// A field longer than this rejects its row (hostile or broken files stay bounded).
    pub max_field_bytes: u64,
}

/// When the scheduled jobs run: five-field cron expressions in each program's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CadenceConfig {
    /// Queue the creator DM sequences' due steps.
    pub sequences: Cadence,
    /// The daily tier check; on `tiers.review_day_of_month` it is the monthly review instead.
    pub tiers: Cadence,
    /// The All-Stars weekly check-in post.
    pub all_stars_checkin: Cadence,
    /// Tell staff who answered the check-in.
    pub all_stars_checkin_report: Cadence,
    /// The Steady Earners update, on every `steady_earners_every_weeks`th week.
    pub steady_earners_update: Cadence,
    pub steady_earners_every_weeks: u32,
    /// The staff weekly pulse.
    pub weekly_pulse: Cadence,
    /// The staff monthly deep-dive; unset: `tiers.review_day_of_month` at 09:00, after the review.
    pub monthly_report: Option<Cadence>,
    /// The staff quarterly review: the first Monday of each quarter at 09:00.
    pub quarterly_report: Cadence,
    /// Standings posts of running competitions.
    pub competition_standings: Cadence,
    /// Looks for competitions that are over and announces their winners.
    pub competition_winners: Cadence,
    /// TikTok Shop: orders created since the last sync (when a shop is connected).
    pub tiktok_orders: Cadence,
    /// TikTok Shop: re-reads the last `tiktok.settlement_days` of orders for settlements and refunds.
    pub tiktok_settlements: Cadence,
    /// TikTok Shop: sample applications and their statuses.
    pub tiktok_samples: Cadence,
    /// A run missed by more than this (the bot was down) is skipped; the next one runs.
    pub catch_up_hours: u32,
}

impl Default for CadenceConfig {
    fn default() -> Self {
        CadenceConfig {
            sequences: default_cadence("*/15 * * * *"),
            tiers: default_cadence("0 6 * * *"),
            all_stars_checkin: default_cadence("0 10 * * Mon"),
            all_stars_checkin_report: default_cadence("0 10 * * Wed"),
            steady_earners_update: default_cadence("0 10 * * Thu"),
            steady_earners_every_weeks: 2,
            weekly_pulse: default_cadence("0 9 * * Mon"),
            monthly_report: None,
            quarterly_report: default_cadence("0 9 1-7 Jan,Apr,Jul,Oct Mon"),
            competition_standings: default_cadence("0 12 * * Mon,Thu"),
            competition_winners: default_cadence("5 * * * *"),
            tiktok_orders: default_cadence("*/10 * * * *"),
            tiktok_settlements: default_cadence("0 5 * * *"),
            tiktok_samples: default_cadence("*/10 * * * *"),
            catch_up_hours: 24,
        }
    }
}

impl CadenceConfig {
    /// The monthly deep-dive's cadence: as configured, else 09:00 on the monthly review's day.
    pub fn monthly_report(&self, tiers: &TierConfig) -> std::borrow::Cow<'_, Cadence> {
        match &self.monthly_report {
            Some(c) => std::borrow::Cow::Borrowed(c),
            None => std::borrow::Cow::Owned(default_cadence(&format!(
                "0 9 {} * *",
                tiers.review_day_of_month
            ))),
        }
    }
}

/// A built-in cadence, which parses by construction.
fn default_cadence(expr: &str) -> Cadence {
    Cadence::parse(expr).expect("a default cadence is a valid expression")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifecycleConfig {
    /// Start of a creator's local daytime (`HH:MM`): DMs wait until then.
    #[serde(with = "values::clock_time")]
    pub daytime_start: NaiveTime,
    /// End of a creator's local daytime (`HH:MM`, exclusive).
    #[serde(with = "values::clock_time")]
    pub daytime_end: NaiveTime,
    /// Directory holding one text template per message (`templates/onboarding_welcome.txt`, …).
    pub templates_dir: PathBuf,
}

/// The creator DM sequences (DOMAIN.md "Lifecycle"). Day counts run on the creator's local
/// calendar (their time zone, else the program's); a DM due at night waits for their morning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SequenceConfig {
    /// How late a sequence may still start, and how old a milestone may be and still be
    /// celebrated: a creator imported days after joining still gets the welcome, one imported a
    /// month later does not. Later steps keep their spacing from the step before.
    pub catch_up_days: u32,
    /// Onboarding steps, in days after the join date.
    pub onboarding_welcome_day: u32,
    pub onboarding_content_guide_day: u32,
    pub onboarding_catalogue_day: u32,
    /// Days after a sample's delivery, with no video of it, before the friendly nudge.
    pub activation_nudge_days: u32,
    /// Days after the friendly nudge before the more direct one.
    pub activation_second_nudge_days: u32,
    /// Days after the second nudge before the creator is marked dormant and staff are told.
    pub activation_dormant_days: u32,
    /// Days without a video (for a creator who has posted before) before the first check-in.
    pub reactivation_checkin_days: u32,
    /// Days without a video before the second check-in.
    pub reactivation_second_checkin_days: u32,
    /// Days without a video before the creator goes on the dormant list and staff are told.
    pub reactivation_dormant_days: u32,
    /// Cumulative commission that earns a congratulation.
    pub milestone_commission_cents: i64,
    /// Hours after a creator's first video before the thank-you (its views settle meanwhile).
    pub first_post_thanks_after_hours: u32,
    /// Views of the first video that make it a high performer.
    pub first_post_high_min_views: i64,
    /// Views of the first video that make it a medium performer (below: general).
    pub first_post_medium_min_views: i64,
}

/// How the dispatcher sends the outbox. Rates are messages per second in each process; 0 means
/// no limit of our own (the platform's 429s are still honoured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DispatchConfig {
    /// Workers per process, each claiming and sending on its own.
    pub workers: u32,
    /// Rows a worker claims at a time.
    pub batch_size: u32,
    /// How long a claim holds a row; a worker that dies lets it go after this.
    pub lease_seconds: u32,
    /// Sends tried before a row is marked failed (permanent errors fail at once).
    pub max_attempts: u32,
    /// First retry delay; each further retry doubles it, up to `backoff_cap_seconds`.
    pub backoff_base_seconds: u32,
    pub backoff_cap_seconds: u32,
    /// Pause of an idle worker between looks at the outbox, in milliseconds.
    pub poll_interval_ms: u32,
    pub global_per_second: u32,
    pub discord_per_second: u32,
    pub slack_per_second: u32,
    pub console_per_second: u32,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            daytime_start: Daytime::default().start,
            daytime_end: Daytime::default().end,
            templates_dir: PathBuf::from("templates"),
        }
    }
}

impl Default for SequenceConfig {
    fn default() -> Self {
        SequenceConfig {
            catch_up_days: 7,
            onboarding_welcome_day: 0,
            onboarding_content_guide_day: 2,
            onboarding_catalogue_day: 5,
            activation_nudge_days: 7,
            activation_second_nudge_days: 7,
            activation_dormant_days: 7,
            reactivation_checkin_days: 30,
            reactivation_second_checkin_days: 45,
            reactivation_dormant_days: 60,
            milestone_commission_cents: 10_000,
            first_post_thanks_after_hours: 48,
            first_post_high_min_views: 50_000,
            first_post_medium_min_views: 5_000,
        }
    }
}

impl LifecycleConfig {
    /// The daytime window.
    pub fn daytime(&self) -> Daytime {
        Daytime {
            start: self.daytime_start,
            end: self.daytime_end,
        }
    }
}

impl SequenceConfig {
    /// Day counts must be positive and in order, thresholds sensible.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err =
            |key: &str, problem: String| Err(ConfigError(format!("sequences.{key}: {problem}")));
        const MAX_DAYS: u32 = 366;
        for (key, v) in [
            ("catch_up_days", self.catch_up_days),
            ("onboarding_welcome_day", self.onboarding_welcome_day),
            (
                "onboarding_content_guide_day",
                self.onboarding_content_guide_day,
            ),
            ("onboarding_catalogue_day", self.onboarding_catalogue_day),
            ("activation_nudge_days", self.activation_nudge_days),
            (
                "activation_second_nudge_days",
                self.activation_second_nudge_days,
            ),
            ("activation_dormant_days", self.activation_dormant_days),
            ("reactivation_checkin_days", self.reactivation_checkin_days),
            (
                "reactivation_second_checkin_days",
                self.reactivation_second_checkin_days,
            ),
            ("reactivation_dormant_days", self.reactivation_dormant_days),
        ] {
            if v > MAX_DAYS {
                return err(key, format!("must be at most {MAX_DAYS} days, got {v}"));
            }
        }
        for (key, v) in [
            ("catch_up_days", self.catch_up_days),
            ("activation_nudge_days", self.activation_nudge_days),
            (
                "activation_second_nudge_days",
                self.activation_second_nudge_days,
            ),
            ("activation_dormant_days", self.activation_dormant_days),
            ("reactivation_checkin_days", self.reactivation_checkin_days),
        ] {
            if v == 0 {
                return err(key, "must be at least 1 day".into());
            }
        }
        for (key, v, before_key, before) in [
            (
                "onboarding_content_guide_day",
                self.onboarding_content_guide_day,
                "onboarding_welcome_day",
                self.onboarding_welcome_day,
            ),
            (
                "onboarding_catalogue_day",
                self.onboarding_catalogue_day,
                "onboarding_content_guide_day",
                self.onboarding_content_guide_day,
            ),
            (
                "reactivation_second_checkin_days",
                self.reactivation_second_checkin_days,
                "reactivation_checkin_days",
                self.reactivation_checkin_days,
            ),
            (
                "reactivation_dormant_days",
                self.reactivation_dormant_days,
                "reactivation_second_checkin_days",
                self.reactivation_second_checkin_days,
            ),
        ] {
            if v <= before {
                return err(
                    key,
                    format!("must be later than sequences.{before_key} ({before}), got {v}"),
                );
            }
        }
        if self.milestone_commission_cents <= 0 {
            return err(
                "milestone_commission_cents",
                format!(
                    "must be greater than 0, got {}",
                    self.milestone_commission_cents
                ),
            );
        }
        if self.first_post_thanks_after_hours > MAX_DAYS * 24 {
            return err(
                "first_post_thanks_after_hours",
                format!(
                    "must be at most {} hours, got {}",
                    MAX_DAYS * 24,
                    self.first_post_thanks_after_hours
                ),
            );
        }
        if self.first_post_medium_min_views <= 0 {
            return err(
                "first_post_medium_min_views",
                format!(
                    "must be greater than 0, got {}",
                    self.first_post_medium_min_views
                ),
            );
        }
        if self.first_post_high_min_views <= self.first_post_medium_min_views {
            return err(
                "first_post_high_min_views",
                format!(
                    "must be greater than sequences.first_post_medium_min_views ({}), got {}",
                    self.first_post_medium_min_views, self.first_post_high_min_views
                ),
            );
        }
        Ok(())
    }
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            workers: 4,
            batch_size: 10,
            lease_seconds: 60,
            max_attempts: 8,
            backoff_base_seconds: 30,
            backoff_cap_seconds: 3600,
            poll_interval_ms: 500,
            // Discord allows 50 requests/s per bot; stay under it. Slack posts about one message
            // per second per channel.
            global_per_second: 40,
            discord_per_second: 40,
            slack_per_second: 10,
            console_per_second: 0,
        }
    }
}

fn default_timezone() -> Tz {
    Tz::UTC
}
fn default_currency() -> String {
    "USD".into()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_program: "default".into(),
            programs: Vec::new(),
            database: DatabaseConfig::default(),
            tiers: TierConfig::default(),
            import: ImportConfig::default(),
            lifecycle: LifecycleConfig::default(),
            sequences: SequenceConfig::default(),
            dispatch: DispatchConfig::default(),
            cadences: CadenceConfig::default(),
            run: RunConfig::default(),
            discord: discord::DiscordConfig::default(),
            slack: slack::SlackConfig::default(),
            charts: charts::ChartsConfig::default(),
            tiktok: tiktok::TikTokConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            max_connections: 8,
            data_dir: PathBuf::from(".creator-bot/pg"),
            pg_bin_dir: None,
            embedded_database: "creator_bot".into(),
        }
    }
}

impl Default for TierConfig {
    fn default() -> Self {
        TierConfig {
            window_days: 30,
            all_stars_min_gmv_cents: 300_000,
            all_stars_top_percent: 10,
            steady_min_gmv_cents: 30_000,
            steady_min_videos: 4,
            viral_window_days: 7,
            viral_min_gmv_cents: 1_000_000,
            review_day_of_month: 1,
        }
    }
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            copy_chunk_rows: 5_000,
            progress_min_bytes: 5 * 1024 * 1024,
            max_upload_bytes: 25 * 1024 * 1024,
            max_field_bytes: 4096,
        }
    }
}

/// A configuration problem, naming the key (or file) and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Loads the file (if any), applies `CREATOR_BOT__…` environment overrides, and validates
    /// the result.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with(OVERRIDE_PREFIX))
            .collect();
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Self::load_with_overrides(path, &pairs)
    }

    /// Like [`Config::load`] with the environment overrides given explicitly (tests use this).
    pub fn load_with_overrides(
        path: Option<&Path>,
        overrides: &[(&str, &str)],
    ) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = path {
            figment = figment.merge(Self::file_provider(path)?);
        }
        let overrides = EnvOverrides(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        Self::finish(figment.merge(overrides))
    }

    fn file_provider(path: &Path) -> Result<figment::providers::Data<Toml>, ConfigError> {
        if !path.is_file() {
            return Err(ConfigError(format!(
                "config file {} does not exist",
                path.display()
            )));
        }
        Ok(Toml::file_exact(path))
    }

    fn finish(figment: Figment) -> Result<Config, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            let mut message = String::new();
            for (i, err) in e.into_iter().enumerate() {
                if i > 0 {
                    message.push_str("; ");
                }
                message.push_str(&describe_figment_error(&err));
            }
            ConfigError(message)
        })?;
        config.validate().map_err(|ConfigError(message)| {
            // Say where the bad value came from: the file or the environment.
            let key = message.split(':').next().unwrap_or_default();
            let key = key.split('[').next().unwrap_or(key);
            ConfigError(format!("{message}{}", source_of(&figment, key)))
        })?;
        Ok(config)
    }

    /// Checks every value that its type alone does not: slugs, currencies, ranges, ordering.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |key: &str, problem: String| Err(ConfigError(format!("{key}: {problem}")));
        let mut seen = std::collections::HashSet::new();
        for (i, p) in self.programs.iter().enumerate() {
            let key = format!("programs[{i}]");
            if !valid_slug(&p.slug) {
                return err(
                    &format!("{key}.slug"),
                    format!(
                        "{:?} must be lower-case letters, digits, '-' or '_' (e.g. \"glow-skin\")",
                        p.slug
                    ),
                );
            }
            if !seen.insert(p.slug.clone()) {
                return err(
                    &format!("{key}.slug"),
                    format!("{:?} is listed twice", p.slug),
                );
            }
            if p.name.trim().is_empty() {
                return err(&format!("{key}.name"), "must not be empty".into());
            }
            if !(p.currency.len() == 3 && p.currency.chars().all(|c| c.is_ascii_uppercase())) {
                return err(
                    &format!("{key}.currency"),
                    format!(
                        "{:?} is not a three-letter ISO currency code (e.g. \"USD\")",
                        p.currency
                    ),
                );
            }
        }
        if !valid_slug(&self.default_program) {
            return err(
                "default_program",
                format!("{:?} is not a valid program slug", self.default_program),
            );
        }
        if !self.programs.is_empty() && !seen.contains(&self.default_program) {
            return err(
                "default_program",
                format!(
                    "{:?} is not one of the configured programs ({})",
                    self.default_program,
                    self.programs
                        .iter()
                        .map(|p| p.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        if self.database.max_connections == 0 {
            return err("database.max_connections", "must be at least 1".into());
        }
        if self.database.embedded_database.is_empty()
            || !self
                .database
                .embedded_database
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return err(
                "database.embedded_database",
                format!(
                    "{:?} must be letters, digits and '_'",
                    self.database.embedded_database
                ),
            );
        }
        let t = &self.tiers;
        if t.window_days == 0 || t.window_days > 366 {
            return err(
                "tiers.window_days",
                format!("must be between 1 and 366, got {}", t.window_days),
            );
        }
        if t.viral_window_days == 0 || t.viral_window_days > 366 {
            return err(
                "tiers.viral_window_days",
                format!("must be between 1 and 366, got {}", t.viral_window_days),
            );
        }
        if t.all_stars_top_percent > 100 {
            return err(
                "tiers.all_stars_top_percent",
                format!("must be between 0 and 100, got {}", t.all_stars_top_percent),
            );
        }
        for (key, v) in [
            ("tiers.all_stars_min_gmv_cents", t.all_stars_min_gmv_cents),
            ("tiers.steady_min_gmv_cents", t.steady_min_gmv_cents),
            ("tiers.viral_min_gmv_cents", t.viral_min_gmv_cents),
        ] {
            if v <= 0 {
                return err(key, format!("must be greater than 0, got {v}"));
            }
        }
        if t.steady_min_gmv_cents >= t.all_stars_min_gmv_cents {
            return err(
                "tiers.steady_min_gmv_cents",
                format!(
                    "must be below tiers.all_stars_min_gmv_cents ({}), got {}",
                    t.all_stars_min_gmv_cents, t.steady_min_gmv_cents
                ),
            );
        }
        if !(1..=28).contains(&t.review_day_of_month) {
            return err(
                "tiers.review_day_of_month",
                format!(
                    "must be between 1 and 28 so every month has it, got {}",
                    t.review_day_of_month
                ),
            );
        }
        if self.import.copy_chunk_rows == 0 {
            return err("import.copy_chunk_rows", "must be at least 1".into());
        }
        if !(64..=16 * 1024 * 1024).contains(&self.import.max_field_bytes) {
            return err(
                "import.max_field_bytes",
                format!(
                    "must be between 64 and 16777216, got {}",
                    self.import.max_field_bytes
                ),
            );
        }
        let l = &self.lifecycle;
        if l.daytime_start >= l.daytime_end {
            return err(
                "lifecycle.daytime_start",
                format!(
                    "\"{}\" must be earlier than lifecycle.daytime_end (\"{}\")",
                    l.daytime_start.format("%H:%M"),
                    l.daytime_end.format("%H:%M")
                ),
            );
        }
        if l.templates_dir.as_os_str().is_empty() {
            return err("lifecycle.templates_dir", "must not be empty".into());
        }
        self.sequences.validate()?;
        self.run.validate()?;
        self.discord.validate()?;
        self.slack.validate()?;
        self.charts.validate()?;
        self.tiktok.validate()?;
        for (i, p) in self.programs.iter().enumerate() {
            if let Some(id) = &p.slack_team_id
                && !slack::is_team_id(id)
            {
                return err(
                    &format!("programs[{i}].slack_team_id"),
                    format!(
                        "{id:?} is not a Slack workspace id (T followed by capital letters and \
                         digits, such as \"T024BE7LD\": open Slack in a browser, it is the part \
                         after /client/ in the address)"
                    ),
                );
            }
            if let Some(id) = &p.discord_guild_id
                && !discord::is_snowflake(id)
            {
                return err(
                    &format!("programs[{i}].discord_guild_id"),
                    format!(
                        "{id:?} is not a Discord server id (a number: right-click the server \
                         with Developer Mode on, then Copy Server ID)"
                    ),
                );
            }
        }
        if !(1..=8).contains(&self.cadences.steady_earners_every_weeks) {
            return err(
                "cadences.steady_earners_every_weeks",
                format!(
                    "must be between 1 and 8, got {}",
                    self.cadences.steady_earners_every_weeks
                ),
            );
        }
        let d = &self.dispatch;
        for (key, v) in [
            ("dispatch.workers", d.workers),
            ("dispatch.batch_size", d.batch_size),
            ("dispatch.lease_seconds", d.lease_seconds),
            ("dispatch.max_attempts", d.max_attempts),
            ("dispatch.backoff_base_seconds", d.backoff_base_seconds),
            ("dispatch.poll_interval_ms", d.poll_interval_ms),
        ] {
            if v == 0 {
                return err(key, "must be at least 1".into());
            }
        }
        if d.backoff_cap_seconds < d.backoff_base_seconds {
            return err(
                "dispatch.backoff_cap_seconds",
                format!(
                    "must be at least dispatch.backoff_base_seconds ({}), got {}",
                    d.backoff_base_seconds, d.backoff_cap_seconds
                ),
            );
        }
        Ok(())
    }

    /// The configured programs, or a single default program when none is configured.
    pub fn programs(&self) -> Vec<ProgramConfig> {
        if self.programs.is_empty() {
            vec![ProgramConfig {
                slug: self.default_program.clone(),
                name: "Default program".into(),
                timezone: default_timezone(),
                currency: default_currency(),
                discord_guild_id: None,
                slack_team_id: None,
            }]
        } else {
            self.programs.clone()
        }
    }
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `CREATOR_BOT__SECTION__KEY=value` pairs as a figment provider named after the environment.
struct EnvOverrides(Vec<(String, String)>);

impl figment::Provider for EnvOverrides {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named("environment variable(s)")
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        let mut dict = figment::value::Dict::new();
        for (key, value) in &self.0 {
            let key = key
                .strip_prefix(OVERRIDE_PREFIX)
                .unwrap_or(key)
                .to_ascii_lowercase();
            let path: Vec<&str> = key.split("__").collect();
            let value: figment::value::Value = value
                .parse()
                .unwrap_or_else(|_| figment::value::Value::from(value.clone()));
            insert_at(&mut dict, &path, value);
        }
        Ok(figment::Profile::Default.collect(dict))
    }
}

fn insert_at(dict: &mut figment::value::Dict, path: &[&str], value: figment::value::Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        dict.insert((*first).to_string(), value);
        return;
    }
    let entry = dict
        .entry((*first).to_string())
        .or_insert_with(|| figment::value::Value::from(figment::value::Dict::new()));
    if !matches!(entry, figment::value::Value::Dict(..)) {
        *entry = figment::value::Value::from(figment::value::Dict::new());
    }
    if let figment::value::Value::Dict(_, inner) = entry {
        insert_at(inner, rest, value);
    }
}

/// " (in FILE)" or " (from the environment)" for the provider that set `key`; empty for defaults.
fn source_of(figment: &Figment, key: &str) -> String {
    match figment.find_metadata(key) {
        Some(m) => match &m.source {
            Some(figment::Source::File(p)) => format!(" (in {})", p.display()),
            _ if m.name.contains("environment") => " (from the environment)".to_string(),
            _ => String::new(),
        },
        None => String::new(),
    }
}

fn describe_figment_error(err: &figment::Error) -> String {
    use figment::error::Kind;
    // Written the way `validate` names keys: `programs[0].timezone`.
    let key = if err.path.is_empty() {
        None
    } else {
        let mut key = String::new();
        for part in &err.path {
            if part.parse::<usize>().is_ok() {
                key.push_str(&format!("[{part}]"));
            } else {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(part);
            }
        }
        Some(key)
    };
    let source = err
        .metadata
        .as_ref()
        .map(|m| match &m.source {
            Some(figment::Source::File(p)) => format!(" (in {})", p.display()),
            _ if m.name.contains("environment") => " (from the environment)".to_string(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let problem = match &err.kind {
        Kind::UnknownField(field, _) => {
            if field == "url" || field.ends_with("token") || field.ends_with("secret") {
                format!(
                    "unknown key {field:?}: secrets are read only from the environment (e.g. DATABASE_URL)"
                )
            } else {
                format!("unknown key {field:?}")
            }
        }
        Kind::MissingField(field) => format!("missing required key {field:?}"),
        Kind::Message(msg) => msg.clone(),
        other => other.to_string(),
    };
    match key {
        Some(key) => format!("{key}: {problem}{source}"),
        None => format!("{problem}{source}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn a_slack_team_id_must_look_like_one() {
        let mut config = Config::default();
        config.programs = config.programs();
        config.programs[0].slack_team_id = Some("acme".into());
        let e = config.validate().unwrap_err().0;
        assert!(
            e.starts_with("programs[0].slack_team_id: \"acme\" is not a Slack workspace id"),
            "{e}"
        );
        config.programs[0].slack_team_id = Some("T024BE7LD".into());
        config.validate().unwrap();
    }

    #[test]
    fn the_slack_section_is_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bot.toml");
        std::fs::write(
            &path,
            "[slack]\nmode = \"http\"\napi_url = \"http://127.0.0.1:9/api\"\n\
             staff_user_ids = [\"U024BE7LH\"]\nwelcome_new_members = false\n",
        )
        .unwrap();
        let config = Config::load_with_overrides(Some(&path), &[]).unwrap();
        assert_eq!(config.slack.mode, slack::SlackMode::Http);
        assert_eq!(config.slack.api_base(), "http://127.0.0.1:9/api");
        assert_eq!(config.slack.staff_user_ids, vec!["U024BE7LH".to_string()]);
        assert!(!config.slack.welcome_new_members);
        std::fs::write(&path, "[slack]\nbot_token = \"xoxb-1\"\n").unwrap();
        let e = Config::load_with_overrides(Some(&path), &[]).unwrap_err().0;
        assert!(
            e.contains("unknown key \"bot_token\": secrets are read only from the environment"),
            "{e}"
        );
        std::fs::write(&path, "[slack]\nmode = \"webhook\"\n").unwrap();
        let e = Config::load_with_overrides(Some(&path), &[]).unwrap_err().0;
        assert!(e.starts_with("slack.mode:"), "{e}");
    }
}
