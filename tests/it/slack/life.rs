//! The program's life in the fake workspace, driven by the real scheduler and dispatcher on a
//! simulated clock: onboarding DMs through DM channels opened once (Block Kit with the plain text
//! beside it), a creator linked to a bot account reported to #staff in plain words, tier changes
//! as the creator invited to one private channel and removed from the other (an invite or a
//! removal that Slack says is already done counts as done), the All-Stars check-in posted in
//! #all-stars; and posts to one channel paced to Slack's one message per second.

use chrono::{DateTime, Utc};
use creator_bot::chat::commands::{Caller, Outcome, Request, StaffSignal, respond};
use creator_bot::chat::render::escape_slack;
use creator_bot::chat::{
    Address, ChatPlatform, MessageKind, Outgoing, Platform, Recipient, SendError,
};
use creator_bot::config::slack::SlackMode;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::Clock;
use creator_bot::jobs::schedule::run_due;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::{Bot, LENA, MAYA, start, workspace};
use crate::common::lifecycle::{creator_in, utc};
use crate::slack_fake::{FakeSlack, FakeUser, RecordedCall, TEAM_ID, dm_channel_id};

/// A creator whose linked Slack account is an app's bot user.
pub const BEN: &str = "U0BEN";

/// `slack setup` through the adapter: the four channels created, each id mapped.
pub async fn set_up(fake: &FakeSlack, bot: &Bot) {
    let reply = ChatPlatform::setup(
        &*bot.slack,
        &bot.app.pool,
        &bot.app.config,
        &bot.program,
        TEAM_ID,
    )
    .await
    .unwrap();
    assert_eq!(reply.outcome, Outcome::Done, "{}", reply.text());
    assert_eq!(fake.calls("conversations.create").len(), 4);
}

/// The id of the channel named `name` in the fake.
pub fn channel_id(fake: &FakeSlack, name: &str) -> String {
    fake.channel_by_name(name).expect(name).id
}

/// One delivery as the outbox shows it.
#[derive(Debug, PartialEq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub status: String,
    pub attempts: i32,
    pub due_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub platform_message_id: Option<String>,
}

/// The Slack deliveries of a template's messages, oldest first.
pub async fn deliveries(pool: &PgPool, template: &str) -> Vec<Delivery> {
    sqlx::query_as(
        "SELECT d.id, d.status, d.attempts, d.due_at, d.last_error, d.platform_message_id
           FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.template = $1 AND d.platform = 'slack' ORDER BY d.id",
    )
    .bind(template)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The Slack delivery of the message queued under `key`.
pub async fn delivery(pool: &PgPool, key: &str) -> Delivery {
    sqlx::query_as(
        "SELECT d.id, d.status, d.attempts, d.due_at, d.last_error, d.platform_message_id
           FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.dedupe_key = $1 AND d.platform = 'slack'",
    )
    .bind(key)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Queues a post in `channel`, due now.
pub async fn post(bot: &Bot, key: &str, channel: ProgramChannel, text: &str) {
    let mut conn = bot.app.pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: bot.program.id,
            dedupe_key: key.into(),
            kind: MessageKind::Channel,
            creator_id: None,
            channel: Some(channel),
            template: None,
            text: text.into(),
            extra: json!({}),
            due_at: bot.clock.now(),
        },
    )
    .await
    .unwrap();
}

/// Queues a DM to a creator, due now.
pub async fn dm(bot: &Bot, key: &str, creator_id: i64, text: &str) {
    let mut conn = bot.app.pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: bot.program.id,
            dedupe_key: key.into(),
            kind: MessageKind::Dm,
            creator_id: Some(creator_id),
            channel: None,
            template: Some("onboarding_welcome".into()),
            text: text.into(),
            extra: json!({}),
            due_at: bot.clock.now(),
        },
    )
    .await
    .unwrap();
}

/// The message the bot posts for an outbox text: escaped mrkdwn in one section, the text as it
/// is beside it, nothing unfurled.
pub fn expected_body(channel: &str, text: &str) -> Value {
    json!({
        "channel": channel,
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": escape_slack(text)}}],
        "unfurl_links": false,
        "unfurl_media": false,
    })
}

/// A `chat.postMessage` call's parameters, the token aside.
pub fn sent(call: &RecordedCall) -> Value {
    let mut params = call.params.clone();
    if let Some(map) = params.as_object_mut() {
        map.remove("token");
    }
    params
}

