//! Every integration test, in one binary so the test run links once. Each module tests one
//! capability against a real PostgreSQL (`#[sqlx::test]` gives each test its own database).

mod cadences;
mod commands_account;
mod commands_auth;
mod commands_cadences;
mod commands_fixture;
mod commands_parse;
mod commands_registry;
mod commands_stats;
mod commands_tiers;
mod common;
mod config;
mod console;
mod creator_card;
mod demo;
mod dispatch;
mod embedded_db;
mod import_files;
mod import_lines;
mod import_orders;
mod kpi;
mod leaderboard;
mod lifecycle_e2e;
mod membership;
mod schedule;
mod sequences_activation;
mod sequences_cli;
mod sequences_milestones;
mod sequences_onboarding;
mod sequences_reactivation;
mod sequences_startup;
mod service;
mod stats_fixture;
mod synth;
mod tier_commands;
mod tiers;
