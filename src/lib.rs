//! creator-bot runs a TikTok Shop brand's creator-affiliate program: it keeps the program's data
//! in PostgreSQL, imports TikTok Shop exports, computes KPIs, sorts creators into tiers, and (in
//! the chat adapters) talks to creators and staff.
//!
//! Where things are:
//! - [`app`]: the composition root ([`app::App`]) every feature, command and job is handed.
//! - [`config`]: the TOML file, environment overrides, validation.
//! - [`domain`]: pure rules — money, handles, dates, tiers, KPI formulas.
//! - [`db`]: every SQL statement, the migrations, the private PostgreSQL cluster.
//! - [`features`]: one module per capability (import, stats, tiers, sequences, samples, linking,
//!   opt-out, demo).
//! - [`charts`]: charts as PNG images (what each shows, drawn from the data when asked).
//! - [`chat`]: the platform-neutral sender trait, the slash commands the adapters share
//!   ([`chat::commands`]) and the console workspace ([`chat::console`]), which
//!   `creator-bot demo` runs a program in ([`cli::demo_cmd`]).
//! - [`jobs`]: the clock, the scheduler and the outbox dispatcher.
//! - [`templates`]: the text of every message the bot writes (`templates/`), checked at start.
//! - [`service`]: `creator-bot run`, the long-running process (scheduler, dispatcher, HTTP).
//! - [`metrics`]: what `/metrics` exposes.
//! - [`tiktok`]: the TikTok Shop Open API client (signatures, tokens, pacing); the sync itself is
//!   [`features::tiktok`]. [`secret_key`] seals the shop's tokens at rest.
//! - [`cli`]: the command line over the features.

pub mod app;
pub mod charts;
pub mod chat;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod features;
pub mod jobs;
pub mod metrics;
pub mod secret_key;
pub mod service;
pub mod templates;
pub mod tiktok;
