//! The staff reports on a program spanning two quarters (Q3 and Q4 2026, New York time): the
//! monthly deep-dive of November, the quarterly review of Q4, the cadences that post them, the
//! weekly pulse's names, and the exports.
//!
//! The fixture (every figure the tests expect is worked out from it in their comments):
//!
//! | creator | joined     | niche   |
//! |---------|------------|---------|
//! | ana     | 2026-06-01 | beauty  |
//! | bo      | 2026-06-01 | beauty  |
//! | cy      | 2026-07-15 | fitness |
//! | dee     | 2026-08-01 | (none)  |
//! | eve     | 2026-10-10 | fitness |
//! | fay     | 2026-11-05 | ""      |
//!
//! Products: p1 Glow Serum (unit cost $9), p2 Night Mask (unit cost $5).
//!
//! Order lines (settled, commission 10 % estimated unless said):
//! Q3: o1 ana 10 Jul $200 p1; o2 bo 5 Aug $100 p2; o3 cy 20 Sep $50 p1.
//! Oct: o4 ana 5 Oct $300 p1; o5 cy 20 Oct $80 p2.
//! Nov: o6 ana 3 Nov $400 p1; o7 eve 12 Nov $120 p2; o8 dee 20 Nov $60 p1 refunded;
//!      o9 bo 25 Nov $90 p1 with no commission.
//! Dec: o10 dee 10 Dec $70 p2.
//! First net sales: ana 10 Jul (39 days after joining), bo 5 Aug (65), cy 20 Sep (67),
//! eve 12 Nov (33), dee 10 Dec (131; her November line was refunded).
//!
//! Samples (shipping cost; unit cost added): S1 ana p1 shipped 1 Jul, delivered 3 Jul, $5, video
//! 5 Jul; S2 cy p2 25 Sep / 28 Sep, $5, no video; S3 eve p2 12 Oct / 15 Oct, $6, video 1 Nov;
//! S4 dee p1 30 Oct / 2 Nov, $4, no video; S5 fay p1 6 Nov / 9 Nov, $4, video 20 Nov;
//! S6 bo p2 1 Dec / 3 Dec, $5, video 5 Dec.
//! Other videos: cy 10 Aug (500 views), ana 7 Oct (1,500 views). Views: S1's 1,000, S3's 2,000,
//! S5's 300, S6's 800.
//! Program costs: $50 on 1 Aug, $100 on 15 Nov.
//!
//! Tier history (06:00 local): review 1 Aug ana N&P→SE; daily check 15 Sep ana SE→AS; review
//! 1 Oct bo N&P→SE; review 1 Nov cy N&P→SE; daily check 20 Nov eve N&P→SE; review 1 Dec
//! ana AS→SE, cy SE→N&P, eve SE→AS; review 1 Jan 2027 bo SE→N&P.
//! Went dormant: cy on 20 Oct, dee on 25 Nov.

mod cadences;
mod export;
mod monthly;
mod pulse;
mod quarterly;

use creator_bot::db::programs::Program;
use sqlx::PgPool;

use crate::common::{self, Line, Sample, creator, lines, local, samples, video};

pub struct Ids {
    pub ana: i64,
    pub bo: i64,
    pub cy: i64,
    pub dee: i64,
    pub eve: i64,
    pub fay: i64,
}

async fn niche(pool: &PgPool, id: i64, niche: Option<&str>) {
    sqlx::query("UPDATE creators SET niche = $2 WHERE id = $1")
        .bind(id)
        .bind(niche)
        .execute(pool)
        .await
        .unwrap();
}

/// A tier change of `kind` (`monthly_review`, `daily_check`) at a program-local time.
async fn change(pool: &PgPool, p: &Program, id: i64, tier: &str, kind: &str, at: &str) {
    sqlx::query(
        "INSERT INTO tier_history (program_id, creator_id, from_tier, to_tier, kind, reason,
                                   changed_at, changed_by)
         SELECT $1, $2, tier, $3, $4, 'fixture', $5, 'system' FROM creators WHERE id = $2",
    )
    .bind(p.id)
    .bind(id)
    .bind(tier)
    .bind(kind)
    .bind(local(p, at))
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE creators SET tier = $2, tier_since = $3 WHERE id = $1")
        .bind(id)
        .bind(tier)
        .bind(local(p, at))
        .execute(pool)
        .await
        .unwrap();
}

async fn dormant(pool: &PgPool, p: &Program, id: i64, at: &str) {
    sqlx::query("UPDATE creators SET stage = 'dormant', went_dormant_at = $2 WHERE id = $1")
        .bind(id)
        .bind(local(p, at))
        .execute(pool)
        .await
        .unwrap();
}

fn line(
    order_id: &'static str,
    creator_id: i64,
    at: &'static str,
    cents: i64,
    product: &'static str,
) -> Line {
    Line {
        product_id: product,
        ..Line::settled(order_id, creator_id, at, cents)
    }
}

fn sample(
    creator_id: i64,
    product_id: &'static str,
    shipped_on: &'static str,
    delivered_on: &'static str,
    cost_cents: i64,
) -> Sample {
    Sample {
        creator_id,
        product_id,
        shipped_on,
        delivered_on: Some(delivered_on),
        cost_cents,
        first_video_at: None,
    }
}

