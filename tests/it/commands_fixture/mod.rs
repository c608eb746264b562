//! Chat users around the stats fixture: a Discord server linked to the November program, a staff
//! member (Maya), creators ava and ben linked to their Discord accounts, and a stranger. Commands
//! run at noon on 30 November 2026, New York time, so `30d` is November. Creators without a tier
//! change have been in their tier since they joined.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use creator_bot::chat::Platform;
use creator_bot::chat::commands::{Caller, Reply, Request, respond};
use creator_bot::db::chat as chat_db;
use creator_bot::db::programs::Program;
use sqlx::PgPool;

use crate::common;
use crate::common::app::TestApp;
use crate::stats_fixture::{Creators, november_program};

pub const GUILD: &str = "guild-1";

pub struct Chat {
    pub program: Program,
    pub creators: Creators,
    pub staff: Caller,
    pub ava: Caller,
    pub ben: Caller,
    pub stranger: Caller,
}

pub fn user(user_id: &str) -> Caller {
    Caller::new(Platform::Discord, GUILD, user_id)
}

/// 2026-11-30 12:00 in New York.
pub fn now(program: &Program) -> DateTime<Utc> {
    common::local(program, "2026-11-30 12:00")
}

pub async fn chat_program(pool: &PgPool) -> Chat {
    let (program, creators) = november_program(pool).await;
    // Creators without a tier change have been in their tier since they joined (not since the
    // test ran).
    sqlx::query(
        "UPDATE creators SET tier_since = joined_on::timestamp AT TIME ZONE $2
          WHERE program_id = $1 AND id NOT IN (SELECT creator_id FROM tier_history)",
    )
    .bind(program.id)
    .bind(program.timezone.name())
    .execute(pool)
    .await
    .unwrap();
    chat_db::add_workspace(pool, program.id, "discord", GUILD)
        .await
        .unwrap();
    let maya = chat_db::add_staff(pool, program.id, "Maya").await.unwrap();
    chat_db::link_staff(pool, program.id, "discord", GUILD, "u-maya", maya)
        .await
        .unwrap();
    link_creator(pool, &program, "u-ava", creators.ava).await;
    link_creator(pool, &program, "u-ben", creators.ben).await;
    Chat {
        program,
        creators,
        staff: user("u-maya"),
        ava: user("u-ava"),
        ben: user("u-ben"),
        stranger: user("u-new"),
    }
}

/// Links a Discord user to a creator as the roster import does.
pub async fn link_creator(pool: &PgPool, program: &Program, user_id: &str, creator_id: i64) {
    sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id)
         VALUES ($1, 'discord', $2, $3, $4)",
    )
    .bind(program.id)
    .bind(GUILD)
    .bind(user_id)
    .bind(creator_id)
    .execute(pool)
    .await
    .expect("linking a creator's Discord account");
}

/// Runs `/name args` as `caller` at the fixture's `now`.
pub async fn run(pool: &PgPool, chat: &Chat, caller: &Caller, name: &str, args: &str) -> Reply {
    run_at(pool, caller, name, args, now(&chat.program)).await
}

pub async fn run_at(
    pool: &PgPool,
    caller: &Caller,
    name: &str,
    args: &str,
    at: DateTime<Utc>,
) -> Reply {
    let app = TestApp::new(pool, at);
    respond(&app.app, caller, &Request::new(name, args)).await
}
