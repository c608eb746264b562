//! `/optout`, `/optin` and `/link`: opting out cancels exactly the creator's queued DMs in the
//! same step, opting in does not bring them back, and a chat account links to one unclaimed
//! creator at most.

use crate::commands_fixture;

use chrono::{DateTime, Duration, Utc};
use commands_fixture::{GUILD, chat_program, now, run, run_at, user};
use creator_bot::chat::commands::{Caller, Outcome};
use creator_bot::chat::{MessageKind, Platform};
use creator_bot::db::chat as chat_db;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::domain::Handle;
use creator_bot::features::linking::{self, LinkError};
use sqlx::PgPool;

async fn queue(
    pool: &PgPool,
    program_id: i64,
    key: &str,
    kind: MessageKind,
    creator: i64,
    due: DateTime<Utc>,
) {
    let mut conn = pool.acquire().await.unwrap();
    let queued = outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id,
            dedupe_key: key.into(),
            kind,
            creator_id: Some(creator),
            channel: (kind == MessageKind::StaffAlert)
                .then_some(creator_bot::domain::channels::ProgramChannel::Staff),
            template: None,
            text: format!("text of {key}"),
            extra: serde_json::json!({}),
            due_at: due,
        },
    )
    .await
    .unwrap();
    assert!(queued);
}

/// Every outbox row as (dedupe key, status, last error), by key.
async fn outbox_rows(pool: &PgPool) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT dedupe_key, status, last_error FROM outbox ORDER BY dedupe_key")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn opted_out(pool: &PgPool, creator: i64) -> (bool, Option<DateTime<Utc>>) {
    sqlx::query_as("SELECT opted_out, opted_out_at FROM creators WHERE id = $1")
        .bind(creator)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn optout_cancels_queued_dms_and_optin_does_not_bring_them_back(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let (p, c) = (chat.program.id, &chat.creators);
    let at = now(&chat.program);
    queue(
        &pool,
        p,
        "ava:nudge1",
        MessageKind::Dm,
        c.ava,
        at + Duration::hours(2),
    )
    .await;
    queue(
        &pool,
        p,
        "ava:nudge2",
        MessageKind::Dm,
        c.ava,
        at + Duration::days(7),
    )
    .await;
    queue(
        &pool,
        p,
        "ava:sent",
        MessageKind::Dm,
        c.ava,
        at - Duration::days(1),
    )
    .await;
    sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $1 WHERE dedupe_key = 'ava:sent'")
        .bind(at - Duration::days(1))
        .execute(&pool)
        .await
        .unwrap();
    queue(&pool, p, "ava:alert", MessageKind::StaffAlert, c.ava, at).await;
    queue(
        &pool,
        p,
        "ben:nudge1",
        MessageKind::Dm,
        c.ben,
        at + Duration::hours(2),
    )
    .await;

    let r = run(&pool, &chat, &chat.ava, "/optout", "").await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        r.text(),
        "You're opted out: the bot won't send you direct messages any more. Use /optin whenever you want them back."
    );
    assert_eq!(opted_out(&pool, c.ava).await, (true, Some(at)));
    let cancelled = Some("creator opted out".to_string());
    let expected_after_optout = vec![
        ("ava:alert".to_string(), "pending".to_string(), None),
        (
            "ava:nudge1".to_string(),
            "cancelled".to_string(),
            cancelled.clone(),
        ),
        (
            "ava:nudge2".to_string(),
            "cancelled".to_string(),
            cancelled.clone(),
        ),
        ("ava:sent".to_string(), "sent".to_string(), None),
        ("ben:nudge1".to_string(), "pending".to_string(), None),
    ];
    assert_eq!(outbox_rows(&pool).await, expected_after_optout);
    assert_eq!(opted_out(&pool, c.ben).await, (false, None));

    // Again, an hour later: nothing changes, not even the instant of the opt-out.
    let later = at + Duration::hours(1);
    let r = run_at(&pool, &chat.ava, "optout", "", later).await;
    assert_eq!(
        r.text(),
        "You were opted out already: the bot sends you no direct messages. Use /optin to get them again."
    );
    assert_eq!(opted_out(&pool, c.ava).await, (true, Some(at)));

    let r = run_at(&pool, &chat.ava, "optin", "", later).await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        r.text(),
        "Welcome back: the bot will send you direct messages again. Use /optout to stop them."
    );
    assert_eq!(opted_out(&pool, c.ava).await, (false, None));
    // The cancelled DMs stay cancelled.
    assert_eq!(outbox_rows(&pool).await, expected_after_optout);
    let r = run_at(&pool, &chat.ava, "optin", "", later).await;
    assert_eq!(
        r.text(),
        "You're already getting direct messages from the bot. Use /optout to stop them."
    );
}