fn posts_to(fake: &FakeSlack, channel: &str) -> Vec<RecordedCall> {
    fake.calls("chat.postMessage")
        .into_iter()
        .filter(|c| c.param("channel") == Some(channel))
        .collect()
}

fn membership_calls(fake: &FakeSlack) -> Vec<(String, Value)> {
    fake.requests()
        .into_iter()
        .filter(|c| c.method == "conversations.invite" || c.method == "conversations.kick")
        .map(|c| (c.method.clone(), sent(&c)))
        .collect()
}

async fn run_jobs(bot: &Bot, at: DateTime<Utc>) {
    bot.clock.set(at);
    for run in run_due(&bot.app, at).await.unwrap() {
        assert!(!run.failed, "{}: {}", run.job, run.summary);
    }
    bot.dispatch().await;
}

async fn set_tier(bot: &Bot, lena: &Caller, args: &str) {
    let r = respond(&bot.app, lena, &Request::new("tier", args)).await;
    assert_eq!(r.outcome, Outcome::Done, "{}", r.text());
    bot.dispatch().await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_program_lives_in_the_workspace(pool: PgPool) {
    let fake = FakeSlack::start(workspace().user(FakeUser::new(BEN, "ben-bot").bot())).await;
    // Sunday 6 December 2026, 10:00 in New York.
    let sunday = utc("2026-12-06T15:00:00Z");
    let bot = start(&pool, &fake, sunday, SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    let all_stars = channel_id(&fake, "all-stars");
    let steady = channel_id(&fake, "steady-earners");
    let staff = channel_id(&fake, "staff");
    let maya = creator_in(&pool, &bot.program, "maya", "Maya", "2026-12-06", None).await;
    let ben = creator_in(&pool, &bot.program, "ben", "Ben", "2026-12-06", None).await;
    bot.link(MAYA, maya).await;
    bot.link(BEN, ben).await;

    // The welcome: a DM channel opened with each creator, then Maya's DM posted in it.
    run_jobs(&bot, sunday).await;
    let opened: Vec<Value> = fake
        .calls("conversations.open")
        .iter()
        .map(|c| sent(c)["users"].clone())
        .collect();
    assert_eq!(opened, vec![json!(MAYA), json!(BEN)]);
    let maya_dm = dm_channel_id(MAYA);
    assert_eq!(fake.dm_channel_of(MAYA).as_deref(), Some(maya_dm.as_str()));
    let welcome_text = "Hi Maya, welcome to the Glow Creators creator program! 🎉\n\n\
        Here's how it works: you film TikToks with our products and tag them in TikTok Shop, \
        and you earn commission on every sale your videos bring in. Your account @maya starts \
        in New & Promising; as your sales grow you move up to Steady Earners and then \
        All-Stars, with more perks at each step.\n\n\
        Over the next few days we'll send you a short content guide and our product catalogue. \
        Type /mystats any time to see your numbers.";
    let calls = posts_to(&fake, &maya_dm);
    assert_eq!(calls.len(), 1);
    assert_eq!(sent(&calls[0]), expected_body(&maya_dm, welcome_text));
    // The "&" of "New & Promising" is escaped in the blocks only.
    assert!(
        calls[0].params["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("New &amp; Promising")
    );
    let dms = fake.dms_to(MAYA);
    assert_eq!(dms.len(), 1);
    assert_eq!(dms[0].text.as_deref(), Some(welcome_text));
    let welcome = deliveries(&pool, "onboarding_welcome").await;
    assert_eq!(welcome.len(), 2);
    assert_eq!(welcome[0].status, "sent");
    assert_eq!(
        welcome[0].platform_message_id,
        Some(format!("{maya_dm}:{}", dms[0].ts))
    );

    // Ben's account is a bot: his welcome failed at once, and #staff was told why.
    assert_eq!(welcome[1].status, "failed");
    assert_eq!(welcome[1].attempts, 1);
    let alert = "Could not deliver a DM to @ben (onboarding_welcome): the linked Slack account \
                 is a bot, which can't receive direct messages: link the creator's own account. \
                 It will not be retried.";
    assert_eq!(
        welcome[1].last_error.as_deref(),
        Some(
            "the linked Slack account is a bot, which can't receive direct messages: link the \
             creator's own account"
        )
    );
    let staff_posts = posts_to(&fake, &staff);
    assert_eq!(staff_posts.len(), 1);
    assert_eq!(sent(&staff_posts[0]), expected_body(&staff, alert));
    assert!(posts_to(&fake, &dm_channel_id(BEN)).is_empty());

    // Lena (staff) moves Maya to All-Stars. Someone had already added her to #all-stars by
    // hand: Slack answers already_in_channel, which counts as done.
    fake.update_workspace(|w| w.find_channel_mut(&all_stars).unwrap().add_member(MAYA));
    let lena = Caller::new(Platform::Slack, TEAM_ID, LENA).with_staff(StaffSignal::Staff {
        name: "Lena".into(),
    });
    set_tier(&bot, &lena, "set @maya all_stars launch partner").await;
    assert_eq!(
        membership_calls(&fake),
        vec![(
            "conversations.invite".to_string(),
            json!({"channel": all_stars, "users": MAYA})
        )]
    );
    assert_eq!(
        fake.calls("conversations.invite")[0].error(),
        Some("already_in_channel")
    );
    let memberships = membership_deliveries(&pool).await;
    assert_eq!(
        memberships,
        vec![(
            "sent".to_string(),
            Some(format!("invited:{all_stars}")),
            None
        )]
    );

    // To Steady Earners: removed from #all-stars, invited to #steady-earners.
    set_tier(&bot, &lena, "set @maya steady_earners paused for a month").await;
    let calls = membership_calls(&fake);
    assert_eq!(calls.len(), 3);
    let mut changed = calls[1..].to_vec();
    changed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        changed,
        vec![
            (
                "conversations.invite".to_string(),
                json!({"channel": steady, "users": MAYA})
            ),
            (
                "conversations.kick".to_string(),
                json!({"channel": all_stars, "user": MAYA})
            ),
        ]
    );
    assert!(!fake.members(&all_stars).contains(&MAYA.to_string()));
    assert!(fake.members(&steady).contains(&MAYA.to_string()));

    // Back to All-Stars after someone removed her from #steady-earners by hand: Slack answers
    // not_in_channel to the removal, which counts as done.
    fake.update_workspace(|w| {
        w.find_channel_mut(&steady)
            .unwrap()
            .members
            .retain(|m| m != MAYA)
    });
    set_tier(&bot, &lena, "set @maya all_stars back on track").await;
    let kicks = fake.calls("conversations.kick");
    assert_eq!(kicks.len(), 2);
    assert_eq!(sent(&kicks[1]), json!({"channel": steady, "user": MAYA}));
    assert_eq!(kicks[1].error(), Some("not_in_channel"));
    assert!(fake.members(&all_stars).contains(&MAYA.to_string()));
    let memberships = membership_deliveries(&pool).await;
    assert_eq!(memberships.len(), 5, "{memberships:?}");
    assert!(
        memberships
            .iter()
            .all(|(status, _, error)| status == "sent" && error.is_none()),
        "{memberships:?}"
    );
    let mut ids: Vec<String> = memberships.into_iter().filter_map(|m| m.1).collect();
    ids.sort();
    let mut expected = vec![
        format!("invited:{all_stars}"),
        format!("invited:{all_stars}"),
        format!("invited:{steady}"),
        format!("removed:{all_stars}"),
        format!("removed:{steady}"),
    ];
    expected.sort();
    assert_eq!(ids, expected);

    // Monday 10:00: the All-Stars check-in is posted in #all-stars.
    run_jobs(&bot, utc("2026-12-07T15:00:00Z")).await;
    let posts = fake.messages_in(&all_stars);
    assert_eq!(posts.len(), 1, "{posts:?}");
    let checkin = "☀️ Weekly check-in, week of 7 Dec 2026\n\n\
        All-Stars, what are you filming this week, and what do you need from the Glow Creators \
        team (samples, early access to new products, a brief, a rate question)? Answer with \
        /checkin followed by a line or two, and we'll get back to each of you.";
    assert_eq!(
        sent(&posts_to(&fake, &all_stars)[0]),
        expected_body(&all_stars, checkin)
    );
    let delivered = deliveries(&pool, "all_stars_checkin").await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].platform_message_id,
        Some(format!("{all_stars}:{}", posts[0].ts))
    );
    // Every call the bot made was one Slack knows, with the bot token.
    for call in fake.requests() {
        assert_ne!(call.status, 404, "{call:?}");
    }
}

