//! Shared test setup: programs and config for tests that run on a real PostgreSQL database
//! (each `#[sqlx::test]` gets a fresh database with the migrations applied).
#![allow(dead_code)]

pub mod app;
pub mod cli;
pub mod lifecycle;

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
            timezone: timezone.parse().expect("a test time zone"),
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
    video_engaged(
        pool,
        program,
        content_id,
        creator_id,
        product_id,
        at,
        [views, 0, 0, 0],
    )
    .await
}

/// Inserts a video with its `[views, likes, comments, shares]`; `at` is program-local.
pub async fn video_engaged(
    pool: &PgPool,
    program: &Program,
    content_id: &str,
    creator_id: i64,
    product_id: Option<&str>,
    at: &str,
    [views, likes, comments, shares]: [i64; 4],
) {
    let at = local(program, at);
    sqlx::query(
        "INSERT INTO videos (program_id, content_id, creator_id, product_id, posted_at, views,
                             likes, comments, shares)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(program.id)
    .bind(content_id)
    .bind(creator_id)
    .bind(product_id)
    .bind(at)
    .bind(views)
    .bind(likes)
    .bind(comments)
    .bind(shares)
    .execute(pool)
    .await
    .expect("inserting a video");
}

/// The instant of a program-local `YYYY-MM-DD HH:MM`.
pub fn local(program: &Program, at: &str) -> chrono::DateTime<chrono::Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").expect(at);
    creator_bot::domain::timefmt::local_to_utc(naive, program.timezone)
}

/// Inserts a product with its unit cost.
pub async fn product(pool: &PgPool, program: &Program, product_id: &str, unit_cost_cents: i64) {
    sqlx::query(
        "INSERT INTO products (program_id, product_id, name, unit_cost_cents)
         VALUES ($1, $2, 'Product ' || $2, $3)",
    )
    .bind(program.id)
    .bind(product_id)
    .bind(unit_cost_cents)
    .execute(pool)
    .await
    .expect("inserting a product");
}

/// A sample sent to a creator, for direct insertion.
#[derive(Debug, Clone)]
pub struct Sample {
    pub creator_id: i64,
    pub product_id: &'static str,
    pub shipped_on: &'static str,
    pub delivered_on: Option<&'static str>,
    /// Shipping and handling.
    pub cost_cents: i64,
    /// The first video as the video import records it: a program-local `YYYY-MM-DD HH:MM`.
    pub first_video_at: Option<&'static str>,
}

/// Inserts samples directly.
pub async fn samples(pool: &PgPool, program: &Program, samples: &[Sample]) {
    for s in samples {
        sqlx::query(
            "INSERT INTO samples (program_id, creator_id, product_id, shipped_on, delivered_on,
                                  cost_cents, first_video_at)
             VALUES ($1, $2, $3, $4::date, $5::date, $6, $7)",
        )
        .bind(program.id)
        .bind(s.creator_id)
        .bind(s.product_id)
        .bind(s.shipped_on)
        .bind(s.delivered_on)
        .bind(s.cost_cents)
        .bind(s.first_video_at.map(|at| local(program, at)))
        .execute(pool)
        .await
        .expect("inserting a sample");
    }
}

/// Records a flat fee or bonus (part of program cost).
pub async fn program_cost(
    pool: &PgPool,
    program: &Program,
    creator_id: Option<i64>,
    incurred_on: &str,
    amount_cents: i64,
    description: &str,
) {
    sqlx::query(
        "INSERT INTO program_costs (program_id, creator_id, incurred_on, amount_cents, description)
         VALUES ($1, $2, $3::date, $4, $5)",
    )
    .bind(program.id)
    .bind(creator_id)
    .bind(incurred_on)
    .bind(amount_cents)
    .bind(description)
    .execute(pool)
    .await
    .expect("recording a program cost");
}

/// Moves a creator to `tier` and records why in the tier history; `at` is program-local.
pub async fn tier_change(
    pool: &PgPool,
    program: &Program,
    creator_id: i64,
    tier: &str,
    reason: &str,
    at: &str,
) {
    let at = local(program, at);
    sqlx::query(
        "INSERT INTO tier_history (program_id, creator_id, from_tier, to_tier, kind, reason,
                                   changed_at, changed_by)
         SELECT $1, $2, tier, $3, 'daily_check', $4, $5, 'system' FROM creators WHERE id = $2",
    )
    .bind(program.id)
    .bind(creator_id)
    .bind(tier)
    .bind(reason)
    .bind(at)
    .execute(pool)
    .await
    .expect("recording a tier change");
    sqlx::query("UPDATE creators SET tier = $2, tier_since = $3 WHERE id = $1")
        .bind(creator_id)
        .bind(tier)
        .bind(at)
        .execute(pool)
        .await
        .expect("changing a tier");
}

/// Inserts one sample directly.
pub async fn sample(pool: &PgPool, program: &Program, sample: Sample) {
    samples(pool, program, &[sample]).await
}

#[allow(unused_imports)]
pub use lifecycle::templates;

/// A creator's tier as stored.
pub async fn tier_of(pool: &PgPool, handle: &str) -> String {
    sqlx::query_scalar("SELECT tier FROM creators WHERE handle = $1")
        .bind(handle)
        .fetch_one(pool)
        .await
        .expect("reading a creator's tier")
}

/// Puts a creator in a tier directly (tests that are not about tier rules use this).
pub async fn set_tier(pool: &PgPool, creator_id: i64, tier: &str) {
    sqlx::query("UPDATE creators SET tier = $2 WHERE id = $1")
        .bind(creator_id)
        .bind(tier)
        .execute(pool)
        .await
        .expect("setting a creator's tier");
}
