//! The hand-made program the stats tests compute by hand: November 2026 in New York (DST ends on
//! 1 November), a handful of creators, order lines of every status, a refund, actual vs estimated
//! commission, a two-SKU order, lines and videos exactly at the period's local midnights, samples
//! with and without videos, flat costs. Every expected value in the tests is derived from the
//! table below.
//!
//! | creator | joined     | November net GMV                        | first net sale |
//! |---------|------------|-----------------------------------------|----------------|
//! | ava     | 2026-10-20 | O1 10000 + O2 (5000 + 3000) = 18000     | 2026-11-01     |
//! | ben     | 2026-11-02 | O4 4000 (O5 1500 ineligible)            | 2026-11-06     |
//! | cleo    | 2026-11-05 | O6 2500 (O7 unpaid)                     | 2026-11-20     |
//! | dan     | 2026-09-01 | O9 3000 (O8 7000, O11 1000 in October)  | 2026-10-15     |
//! | eve     | 2026-11-10 | —                                       | —              |
//! | finn    | 2026-11-01 | — (O12 unpaid, O13 refunded)            | —              |
//! | gus     | 2026-11-20 | O15 1000                                | 2026-11-25     |
//! | hana    | 2026-10-01 | O16 1000 (O14 500 in October)           | 2026-10-20     |
#![allow(dead_code)]

use creator_bot::db::programs::Program;
use creator_bot::domain::Period;
use sqlx::PgPool;

use crate::common::{self, Line, Sample};

pub struct Creators {
    pub ava: i64,
    pub ben: i64,
    pub cleo: i64,
    pub dan: i64,
    pub eve: i64,
    pub finn: i64,
    pub gus: i64,
    pub hana: i64,
}

/// `[2026-11-01, 2026-12-01)`.
pub fn november() -> Period {
    Period::new(date("2026-11-01"), date("2026-12-01")).unwrap()
}

pub fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

