//! The Discord adapter: the bot in the brand's Discord server. serenity holds the gateway
//! connection (shards, reconnects, resumes) and the REST client, poise routes slash commands and
//! autocomplete to the command layer, and [`Discord`] sends the outbox's deliveries. Nothing here
//! decides anything: who the caller is and what they may see is the command layer's, what is sent
//! when is the dispatcher's. This module only translates.

mod client;
mod errors;
mod events;
mod interactions;
mod send;
pub mod setup;

pub use client::{Discord, intents};
pub use errors::send_error;
