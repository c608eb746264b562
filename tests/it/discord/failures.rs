//! What Discord's refusals do to a delivery, against the fake: a 429 waits Discord's own
//! `retry_after` (without counting an attempt), a 5xx backs off, a missing permission and a member
//! who left fail at once with staff told what to do (the member's link marked as left), and a
//! send repeated after a crash returns the message already posted (same nonce).

use chrono::{DateTime, Duration, Utc};
use creator_bot::chat::MessageKind;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::domain::Tier;
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::domain::tier_rules::ChangeKind;
use sqlx::PgPool;

use super::{AVA, Bot, GUILD, guild, start};
use crate::common::lifecycle::{creator_in, utc};
use crate::discord_fake::{Failure, FakeDiscord};

/// #competitions mapped to `channel` (and the tier roles to `role`), the creator Ava linked.
async fn mapped(pool: &PgPool, bot: &Bot, channel: u64, role: u64) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    for c in ProgramChannel::ALL {
        creator_bot::db::channels::set_channel(
            &mut conn,
            bot.program.id,
            "discord",
            c,
            &channel.to_string(),
        )
        .await
        .unwrap();
    }
    creator_bot::db::channels::set_role(
        &mut conn,
        bot.program.id,
        "discord",
        "all_stars",
        &role.to_string(),
    )
    .await
    .unwrap();
    let ava = creator_in(pool, &bot.program, "ava", "Ava", "2026-12-01", None).await;
    bot.link(AVA, ava).await;
    ava
}

async fn post(pool: &PgPool, bot: &Bot, key: &str, text: &str) {
    let mut conn = pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: bot.program.id,
            dedupe_key: key.into(),
            kind: MessageKind::Channel,
            creator_id: None,
            channel: Some(ProgramChannel::Competitions),
            template: None,
            text: text.into(),
            extra: serde_json::json!({}),
            due_at: bot.clock_now(),
        },
    )
    .await
    .unwrap();
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Delivery {
    id: i64,
    status: String,
    attempts: i32,
    due_at: DateTime<Utc>,
    last_error: Option<String>,
    platform_message_id: Option<String>,
}

async fn delivery(pool: &PgPool, key: &str) -> Delivery {
    sqlx::query_as(
        "SELECT d.id, d.status, d.attempts, d.due_at, d.last_error, d.platform_message_id
           FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.dedupe_key = $1",
    )
    .bind(key)
    .fetch_one(pool)
    .await
    .unwrap()
}

impl Bot {
    fn clock_now(&self) -> DateTime<Utc> {
        use creator_bot::jobs::Clock;
        self.clock.now()
    }
}

/// A general channel everyone may post in, and a role the bot may grant.
fn general(fake: &FakeDiscord) -> u64 {
    fake.guild(GUILD).unwrap().general_channel_id()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn rate_limits_and_server_errors_are_retried_as_discord_asks(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now).await;
    mapped(&pool, &bot, general(&fake), 1).await;

    // 429 with retry_after 2.5 s: due again 2.5 s later, the attempt not counted.
    fake.fail_next(
        "POST",
        "/channels/*/messages",
        1,
        Failure::rate_limited(2.5),
    );
    post(&pool, &bot, "k:429", "Round 1 is open").await;
    bot.dispatch().await;
    let d = delivery(&pool, "k:429").await;
    assert_eq!(d.status, "pending");
    assert_eq!(d.attempts, 0);
    assert_eq!(d.due_at, now + Duration::milliseconds(2500));
    assert_eq!(
        d.last_error.as_deref(),
        Some("rate limited by the platform; retry after 2.5s")
    );
    bot.clock.advance(Duration::seconds(3));
    bot.dispatch().await;
    let d = delivery(&pool, "k:429").await;
    assert_eq!(d.status, "sent");
    assert_eq!(fake.messages_in(general(&fake)).len(), 1);

    // 502: retried after the backoff (30 s for the first retry), counted.
    fake.fail_next(
        "POST",
        "/channels/*/messages",
        1,
        Failure::server_error(502),
    );
    post(&pool, &bot, "k:502", "Round 2 is open").await;
    bot.dispatch().await;
    let d = delivery(&pool, "k:502").await;
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.due_at, bot.clock_now() + Duration::seconds(30));
    assert_eq!(
        d.last_error.as_deref(),
        Some("Discord answered 502; will try again")
    );
    bot.clock.advance(Duration::seconds(30));
    bot.dispatch().await;
    assert_eq!(delivery(&pool, "k:502").await.status, "sent");
    assert_eq!(fake.messages_in(general(&fake)).len(), 2);
}