pub async fn november_program(pool: &PgPool) -> (Program, Creators) {
    let program = common::program(pool).await;
    let p = &program;
    let c = Creators {
        ava: common::creator(pool, p, "ava", "2026-10-20").await,
        ben: common::creator(pool, p, "ben", "2026-11-02").await,
        cleo: common::creator(pool, p, "cleo", "2026-11-05").await,
        dan: common::creator(pool, p, "dan", "2026-09-01").await,
        eve: common::creator(pool, p, "eve", "2026-11-10").await,
        finn: common::creator(pool, p, "finn", "2026-11-01").await,
        gus: common::creator(pool, p, "gus", "2026-11-20").await,
        hana: common::creator(pool, p, "hana", "2026-10-01").await,
    };
    let settled = Line::settled;
    common::lines(
        pool,
        p,
        &[
            // Local midnight starting 1 November (EDT): inside the period; actual commission.
            Line {
                actual_commission_cents: Some(1200),
                ..settled("O1", c.ava, "2026-11-01 00:00", 10_000)
            },
            // One order, two SKUs, still pending: one order, two net lines.
            Line {
                status: "pending",
                ..settled("O2", c.ava, "2026-11-03 12:00", 5_000)
            },
            Line {
                sku_id: "sku-2",
                status: "pending",
                ..settled("O2", c.ava, "2026-11-03 12:00", 3_000)
            },
            // Fully refunded: gross and refunded, not net.
            Line {
                refunded: true,
                ..settled("O3", c.ava, "2026-11-04 09:00", 2_000)
            },
            Line {
                status: "frozen",
                ..settled("O4", c.ben, "2026-11-06 10:00", 4_000)
            },
            Line {
                status: "ineligible",
                ..settled("O5", c.ben, "2026-11-07 10:00", 1_500)
            },
            Line {
                actual_commission_cents: Some(200),
                ..settled("O6", c.cleo, "2026-11-20 15:00", 2_500)
            },
            // Unpaid: not even gross.
            Line {
                status: "customer_unpaid",
                ..settled("O7", c.cleo, "2026-11-21 11:00", 9_999)
            },
            settled("O8", c.dan, "2026-10-15 10:00", 7_000),
            settled("O9", c.dan, "2026-11-15 10:00", 3_000),
            // Local midnight ending the period: outside it.
            settled("O10", c.ava, "2026-12-01 00:00", 8_000),
            // A minute before the period starts: outside it.
            settled("O11", c.dan, "2026-10-31 23:59", 1_000),
            Line {
                status: "customer_unpaid",
                ..settled("O12", c.finn, "2026-11-12 10:00", 4_000)
            },
            Line {
                refunded: true,
                ..settled("O13", c.finn, "2026-11-13 10:00", 2_000)
            },
            settled("O14", c.hana, "2026-10-20 10:00", 500),
            settled("O15", c.gus, "2026-11-25 10:00", 1_000),
            settled("O16", c.hana, "2026-11-26 10:00", 1_000),
        ],
    )
    .await;
    // (content id, creator, product, posted at, [views, likes, comments, shares])
    let videos = [
        (
            "v1",
            c.ava,
            Some("p1"),
            "2026-11-02 10:00",
            [1_000, 100, 10, 5],
        ),
        (
            "v2",
            c.ava,
            Some("p2"),
            "2026-11-10 10:00",
            [3_000, 201, 20, 10],
        ),
        // 23:30 EST on the last day is 04:30 UTC on 1 December: still inside.
        ("v3", c.ben, Some("p1"), "2026-11-30 23:30", [500, 50, 5, 0]),
        // Local midnight ending the period: outside.
        ("v4", c.cleo, None, "2026-12-01 00:00", [9_999, 999, 0, 0]),
        // 23:30 EDT on 31 October is 03:30 UTC on 1 November: outside.
        ("v5", c.eve, Some("p3"), "2026-10-31 23:30", [800, 80, 0, 0]),
        (
            "v6",
            c.dan,
            Some("p4"),
            "2026-11-01 00:30",
            [2_000, 40, 4, 6],
        ),
        // Before hana's sample of p1 was delivered: does not convert it.
        ("v7", c.hana, Some("p1"), "2026-11-18 10:00", [0, 0, 0, 0]),
    ];
    for (content_id, creator, product, at, counts) in videos {
        common::video_engaged(pool, p, content_id, creator, product, at, counts).await;
    }
    for (product, unit_cost) in [("p1", 1_000), ("p2", 2_000), ("p3", 500), ("p4", 1_500)] {
        common::product(pool, p, product, unit_cost).await;
    }
    let sample = |creator_id, product_id, shipped_on, delivered_on, cost_cents| Sample {
        creator_id,
        product_id,
        shipped_on,
        delivered_on,
        cost_cents,
        first_video_at: None,
    };
    common::samples(
        pool,
        p,
        &[
            // s1: shipped in October, delivered 1 November, v1 followed.
            sample(c.ava, "p1", "2026-10-28", Some("2026-11-01"), 500),
            // s2: v2 followed.
            sample(c.ava, "p2", "2026-11-03", Some("2026-11-05"), 300),
            // s3: v3 followed.
            sample(c.ben, "p1", "2026-11-05", Some("2026-11-08"), 400),
            // s4: all in October (v5 followed).
            sample(c.eve, "p3", "2026-10-20", Some("2026-10-24"), 0),
            // s5: product with no known unit cost; no video.
            sample(c.eve, "p5", "2026-11-12", Some("2026-11-15"), 250),
            // s6: still in transit.
            sample(c.cleo, "p1", "2026-11-25", None, 350),
            // s7: the video import recorded its first video.
            Sample {
                first_video_at: Some("2026-11-01 00:30"),
                ..sample(c.dan, "p4", "2026-11-01", Some("2026-11-03"), 200)
            },
            // s8: recorded first video, no video row.
            Sample {
                first_video_at: Some("2026-11-14 10:00"),
                ..sample(c.gus, "p2", "2026-11-10", Some("2026-11-12"), 100)
            },
            // s9: v7 came before delivery.
            sample(c.hana, "p1", "2026-11-01", Some("2026-11-20"), 0),
        ],
    )
    .await;
    common::program_cost(pool, p, Some(c.ava), "2026-11-15", 5_000, "livestream fee").await;
    common::program_cost(pool, p, None, "2026-12-01", 9_000, "December bonus pool").await;
    common::program_cost(pool, p, None, "2026-10-31", 1_000, "October bonus pool").await;
    common::program_cost(pool, p, None, "2026-11-30", 2_000, "November bonus pool").await;
    common::tier_change(
        pool,
        p,
        c.ava,
        "steady_earners",
        "30-day GMV reached $300.00",
        "2026-11-04 09:00",
    )
    .await;
    common::tier_change(
        pool,
        p,
        c.ava,
        "all_stars",
        "30-day GMV reached $3,000.00",
        "2026-11-05 09:00",
    )
    .await;
    (program, c)
}

/// Runs the real `creator-bot` binary against the test's database; returns its exit code, stdout
/// and stderr.
pub fn run_cli(pool: &PgPool, args: &[&str]) -> (i32, String, String) {
    let database = pool
        .connect_options()
        .get_database()
        .expect("the test database has a name")
        .to_string();
    // The server scripts/test points at, with this test's own database in place of its default.
    let server = std::env::var("DATABASE_URL").expect("DATABASE_URL is set by scripts/test");
    let query_at = server.find('?').unwrap_or(server.len());
    let path_at = server[..query_at]
        .rfind('/')
        .expect("a database URL has a path")
        + 1;
    let url = format!("{}{}{}", &server[..path_at], database, &server[query_at..]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("CREATOR_BOT_CONFIG")
        .output()
        .expect("running creator-bot");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
