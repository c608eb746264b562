//! What Slack's refusals do to a delivery, against the fake: a 429 waits Slack's own
//! Retry-After (without counting an attempt), a 5xx backs off and is tried again, and each
//! permanent refusal fails the delivery at once with staff told in #staff, in plain words, what
//! to do (a recipient whose account is gone is marked as left).

use chrono::{DateTime, Duration, Utc};
use creator_bot::config::slack::SlackMode;
use creator_bot::domain::channels::ProgramChannel;
use sqlx::PgPool;

use super::life::{channel_id, delivery, dm, expected_body, post, sent, set_up};
use super::{MAYA, start, workspace};
use crate::common::lifecycle::{creator_in, utc};
use crate::slack_fake::{Failure, FakeSlack};

const SETUP: &str = "run `creator-bot slack setup` (or /setup in Slack)";

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn rate_limits_and_server_errors_are_retried_as_slack_asks(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now, SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    let competitions = channel_id(&fake, "competitions");

    // 429 with Retry-After: 3: due again 3 s later, the attempt not counted, nothing posted.
    fake.fail_next("chat.postMessage", Failure::rate_limited(3));
    post(
        &bot,
        "k:429",
        ProgramChannel::Competitions,
        "Round 1 is open",
    )
    .await;
    bot.dispatch().await;
    let d = delivery(&pool, "k:429").await;
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 0), "{d:?}");
    assert_eq!(d.due_at, now + Duration::seconds(3));
    assert_eq!(
        d.last_error.as_deref(),
        Some("rate limited by the platform; retry after 3s")
    );
    let calls = fake.calls("chat.postMessage");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, 429);
    assert!(fake.messages_in(&competitions).is_empty());
    bot.clock.advance(Duration::seconds(3));
    bot.dispatch().await;
    let d = delivery(&pool, "k:429").await;
    assert_eq!((d.status.as_str(), d.attempts), ("sent", 1), "{d:?}");
    assert_eq!(d.last_error, None);
    let posted = fake.messages_in(&competitions);
    assert_eq!(posted.len(), 1);
    assert_eq!(
        sent(&fake.calls("chat.postMessage")[1]),
        expected_body(&competitions, "Round 1 is open")
    );

    // 503: transient, retried after the first backoff (30 s), counted.
    fake.fail_next("chat.postMessage", Failure::Server(503));
    post(
        &bot,
        "k:503",
        ProgramChannel::Competitions,
        "Round 2 is open",
    )
    .await;
    let at = bot_now(&bot);
    bot.dispatch().await;
    let d = delivery(&pool, "k:503").await;
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1), "{d:?}");
    assert_eq!(d.due_at, at + Duration::seconds(30));
    assert_eq!(
        d.last_error.as_deref(),
        Some("Slack answered HTTP 503; will try again")
    );
    bot.clock.advance(Duration::seconds(29));
    bot.dispatch().await;
    assert_eq!(delivery(&pool, "k:503").await.status, "pending", "not yet");
    bot.clock.advance(Duration::seconds(1));
    bot.dispatch().await;
    let d = delivery(&pool, "k:503").await;
    assert_eq!((d.status.as_str(), d.attempts), ("sent", 2), "{d:?}");
    let texts: Vec<Option<String>> = fake
        .messages_in(&competitions)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts,
        vec![
            Some("Round 1 is open".to_string()),
            Some("Round 2 is open".to_string())
        ]
    );
    // Nothing failed, so #staff heard nothing.
    assert!(fake.messages_in(&channel_id(&fake, "staff")).is_empty());
}