/// The program described above.
pub async fn two_quarters(pool: &PgPool) -> (Program, Ids) {
    let p = common::program(pool).await;
    let ids = Ids {
        ana: creator(pool, &p, "ana", "2026-06-01").await,
        bo: creator(pool, &p, "bo", "2026-06-01").await,
        cy: creator(pool, &p, "cy", "2026-07-15").await,
        dee: creator(pool, &p, "dee", "2026-08-01").await,
        eve: creator(pool, &p, "eve", "2026-10-10").await,
        fay: creator(pool, &p, "fay", "2026-11-05").await,
    };
    niche(pool, ids.ana, Some("beauty")).await;
    niche(pool, ids.bo, Some("beauty")).await;
    niche(pool, ids.cy, Some("fitness")).await;
    niche(pool, ids.eve, Some("fitness")).await;
    // An empty niche is no niche.
    niche(pool, ids.fay, Some("")).await;
    sqlx::query(
        "INSERT INTO products (program_id, product_id, name, unit_cost_cents)
         VALUES ($1, 'p1', 'Glow Serum', 900), ($1, 'p2', 'Night Mask', 500)",
    )
    .bind(p.id)
    .execute(pool)
    .await
    .unwrap();
    lines(
        pool,
        &p,
        &[
            line("o1", ids.ana, "2026-07-10 10:00", 20_000, "p1"),
            line("o2", ids.bo, "2026-08-05 10:00", 10_000, "p2"),
            line("o3", ids.cy, "2026-09-20 10:00", 5_000, "p1"),
            line("o4", ids.ana, "2026-10-05 10:00", 30_000, "p1"),
            line("o5", ids.cy, "2026-10-20 10:00", 8_000, "p2"),
            line("o6", ids.ana, "2026-11-03 10:00", 40_000, "p1"),
            line("o7", ids.eve, "2026-11-12 10:00", 12_000, "p2"),
            Line {
                refunded: true,
                ..line("o8", ids.dee, "2026-11-20 10:00", 6_000, "p1")
            },
            Line {
                est_commission_cents: 0,
                ..line("o9", ids.bo, "2026-11-25 10:00", 9_000, "p1")
            },
            line("o10", ids.dee, "2026-12-10 10:00", 7_000, "p2"),
        ],
    )
    .await;
    samples(
        pool,
        &p,
        &[
            sample(ids.ana, "p1", "2026-07-01", "2026-07-03", 500),
            sample(ids.cy, "p2", "2026-09-25", "2026-09-28", 500),
            sample(ids.eve, "p2", "2026-10-12", "2026-10-15", 600),
            sample(ids.dee, "p1", "2026-10-30", "2026-11-02", 400),
            sample(ids.fay, "p1", "2026-11-06", "2026-11-09", 400),
            sample(ids.bo, "p2", "2026-12-01", "2026-12-03", 500),
        ],
    )
    .await;
    video(
        pool,
        &p,
        "v1",
        ids.ana,
        Some("p1"),
        "2026-07-05 10:00",
        1_000,
    )
    .await;
    video(pool, &p, "v2", ids.cy, None, "2026-08-10 10:00", 500).await;
    video(pool, &p, "v6", ids.ana, None, "2026-10-07 10:00", 1_500).await;
    video(
        pool,
        &p,
        "v3",
        ids.eve,
        Some("p2"),
        "2026-11-01 10:00",
        2_000,
    )
    .await;
    video(pool, &p, "v4", ids.fay, Some("p1"), "2026-11-20 10:00", 300).await;
    video(pool, &p, "v5", ids.bo, Some("p2"), "2026-12-05 10:00", 800).await;
    common::program_cost(pool, &p, None, "2026-08-01", 5_000, "Launch fee").await;
    common::program_cost(pool, &p, Some(ids.ana), "2026-11-15", 10_000, "Bonus").await;
    let review = "monthly_review";
    change(
        pool,
        &p,
        ids.ana,
        "steady_earners",
        review,
        "2026-08-01 06:00",
    )
    .await;
    change(
        pool,
        &p,
        ids.ana,
        "all_stars",
        "daily_check",
        "2026-09-15 06:00",
    )
    .await;
    change(
        pool,
        &p,
        ids.bo,
        "steady_earners",
        review,
        "2026-10-01 06:00",
    )
    .await;
    change(
        pool,
        &p,
        ids.cy,
        "steady_earners",
        review,
        "2026-11-01 06:00",
    )
    .await;
    change(
        pool,
        &p,
        ids.eve,
        "steady_earners",
        "daily_check",
        "2026-11-20 06:00",
    )
    .await;
    change(
        pool,
        &p,
        ids.ana,
        "steady_earners",
        review,
        "2026-12-01 06:00",
    )
    .await;
    change(
        pool,
        &p,
        ids.cy,
        "new_and_promising",
        review,
        "2026-12-01 06:00",
    )
    .await;
    change(pool, &p, ids.eve, "all_stars", review, "2026-12-01 06:00").await;
    change(
        pool,
        &p,
        ids.bo,
        "new_and_promising",
        review,
        "2027-01-01 06:00",
    )
    .await;
    dormant(pool, &p, ids.cy, "2026-10-20 08:00").await;
    dormant(pool, &p, ids.dee, "2026-11-25 08:00").await;
    (p, ids)
}

/// Owned strings, for comparing rows.
pub fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}