async fn identities(pool: &PgPool) -> Vec<(String, String, String, Option<String>, Option<i64>)> {
    sqlx::query_as(
        "SELECT ci.platform, ci.workspace_id, ci.user_id, c.handle, ci.staff_id
           FROM chat_identities ci LEFT JOIN creators c ON c.id = ci.creator_id
          ORDER BY ci.platform, ci.user_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn link_claims_an_unclaimed_creator(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let newcomer = user("u-dan");
    let r = run(&pool, &chat, &newcomer, "/link", "@Dan").await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        r.text(),
        "Linked: your account is now @dan in glow program. Try /mystats to see your numbers."
    );
    let linked_at: DateTime<Utc> =
        sqlx::query_scalar("SELECT linked_at FROM chat_identities WHERE user_id = 'u-dan'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(linked_at, now(&chat.program));
    // Now a creator: their own card, dan's numbers.
    let r = run(&pool, &chat, &newcomer, "mystats", "").await;
    assert_eq!(r.outcome, Outcome::Done);
    let lines: Vec<String> = r.text().lines().take(3).map(String::from).collect();
    assert_eq!(
        lines,
        [
            "Your stats (@dan), 2026-11-01 to 2026-11-30",
            "Tier                        New & Promising",
            "GMV                                  $30.00",
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn link_refuses_unknown_and_taken_handles(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let before = identities(&pool).await;
    let r = run(&pool, &chat, &chat.stranger, "link", "nobody").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "There is no creator @nobody in glow program: check the spelling of your TikTok handle, or ask the program's staff to add you"
    );
    let r = run(&pool, &chat, &chat.stranger, "link", "ava").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "@ava is already linked to another account. If that is your TikTok handle, ask the program's staff to sort it out."
    );
    let r = run(&pool, &chat, &chat.stranger, "link", "").await;
    assert_eq!(
        r.text(),
        "Missing your TikTok handle\nUsage: /link <handle>"
    );
    assert_eq!(identities(&pool).await, before);
    // The same creator may link an account in each workspace: ava on the brand's Slack too.
    chat_db::add_workspace(&pool, chat.program.id, "slack", "T1")
        .await
        .unwrap();
    let ava_on_slack = Caller::new(Platform::Slack, "T1", "U0AVA");
    let r = run(&pool, &chat, &ava_on_slack, "link", "ava").await;
    assert_eq!(r.outcome, Outcome::Done);
    let ava = Some("ava".to_string());
    assert_eq!(
        identities(&pool).await,
        vec![
            (
                "discord".into(),
                GUILD.into(),
                "u-ava".into(),
                ava.clone(),
                None
            ),
            (
                "discord".into(),
                GUILD.into(),
                "u-ben".into(),
                Some("ben".into()),
                None
            ),
            (
                "discord".into(),
                GUILD.into(),
                "u-maya".into(),
                None,
                Some(1)
            ),
            ("slack".into(), "T1".into(), "U0AVA".into(), ava, None),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn linked_accounts_are_not_relinked(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let before = identities(&pool).await;
    let r = run(&pool, &chat, &chat.staff, "link", "dan").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "Your account belongs to the program's staff, so it can't be linked to a creator"
    );
    let r = run(&pool, &chat, &chat.ava, "link", "dan").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "Your account is already linked to @ava; the program's staff can change it"
    );
    assert_eq!(identities(&pool).await, before);
    // The feature refuses too, whoever calls it.
    let dan = Handle::parse("dan").unwrap();
    let err = linking::link(
        &pool,
        &chat.program,
        chat.staff.chat_user(),
        &dan,
        now(&chat.program),
        7,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<LinkError>(),
        Some(&LinkError::StaffAccount)
    );
    assert_eq!(identities(&pool).await, before);
}
