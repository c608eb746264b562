//! `/tier list|set|why` and `/sample shipped|delivered` as staff run them: what they answer and
//! what they write.

use crate::commands_fixture;
use crate::common;

use chrono::{DateTime, NaiveDate, Utc};
use commands_fixture::{chat_program, now, run};
use creator_bot::chat::commands::Outcome;
use sqlx::PgPool;

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct History {
    from_tier: Option<String>,
    to_tier: String,
    kind: String,
    reason: String,
    changed_at: DateTime<Utc>,
    changed_by: String,
    pinned: bool,
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn tier_set_pins_with_the_reason_and_the_staff_members_name(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "/tier",
        r#"set @Ben "Steady Earners" great launch week, "ask him for a live""#,
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        r.text(),
        r#"@ben: New & Promising → Steady Earners, pinned by Maya (great launch week, "ask him for a live")"#
    );
    let last: History = sqlx::query_as(
        "SELECT from_tier, to_tier, kind, reason, changed_at, changed_by, pinned
           FROM tier_history WHERE creator_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(chat.creators.ben)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        last,
        History {
            from_tier: Some("new_and_promising".into()),
            to_tier: "steady_earners".into(),
            kind: "pinned".into(),
            reason: r#"great launch week, "ask him for a live""#.into(),
            changed_at: now(&chat.program),
            changed_by: "Maya".into(),
            pinned: true,
        }
    );
    let (tier, pinned): (String, bool) =
        sqlx::query_as("SELECT tier, tier_pinned FROM creators WHERE id = $1")
            .bind(chat.creators.ben)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((tier.as_str(), pinned), ("steady_earners", true));

    let why = run(&pool, &chat, &chat.staff, "tier", "why ben").await;
    assert_eq!(
        why.text(),
        r#"@ben: Steady Earners since 2026-11-30 (pinned by Maya)
Why: great launch week, "ask him for a live"
Numbers over the 30 complete days before 2026-11-30:
GMV        $40.00
Videos     0
Sale       yes
Rank       #2 of 6 selling creators
7-day GMV  $0.00
Earned now: New & Promising (trailing 30-day GMV $40.00 below $300.00); the pin keeps the current tier
To move up: $2,960.00 more GMV in the trailing 30 days reaches All-Stars ($3,000.00)
        or: a place in the top 10% of selling creators (the top 1 of 6) reaches All-Stars"#
    );
    // Pinning the tier a creator is in keeps them there, pinned.
    let r = run(&pool, &chat, &chat.staff, "tier", "set ava 1 our best").await;
    assert_eq!(r.text(), "@ava: pinned in All-Stars by Maya (our best)");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn tier_set_refusals_write_nothing(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tier_history")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = count().await;
    let r = run(&pool, &chat, &chat.staff, "tier", "set nobody 1 great").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.text(), "There is no creator @nobody in this program");
    let r = run(&pool, &chat, &chat.staff, "tier", "set ben 1").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text().lines().next(),
        Some("Missing the reason: every tier change is kept with its reason")
    );
    assert_eq!(count().await, before);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn tier_list_counts_tiers_and_lists_one(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(&pool, &chat, &chat.staff, "tier", "list").await;
    assert_eq!(
        r.text(),
        "\
Creators per tier
All-Stars        1
Steady Earners   0
New & Promising  7
Total            8"
    );
    run(
        &pool,
        &chat,
        &chat.staff,
        "tier",
        "set gus 1 launch partner",
    )
    .await;
    let r = run(&pool, &chat, &chat.staff, "tier", "list All-Stars").await;
    assert_eq!(
        r.text(),
        "\
All-Stars: 2 creators
Creator  Since       Pinned
@ava     2026-11-05
@gus     2026-11-30  yes"
    );
    let r = run(&pool, &chat, &chat.staff, "tier", "list 2").await;
    assert_eq!(r.text(), "Steady Earners: 0 creators");
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct SampleRow {
    product_id: String,
    shipped_on: NaiveDate,
    delivered_on: Option<NaiveDate>,
    cost_cents: i64,
    first_video_at: Option<DateTime<Utc>>,
}

async fn samples_of(pool: &PgPool, creator: i64) -> Vec<SampleRow> {
    sqlx::query_as(
        "SELECT product_id, shipped_on, delivered_on, cost_cents, first_video_at FROM samples
          WHERE creator_id = $1 ORDER BY shipped_on, product_id",
    )
    .bind(creator)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn samples_shipped_then_delivered(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let ben = chat.creators.ben;
    let before = samples_of(&pool, ben).await;
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "/sample",
        "shipped @ben p2 2026-11-29",
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        r.text(),
        "Recorded: p2 (Product p2) shipped to @ben on 2026-11-29."
    );
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "sample",
        "shipped ben p2 2026-11-29",
    )
    .await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "The sample of p2 shipped to @ben on 2026-11-29 is recorded already"
    );
    // No date: today in New York.
    let r = run(&pool, &chat, &chat.staff, "sample", "delivered ben p2").await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        r.text(),
        "Recorded: p2 (Product p2) shipped to @ben on 2026-11-29 was delivered on 2026-11-30."
    );
    let r = run(&pool, &chat, &chat.staff, "sample", "delivered ben p2").await;
    assert_eq!(
        r.text(),
        "The sample of p2 shipped to @ben on 2026-11-29 was delivered on 2026-11-30 already"
    );
    let mut after = before;
    after.push(SampleRow {
        product_id: "p2".into(),
        shipped_on: day("2026-11-29"),
        delivered_on: Some(day("2026-11-30")),
        cost_cents: 0,
        first_video_at: None,
    });
    assert_eq!(samples_of(&pool, ben).await, after);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_shipped_sample_finds_the_video_that_followed_it(pool: PgPool) {
    let chat = chat_program(&pool).await;
    // ava posted v1 (product p1) on 2 November at 10:00.
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "sample",
        "shipped ava p1 2026-11-01",
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done);
    let row = samples_of(&pool, chat.creators.ava)
        .await
        .into_iter()
        .find(|s| s.shipped_on == day("2026-11-01"))
        .unwrap();
    assert_eq!(
        row.first_video_at,
        Some(common::local(&chat.program, "2026-11-02 10:00"))
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sample_refusals_name_the_problem(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let before = samples_of(&pool, chat.creators.ben).await;
    for (args, expected) in [
        (
            "shipped ben p2 2026-12-01",
            "2026-12-01 is in the future (today is 2026-11-30 in the program's time zone)",
        ),
        (
            "shipped ben p9",
            "There is no product p9 in program glow: check the id, or import the product catalogue first",
        ),
        (
            "shipped nobody p2",
            "There is no creator @nobody in program glow",
        ),
        (
            "delivered ben p4",
            "No sample of p4 was shipped to @ben: record the shipment first",
        ),
        // ben's p1 shipped on 5 November.
        (
            "delivered ben p1 2026-11-04",
            "The sample of p1 to @ben shipped on 2026-11-05, after 2026-11-04: check the date",
        ),
    ] {
        let r = run(&pool, &chat, &chat.staff, "sample", args).await;
        assert_eq!(r.outcome, Outcome::Refused, "{args}");
        assert_eq!(r.text(), expected, "{args}");
    }
    assert_eq!(samples_of(&pool, chat.creators.ben).await, before);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn what_staff_typed_is_escaped_for_each_platform(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "/tier",
        "set @Ben all_stars *launch* partner <@everyone> & more",
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done);
    // The console shows it as typed; Discord and Slack get the text escaped for their markup.
    assert_eq!(
        r.text(),
        "@ben: New & Promising → All-Stars, pinned by Maya (*launch* partner <@everyone> & more)"
    );
    let discord = creator_bot::chat::render::discord(&r);
    assert_eq!(
        discord.embeds[0].description.as_deref().unwrap_or_default(),
        "@ben: New & Promising → All-Stars, pinned by Maya (\\*launch\\* partner \\<@\u{200b}everyone\\> & more)"
    );
    let slack = creator_bot::chat::render::slack(&r);
    assert_eq!(
        slack["blocks"][0]["text"]["text"],
        "@ben: New &amp; Promising → All-Stars, pinned by Maya (*launch* partner &lt;@everyone&gt; &amp; more)"
    );
}
