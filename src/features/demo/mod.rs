//! `creator-bot demo`: a synthetic program on the private database, imported through the real
//! import and summarised with the real KPI, tier and leaderboard code.

pub mod synth;
