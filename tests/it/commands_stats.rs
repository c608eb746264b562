//! The stats commands' exact replies on the November fixture (tests/stats_fixture), and what a
//! creator may see: their own card, the leaderboard by handle and rank with only their own value,
//! and never another creator's card.

use crate::commands_fixture;

use commands_fixture::{chat_program, link_creator, run, user};
use creator_bot::chat::commands::{Outcome, Visibility};
use sqlx::PgPool;

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn kpi_30d_for_staff(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(&pool, &chat, &chat.staff, "/kpi", "30d").await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(r.visibility, Visibility::Ephemeral);
    // The values of tests/kpi.rs (November), as people read them.
    assert_eq!(
        r.text(),
        "\
KPIs for glow program, 2026-11-01 to 2026-11-30
GMV (net)                        $295.00
Gross GMV                        $350.00
Refunded GMV                      $55.00
Orders                                 7
Average order value               $42.14
Commission                        $31.00
  estimated                       $29.50
  actual                          $14.00
Commission / revenue              10.51%
Selling creators                       6
GMV per selling creator           $49.17
Activated creators                     4
Sample conversion                 57.14%
Median days to first sale       8.5 days
Program cost                     $202.00
ROI                               46.04%
Cost per order                    $28.86
CLV (lifetime GMV per seller)     $63.33
Views                              6,500
Engagement rate                    6.94%
Top 1% (1 creator) GMV share      61.02%
Top 5% (1 creator) GMV share      61.02%
Top 10% (1 creator) GMV share     61.02%
Top 20% (2 creators) GMV share    74.58%"
    );
    // No period means the same 30 days.
    let default = run(&pool, &chat, &chat.staff, "kpi", "").await;
    assert_eq!(default.text(), r.text());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn mystats_is_the_callers_own_card(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(&pool, &chat, &chat.ava, "/mystats", "").await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(r.visibility, Visibility::Ephemeral);
    assert_eq!(
        r.text(),
        "\
Your stats (@ava), 2026-11-01 to 2026-11-30
Tier                              All-Stars
GMV                                 $180.00
Refunded                             $20.00
Orders                                    2
Commission                           $20.00
Rank by GMV                              #1
Videos                                    2
Views                                 4,000
Engagement rate                       8.65%
Lifetime GMV                        $180.00
Samples          2 received, 2 with a video
Last video         2026-11-10 (3,000 views)
Why All-Stars: top 10% of selling creators (rank 1 of 6)
You're in the top tier. Keep it up!
[image creator.png: @ava, 2026-11-01 to 2026-11-30: $180.00 net GMV, 2 videos]"
    );
    // Ben asking gets ben's numbers, with his way up; nothing of ava's.
    let r = run(&pool, &chat, &chat.ben, "mystats", "30d").await;
    assert_eq!(
        r.text(),
        "\
Your stats (@ben), 2026-11-01 to 2026-11-30
Tier                        New & Promising
GMV                                  $40.00
Refunded                             $15.00
Orders                                    1
Commission                            $4.00
Rank by GMV                              #2
Videos                                    1
Views                                   500
Engagement rate                      11.00%
Lifetime GMV                         $40.00
Samples          1 received, 1 with a video
Last video           2026-11-30 (500 views)
Why New & Promising: trailing 30-day GMV $40.00 below $300.00
To move up: $260.00 more GMV in the trailing 30 days reaches Steady Earners ($300.00)
        or: 4 more videos (with a sale) reaches Steady Earners
[image creator.png: @ben, 2026-11-01 to 2026-11-30: $40.00 net GMV, 1 video]"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_pinned_creator_is_not_shown_the_staff_note(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let pin = run(
        &pool,
        &chat,
        &chat.staff,
        "tier",
        "set ben 2 trial, watch closely",
    )
    .await;
    assert_eq!(pin.outcome, Outcome::Done);
    let r = run(&pool, &chat, &chat.ben, "mystats", "").await;
    let text = r.text();
    assert!(!text.contains("watch closely"), "{text}");
    assert_eq!(
        text.lines().skip(13).collect::<Vec<_>>(),
        [
            "To move up: $2,960.00 more GMV in the trailing 30 days reaches All-Stars ($3,000.00)",
            "        or: a place in the top 10% of selling creators (the top 1 of 6) reaches All-Stars",
            "[image creator.png: @ben, 2026-11-01 to 2026-11-30: $40.00 net GMV, 1 video]"
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creator_cannot_open_another_creators_card(pool: PgPool) {
    let chat = chat_program(&pool).await;
    for args in ["@ava", "ava", "<@u-ava>", "@ben"] {
        let r = run(&pool, &chat, &chat.ben, "creator", args).await;
        assert_eq!(r.outcome, Outcome::Refused, "{args}");
        assert_eq!(
            r.text(),
            "/creator is for the program's staff only. Use /mystats to see your own numbers."
        );
    }
    // /mystats takes no handle: another creator's handle is not a period.
    let r = run(&pool, &chat, &chat.ben, "mystats", "@ava").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text().lines().next(),
        Some(
            "Unknown period \"@ava\": use 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD"
        )
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_open_a_card_by_handle_or_mention(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let by_handle = run(&pool, &chat, &chat.staff, "creator", "@AVA").await;
    assert_eq!(
        by_handle.text(),
        "\
@ava, 2026-11-01 to 2026-11-30
Tier                                                 All-Stars
Tier reason                       30-day GMV reached $3,000.00
Rank by GMV                                                 #1
Joined                                              2026-10-20
First sale                                          2026-11-01
Lifetime GMV                                           $180.00
GMV (net)                                              $180.00
Gross GMV                                              $200.00
Refunded GMV                                            $20.00
Orders                                                       2
Average order value                                     $90.00
Commission                                              $20.00
  estimated                                             $18.00
  actual                                                $12.00
Commission / revenue                                    11.11%
Videos                                                       2
Views                                                    4,000
Engagement rate                                          8.65%
Sample conversion                                      100.00%
Program cost                                            $93.00
ROI                                                     93.55%
Cost per order                                          $46.50
Last video            v2 on 2026-11-10 10:00 EST (3,000 views)
Samples
Product  Shipped     Delivered   First video           Status
p2       2026-11-03  2026-11-05  2026-11-10 10:00 EST  posted
p1       2026-10-28  2026-11-01  2026-11-02 10:00 EST  posted"
    );
    // A Discord mention of ava's account opens the same card.
    let by_mention = run(&pool, &chat, &chat.staff, "creator", "<@u-ava>").await;
    assert_eq!(by_mention.text(), by_handle.text());
    let r = run(&pool, &chat, &chat.staff, "creator", "<@u-nobody>").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "That user isn't linked to a creator. Give their TikTok handle instead."
    );
    let r = run(&pool, &chat, &chat.staff, "creator", "nobody").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.text(), "There is no creator @nobody in program glow");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn leaderboards_show_creators_ranks_but_only_their_own_value(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let staff = run(&pool, &chat, &chat.staff, "leaderboard", "").await;
    assert_eq!(
        staff.text(),
        "\
Leaderboard by GMV, 2026-11-01 to 2026-11-30
#  Creator      GMV
1  @ava     $180.00
2  @ben      $40.00
3  @dan      $30.00
4  @cleo     $25.00
5  @gus      $10.00
5  @hana     $10.00"
    );
    let ben = run(&pool, &chat, &chat.ben, "leaderboard", "gmv 30d").await;
    assert_eq!(ben.visibility, Visibility::Ephemeral);
    assert_eq!(
        ben.text(),
        "\
Leaderboard by GMV, 2026-11-01 to 2026-11-30
#  Creator
1  @ava
2  @ben
3  @dan
4  @cleo
5  @gus
5  @hana
You: #2 with $40.00"
    );
    let views = run(&pool, &chat, &chat.ben, "leaderboard", "views 7d").await;
    assert_eq!(
        views.text(),
        "\
Leaderboard by Views, 2026-11-24 to 2026-11-30
#  Creator
1  @ben
You: #1 with 500 views"
    );
    // eve sold nothing in November.
    link_creator(&pool, &chat.program, "u-eve", chat.creators.eve).await;
    let eve = run(&pool, &chat, &user("u-eve"), "leaderboard", "").await;
    assert_eq!(
        eve.text().lines().last(),
        Some("You're not on this board yet: a sale in the period puts you on it.")
    );
    let empty = run(
        &pool,
        &chat,
        &user("u-eve"),
        "leaderboard",
        "videos 2026-10-01..2026-10-02",
    )
    .await;
    assert_eq!(
        empty.text(),
        "Leaderboard by Videos, 2026-10-01 to 2026-10-01: nobody yet"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn periods_are_program_local_days_before_now(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let heading = |text: String| text.lines().next().unwrap().to_string();
    for (args, expected) in [
        (
            "this-month",
            "KPIs for glow program, 2026-11-01 to 2026-11-30",
        ),
        (
            "last-month",
            "KPIs for glow program, 2026-10-01 to 2026-10-31",
        ),
        ("90d", "KPIs for glow program, 2026-09-02 to 2026-11-30"),
        (
            "2026-11-10..2026-11-20",
            "KPIs for glow program, 2026-11-10 to 2026-11-19",
        ),
    ] {
        let r = run(&pool, &chat, &chat.staff, "kpi", args).await;
        assert_eq!(heading(r.text()), expected, "{args}");
    }
    // 00:30 UTC on 1 December is still 30 November in New York.
    let late = chrono::DateTime::parse_from_rfc3339("2026-12-01T00:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let r = commands_fixture::run_at(&pool, &chat.staff, "kpi", "this-month", late).await;
    assert_eq!(
        heading(r.text()),
        "KPIs for glow program, 2026-11-01 to 2026-11-30"
    );
}
