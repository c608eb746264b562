//! The Slack adapter: the bot in the brand's Slack workspace. slack-morphism holds the Web API
//! client; Socket Mode's websockets (opened, pinged and reopened when they drop) are kept by
//! [`wss`] behind slack-morphism's connection-manager trait, without Nagle's delay; in `http`
//! mode Slack's signed requests arrive on the service's own HTTP server instead. [`Slack`] sends
//! the outbox's deliveries. Nothing here decides anything: who the caller is and what they may
//! see is the command layer's, what is sent when is the dispatcher's. This module only
//! translates.
//!
//! The whole surface:
//! - [`Tokens`]: the bot token, the app-level token (Socket Mode) and the signing secret (Events
//!   API); [`Tokens::from_env`] reads `SLACK_BOT_TOKEN`, `SLACK_APP_TOKEN` and
//!   `SLACK_SIGNING_SECRET`, or build it directly.
//! - [`Slack::new`]`(&Config, Tokens) -> Result<Arc<Slack>>` prepares the client from
//!   `[slack]`: `mode` (`socket` or `http`), `api_url` (the Web API base; an `http://` URL is
//!   spoken to in plain HTTP, and Socket Mode's websocket URL is whatever `apps.connections.open`
//!   there returns, `ws://` included), `socket_connections`, `staff_user_ids`,
//!   `welcome_new_members`. Each program's workspace is its `programs[].slack_team_id`.
//! - [`Slack::start`]`(&Arc<Slack>, App)` starts receiving: `auth.test`, then in Socket Mode the
//!   websockets. Add the `Arc<Slack>` to the app's platforms (`App::with_platforms`) first.
//! - [`Slack::router`]`(&Arc<Slack>) -> axum::Router`: in `http` mode, `POST /slack/events`,
//!   `/slack/commands` and `/slack/interactions`, which `creator-bot run` mounts on `run.listen`.
//! - [`ChatPlatform`](crate::chat::ChatPlatform) for the dispatcher: `is_ready` (Socket Mode: a
//!   websocket is open; `http`: the token was accepted), `open_dm`, `send`, `setup`,
//!   `disconnect`.
//! - [`manifest::manifest_yaml`] (`creator-bot slack manifest`) and [`setup::setup`]
//!   (`creator-bot slack setup`, `/setup`).

mod api;
mod client;
mod commands;
mod errors;
mod events;
pub mod http;
pub mod manifest;
mod send;
pub mod setup;
mod socket;
mod staff;
mod wss;

pub use api::{Api, ApiError};
pub use client::{Slack, Tokens};
pub use commands::{IMPORT_BY_DM, import_args};
pub use errors::{classify, send_error};
