//! The TikTok Shop Open API: signed requests ([`sign`]), the client that paces and retries them
//! ([`client`]), authorization and tokens ([`auth`]), and the calls the sync makes ([`calls`]).
//! What the bot does with the answers lives in [`crate::features::tiktok`].

pub mod auth;
pub mod calls;
pub mod client;
pub mod sign;

pub use client::{Api, ApiError, Caller};