/// The membership deliveries: status, message id, last error; oldest first. (Leaving New &
/// Promising, which has no channel, is cancelled before Slack is asked: left out.)
async fn membership_deliveries(pool: &PgPool) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT d.status, d.platform_message_id, d.last_error
           FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.kind = 'membership' AND d.platform = 'slack'
            AND o.payload->>'tier' <> 'new_and_promising'
          ORDER BY d.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn outgoing(bot: &Bot, channel_id: &str, text: &str) -> Outgoing {
    Outgoing {
        outbox_id: 0,
        delivery_id: 0,
        program_id: bot.program.id,
        dedupe_key: format!("direct:{text}"),
        kind: MessageKind::Channel,
        to: Recipient::Channel(ProgramChannel::Competitions),
        address: Address::Channel {
            channel_id: channel_id.to_string(),
        },
        template: None,
        text: text.to_string(),
        payload: json!({}),
        charts: Vec::new(),
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn posts_to_one_channel_are_paced(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let bot = start(&pool, &fake, now, SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    let competitions = channel_id(&fake, "competitions");
    let staff = channel_id(&fake, "staff");

    // Three posts to #competitions and one to #staff, sent by one worker: each waits for its
    // channel's turn (at most a second away), so all go out in this one pass, in order.
    for n in 1..=3 {
        post(
            &bot,
            &format!("round:{n}"),
            ProgramChannel::Competitions,
            &format!("Round {n} is open"),
        )
        .await;
    }
    post(&bot, "staff:1", ProgramChannel::Staff, "Standings are in").await;
    bot.dispatch().await;
    let texts: Vec<Option<String>> = fake
        .messages_in(&competitions)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts,
        vec![
            Some("Round 1 is open".to_string()),
            Some("Round 2 is open".to_string()),
            Some("Round 3 is open".to_string())
        ]
    );
    assert_eq!(fake.messages_in(&staff).len(), 1);
    for n in 1..=3 {
        let d = delivery(&pool, &format!("round:{n}")).await;
        assert_eq!((d.status.as_str(), d.attempts), ("sent", 1));
    }
    let at: Vec<_> = fake
        .messages_in(&competitions)
        .iter()
        .map(|m| m.at)
        .collect();
    assert!(at[0] < at[1] && at[1] < at[2], "one at a time, in order");

    // Two sends to #all-stars (quiet so far) at the same instant take its next two turns (now,
    // and a second from now); a third, two seconds away, is handed back as a wait instead of
    // holding its worker.
    let all_stars = channel_id(&fake, "all-stars");
    let burst = ["first", "second", "third"].map(|t| outgoing(&bot, &all_stars, t));
    let (a, b, c) = tokio::join!(
        bot.slack.send(&burst[0]),
        bot.slack.send(&burst[1]),
        bot.slack.send(&burst[2]),
    );
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    match c {
        Err(SendError::RetryAfter(wait)) => {
            assert!(wait > std::time::Duration::from_secs(1), "{wait:?}");
            assert!(wait <= std::time::Duration::from_secs(2), "{wait:?}");
        }
        other => panic!("the third send should wait its turn: {other:?}"),
    }
    let texts: Vec<Option<String>> = fake
        .messages_in(&all_stars)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts,
        vec![Some("first".to_string()), Some("second".to_string())],
        "the third was never posted"
    );

    // The dispatcher reschedules such a wait without counting an attempt: two direct sends take
    // #competitions' next turns while a queued post to it is being sent.
    post(
        &bot,
        "round:4",
        ProgramChannel::Competitions,
        "Round 4 is open",
    )
    .await;
    let burst = ["Reminder A", "Reminder B"].map(|t| outgoing(&bot, &competitions, t));
    let (a, b, ()) = tokio::join!(
        bot.slack.send(&burst[0]),
        bot.slack.send(&burst[1]),
        bot.dispatch(),
    );
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    let d = delivery(&pool, "round:4").await;
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 0), "{d:?}");
    assert!(
        d.due_at > now && d.due_at <= now + chrono::Duration::seconds(2),
        "{d:?}"
    );
    assert!(
        d.last_error
            .as_deref()
            .unwrap()
            .starts_with("rate limited by the platform; retry after "),
        "{d:?}"
    );
    assert_eq!(posts_to(&fake, &competitions).len(), 5);
    // Due again two seconds later (simulated), it goes out after the two that took its turn.
    bot.clock.advance(chrono::Duration::seconds(2));
    bot.dispatch().await;
    let d = delivery(&pool, "round:4").await;
    assert_eq!((d.status.as_str(), d.attempts), ("sent", 1), "{d:?}");
    let last: Vec<Option<String>> = fake
        .messages_in(&competitions)
        .into_iter()
        .skip(3)
        .map(|m| m.text)
        .collect();
    assert_eq!(
        last,
        vec![
            Some("Reminder A".to_string()),
            Some("Reminder B".to_string()),
            Some("Round 4 is open".to_string())
        ]
    );
}