fn bot_now(bot: &super::Bot) -> DateTime<Utc> {
    use creator_bot::jobs::Clock;
    bot.clock.now()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn each_refusal_fails_at_once_and_staff_hear_why(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now, SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    let competitions = channel_id(&fake, "competitions");
    let staff = channel_id(&fake, "staff");
    let maya = creator_in(&pool, &bot.program, "maya", "Maya", "2026-12-01", None).await;
    bot.link(MAYA, maya).await;
    let maya_dm = crate::slack_fake::dm_channel_id(MAYA);

    // (what is sent, Slack's answer to chat.postMessage, the reason stored and told to staff).
    let cases: [(&str, &str, String); 6] = [
        (
            "dm",
            "account_inactive",
            "Slack refused the bot's token (account_inactive): reinstall the app to the \
             workspace and set SLACK_BOT_TOKEN to its new Bot User OAuth Token"
                .into(),
        ),
        (
            "dm",
            "cannot_dm_bot",
            "the linked Slack account is a bot, which can't receive direct messages: link the \
             creator's own account"
                .into(),
        ),
        (
            "post",
            "channel_not_found",
            format!(
                "the channel no longer exists, or the bot can't see it: {SETUP} to create or \
                 adopt it"
            ),
        ),
        (
            "post",
            "not_in_channel",
            format!(
                "the bot is not a member of the channel: type /invite @creator-bot in it, or \
                 {SETUP}"
            ),
        ),
        (
            "post",
            "is_archived",
            format!(
                "the channel is archived: unarchive it in Slack, or rename it and {SETUP} to \
                 create a new one"
            ),
        ),
        // Last: it marks Maya's account as left.
        (
            "dm",
            "user_not_found",
            "their Slack account is deactivated or no longer in the workspace; nothing more is \
             sent to them on Slack until it is active again"
                .into(),
        ),
    ];
    for (n, (what, code, reason)) in cases.iter().enumerate() {
        let key = format!("k:{code}");
        let (target, told) = if *what == "dm" {
            fake.fail_next_where(
                "chat.postMessage",
                "channel",
                &maya_dm,
                Failure::error(code),
            );
            dm(&bot, &key, maya, "Hi Maya").await;
            (
                maya_dm.clone(),
                "a DM to @maya (onboarding_welcome)".to_string(),
            )
        } else {
            fake.fail_next_where(
                "chat.postMessage",
                "channel",
                &competitions,
                Failure::error(code),
            );
            post(&bot, &key, ProgramChannel::Competitions, "Winners soon").await;
            (competitions.clone(), "a post in #competitions".to_string())
        };
        bot.dispatch().await;
        let d = delivery(&pool, &key).await;
        assert_eq!(
            (d.status.as_str(), d.attempts),
            ("failed", 1),
            "{code}: {d:?}"
        );
        assert_eq!(d.last_error.as_deref(), Some(reason.as_str()), "{code}");
        assert_eq!(d.platform_message_id, None);
        let refused = fake
            .calls("chat.postMessage")
            .into_iter()
            .rfind(|c| c.param("channel") == Some(target.as_str()))
            .unwrap();
        assert_eq!(refused.error(), Some(*code));
        let alerts = fake.messages_in(&staff);
        assert_eq!(alerts.len(), n + 1, "{code}");
        assert_eq!(
            alerts[n].text.as_deref(),
            Some(format!("Could not deliver {told}: {reason}. It will not be retried.").as_str()),
            "{code}"
        );
    }
    // Nothing reached Maya or #competitions.
    assert!(fake.messages_in(&maya_dm).is_empty());
    assert!(fake.messages_in(&competitions).is_empty());

    // Only the account Slack said is gone is marked as left; a later DM is not sent.
    let left_at: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT left_at FROM chat_identities WHERE creator_id = $1")
            .bind(maya)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left_at, Some(now));
    let posts_before = fake.calls("chat.postMessage").len();
    dm(&bot, "k:after", maya, "Anyone there?").await;
    bot.dispatch().await;
    assert_eq!(fake.calls("chat.postMessage").len(), posts_before);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_tier_channel_the_bot_left_fails_the_invite_with_what_to_do(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now, SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    let all_stars = channel_id(&fake, "all-stars");
    let staff = channel_id(&fake, "staff");
    let maya = creator_in(&pool, &bot.program, "maya", "Maya", "2026-12-01", None).await;
    bot.link(MAYA, maya).await;

    fake.fail_next("conversations.invite", Failure::error("not_in_channel"));
    let mut conn = pool.acquire().await.unwrap();
    creator_bot::db::tiers::insert_history(
        &mut conn,
        bot.program.id,
        &[creator_bot::db::tiers::HistoryEntry {
            creator_id: maya,
            from: creator_bot::domain::Tier::NewAndPromising,
            to: creator_bot::domain::Tier::AllStars,
            kind: creator_bot::domain::tier_rules::ChangeKind::DailyCheck,
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
    let invites = fake.calls("conversations.invite");
    assert_eq!(invites.len(), 1);
    assert_eq!(
        sent(&invites[0]),
        serde_json::json!({"channel": all_stars, "users": MAYA})
    );
    assert!(!fake.members(&all_stars).contains(&MAYA.to_string()));
    let reason = format!(
        "the bot is not a member of the tier channel, so it can't add anyone: type /invite \
         @creator-bot in that channel, or {SETUP}"
    );
    let alerts = fake.messages_in(&staff);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        alerts[0].text.as_deref(),
        Some(
            format!(
                "Could not deliver a tier membership change for @maya: {reason}. It will not be \
                 retried."
            )
            .as_str()
        )
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_scope_the_app_lacks_is_named_to_staff(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now, SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    let competitions = channel_id(&fake, "competitions");
    let staff = channel_id(&fake, "staff");
    fake.fail_next_where(
        "chat.postMessage",
        "channel",
        &competitions,
        Failure::MissingScope("chat:write.public".into()),
    );
    post(
        &bot,
        "k:scope",
        ProgramChannel::Competitions,
        "Winners soon",
    )
    .await;
    bot.dispatch().await;
    let reason = "the Slack app lacks the chat:write.public permission: add it under OAuth & \
                  Permissions → Scopes (or re-create the app from `creator-bot slack manifest`), \
                  then reinstall the app";
    let d = delivery(&pool, "k:scope").await;
    assert_eq!((d.status.as_str(), d.attempts), ("failed", 1), "{d:?}");
    assert_eq!(d.last_error.as_deref(), Some(reason));
    assert!(fake.messages_in(&competitions).is_empty());
    let alerts = fake.messages_in(&staff);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        alerts[0].text.as_deref(),
        Some(
            format!("Could not deliver a post in #competitions: {reason}. It will not be retried.")
                .as_str()
        )
    );
}
