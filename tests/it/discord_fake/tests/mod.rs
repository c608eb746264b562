//! The fake proved against the real clients: serenity's Http and gateway client, and poise,
//! connect to it and get what real Discord would give them. `harness` starts a bot.

mod gateway;
mod harness;
mod interactions;
mod payloads;
mod poise_start;
mod rest_errors;
mod rest_guilds;
mod rest_messages;