/// Handles and names in the outbox's texts are shown as written: Discord's markdown characters
/// in them are escaped, and `@everyone` pings no one.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn handles_in_a_post_are_shown_as_written(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, utc("2026-12-07T15:00:00Z")).await;
    mapped(&pool, &bot, general(&fake), 1).await;
    post(
        &pool,
        &bot,
        "k:1",
        "Top: @_mia_ (*$1,200*), @ava~skin~ @everyone",
    )
    .await;
    bot.dispatch().await;
    let posted = fake.messages_in(general(&fake));
    assert_eq!(posted.len(), 1);
    assert_eq!(
        posted[0]["content"],
        "Top: @\\_mia\\_ (\\*$1,200\\*), @ava\\~skin\\~ @\u{200b}everyone"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_send_repeated_after_a_crash_posts_nothing_twice(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, utc("2026-12-07T15:00:00Z")).await;
    mapped(&pool, &bot, general(&fake), 1).await;
    post(&pool, &bot, "k:1", "Winners announced").await;
    bot.dispatch().await;
    let first = delivery(&pool, "k:1").await;
    assert_eq!(first.status, "sent");
    // The process died after Discord took the message but before it was recorded: the delivery
    // comes due again and is sent again, with the same nonce.
    sqlx::query(
        "UPDATE deliveries SET status = 'pending', platform_message_id = NULL, sent_at = NULL
          WHERE id = $1",
    )
    .bind(first.id)
    .execute(&pool)
    .await
    .unwrap();
    bot.dispatch().await;
    let again = delivery(&pool, "k:1").await;
    assert_eq!(again.status, "sent");
    assert_eq!(again.platform_message_id, first.platform_message_id);
    let sends = fake.requests_to("POST", "/channels/*/messages");
    assert_eq!(sends.len(), 2);
    assert_eq!(
        sends[0].json().unwrap()["nonce"],
        sends[1].json().unwrap()["nonce"]
    );
    assert_eq!(fake.messages_in(general(&fake)).len(), 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_missing_permission_and_a_member_who_left_fail_at_once_and_staff_hear_why(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now).await;
    let staff_channel = general(&fake);
    let ava = mapped(&pool, &bot, staff_channel, 1).await;

    // A tier change whose role the bot may not grant (Discord answers 50013).
    fake.fail_next(
        "PUT",
        "/guilds/*/members/*/roles/*",
        1,
        Failure::missing_permissions(),
    );
    let mut conn = pool.acquire().await.unwrap();
    creator_bot::db::tiers::insert_history(
        &mut conn,
        bot.program.id,
        &[creator_bot::db::tiers::HistoryEntry {
            creator_id: ava,
            from: Tier::NewAndPromising,
            to: Tier::AllStars,
            kind: ChangeKind::DailyCheck,
            reason: "test".into(),
            pinned: false,
        }],
        now,
        "test",
    )
    .await
    .unwrap();
    drop(conn);
    bot.dispatch().await;
    let alerts = fake.messages_in(staff_channel);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0]["content"],
        "Could not deliver a tier membership change for @ava: the bot is missing a permission \
         (Send Messages, Attach Files or Manage Roles), or its role is below the tier role it \
         must grant: in Server Settings → Roles drag the bot's role above All-Stars and Steady \
         Earners; `creator-bot discord setup` checks both. It will not be retried."
    );

    // Ava left the server: Discord answers 10007 to the next DM; her link is marked as left and
    // staff are told once.
    fake.fail_next("POST", "/channels/*/messages", 1, Failure::unknown_member());
    let mut conn = pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: bot.program.id,
            dedupe_key: "dm:1".into(),
            kind: MessageKind::Dm,
            creator_id: Some(ava),
            channel: None,
            template: Some("onboarding_welcome".into()),
            text: "Hi Ava".into(),
            extra: serde_json::json!({}),
            due_at: now,
        },
    )
    .await
    .unwrap();
    drop(conn);
    bot.dispatch().await;
    let left_at: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT left_at FROM chat_identities WHERE creator_id = $1")
            .bind(ava)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left_at, Some(now));
    let alerts = fake.messages_in(staff_channel);
    assert_eq!(alerts.len(), 2);
    assert_eq!(
        alerts[1]["content"],
        "Could not deliver a DM to @ava (onboarding\\_welcome): they are no longer a member of the \
         Discord server; nothing more is sent to them there until they come back. It will not \
         be retried."
    );
}
