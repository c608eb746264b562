//! Shared test setup: programs and config for tests that run on a real PostgreSQL database
//! (each `#[sqlx::test]` gets a fresh database with the migrations applied).
#![allow(dead_code)]

use creator_bot::config::{Config, ProgramConfig};
use creator_bot::db::programs::{self, Program};
use sqlx::PgPool;

pub fn config() -> Config {
    Config::default()
}

/// A program in New York time, in dollars.
pub async fn program(pool: &PgPool) -> Program {
    program_in(pool, "glow", "America/New_York", "USD").await
}

pub async fn program_in(pool: &PgPool, slug: &str, timezone: &str, currency: &str) -> Program {
    programs::upsert(
        pool,
        &ProgramConfig {
            slug: slug.into(),
            name: format!("{slug} program"),
            timezone: timezone.into(),
            currency: currency.into(),
            discord_guild_id: None,
            slack_team_id: None,
        },
    )
    .await
    .expect("creating the test program")
}

/// Inserts a creator directly (tests that are not about import use this) and returns its id.
pub async fn creator(pool: &PgPool, program: &Program, handle: &str, joined_on: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO creators (program_id, handle, first_name, joined_on)
         VALUES ($1, $2, initcap($2), $3::date) RETURNING id",
    )
    .bind(program.id)
    .bind(handle)
    .bind(joined_on)
    .fetch_one(pool)
    .await
    .expect("inserting a creator")
}

/// One affiliate order line for direct insertion; `at` is a program-local `YYYY-MM-DD HH:MM`.
#[derive(Debug, Clone)]
pub struct Line {
    pub order_id: &'static str,
    pub sku_id: &'static str,
    pub creator_id: i64,
    pub at: &'static str,
    pub amount_cents: i64,
    pub status: &'static str,
    pub refunded: bool,
    pub est_commission_cents: i64,
    pub actual_commission_cents: Option<i64>,
    pub product_id: &'static str,
}

impl Line {
    pub fn settled(
        order_id: &'static str,
        creator_id: i64,
        at: &'static str,
        amount_cents: i64,
    ) -> Line {
        Line {
            order_id,
            sku_id: "sku-1",
            creator_id,
            at,
            amount_cents,
            status: "settled",
            refunded: false,
            est_commission_cents: amount_cents / 10,
            actual_commission_cents: None,
            product_id: "p1",
        }
    }
}

/// Inserts order lines directly and refreshes the rollups of the days they fall on.
pub async fn lines(pool: &PgPool, program: &Program, lines: &[Line]) {
    let mut tx = pool.begin().await.unwrap();
    let mut days = Vec::new();
    for l in lines {
        let naive = chrono::NaiveDateTime::parse_from_str(l.at, "%Y-%m-%d %H:%M").expect(l.at);
        let at = creator_bot::domain::timefmt::local_to_utc(naive, program.timezone);
        days.push(naive.date());
        sqlx::query(
            "INSERT INTO order_lines (program_id, order_id, sku_id, creator_id, product_id, currency,
                 payment_amount_cents, quantity, refunded, status, est_standard_commission_cents,
                 actual_standard_commission_cents, created_at, created_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13)",
        )
        .bind(program.id)
        .bind(l.order_id)
        .bind(l.sku_id)
        .bind(l.creator_id)
        .bind(l.product_id)
        .bind(&program.currency)
        .bind(l.amount_cents)
        .bind(l.refunded)
        .bind(l.status)
        .bind(l.est_commission_cents)
        .bind(l.actual_commission_cents)
        .bind(at)
        .bind(naive.date())
        .execute(&mut *tx)
        .await
        .expect("inserting an order line");
    }
    days.sort();
    days.dedup();
    creator_bot::db::rollups::refresh_days(&mut tx, program.id, &days)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Inserts a video directly; `at` is a program-local `YYYY-MM-DD HH:MM`.
pub async fn video(
    pool: &PgPool,
    program: &Program,
    content_id: &str,
    creator_id: i64,
    product_id: Option<&str>,
    at: &str,
    views: i64,
) {
    let naive = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").expect(at);
    let at = creator_bot::domain::timefmt::local_to_utc(naive, program.timezone);
    sqlx::query(
        "INSERT INTO videos (program_id, content_id, creator_id, product_id, posted_at, views)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(program.id)
    .bind(content_id)
    .bind(creator_id)
    .bind(product_id)
    .bind(at)
    .bind(views)
    .execute(pool)
    .await
    .expect("inserting a video");
}
