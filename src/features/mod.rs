//! Use cases, one module per capability a user would name. Each loads what it needs, applies the
//! domain rules and stores the outcome in one transaction; they return plain values that the CLI
//! (and later the chat adapters) render.

pub mod cadences;
pub mod demo;
pub mod import;
pub mod linking;
pub mod members;
pub mod opt_out;
pub mod reports;
pub mod samples;
pub mod sequences;
pub mod stats;
pub mod tiers;
pub mod tiktok;
