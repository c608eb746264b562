//! Tier changes grant and revoke tier roles or channels through the outbox, in the same
//! transaction as the change, once per change.

use crate::common;

use chrono::{DateTime, Utc};
use common::{Line, creator, lines, program};
use creator_bot::chat::Recipient;
use creator_bot::config::Config;
use creator_bot::domain::timefmt::parse_datetime;
use creator_bot::domain::{Handle, Tier};
use creator_bot::features::tiers;
use sqlx::PgPool;

/// (creator handle, action, tier) of every membership action delivered, in order.
async fn memberships(pool: &PgPool, at: DateTime<Utc>) -> Vec<(String, String, String)> {
    common::lifecycle::deliver(pool, at)
        .await
        .into_iter()
        .filter(|r| r.message.kind == creator_bot::chat::MessageKind::Membership)
        .map(|r| {
            let handle = match r.message.to {
                Recipient::Creator { handle, .. } => handle,
                Recipient::Channel(c) => c.key(),
                Recipient::ChatUser { user_id } => user_id,
            };
            let field = |k: &str| {
                r.message.payload[k]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            // The dispatcher resolved the tier to its role and channel on the platform.
            let creator_bot::chat::Address::Membership {
                user_id,
                grant,
                role_id,
                channel_id,
                ..
            } = &r.message.address
            else {
                panic!("a membership action without a membership address")
            };
            assert_eq!(user_id, &handle);
            assert_eq!(*grant, field("action") == "grant");
            assert_eq!(role_id, &Some(format!("role:{}", field("tier"))));
            assert_eq!(
                channel_id,
                &Some(format!("#{}", field("tier").replace('_', "-")))
            );
            (handle, field("action"), field("tier"))
        })
        .collect()
}

fn act(h: &str, action: &str, tier: &str) -> (String, String, String) {
    (h.into(), action.into(), tier.into())
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_pin_to_another_tier_revokes_then_grants(pool: PgPool) {
    let p = program(&pool).await;
    creator(&pool, &p, "ana", "2026-10-01").await;
    let at = parse_datetime("2026-11-02 11:00", p.timezone).unwrap();
    let ana = Handle::parse("ana").unwrap();
    tiers::set(&pool, &p, &ana, Tier::AllStars, "launch partner", "sam", at)
        .await
        .unwrap();
    // Pinning the tier she already has changes no membership.
    tiers::set(
        &pool,
        &p,
        &ana,
        Tier::AllStars,
        "still a partner",
        "sam",
        at,
    )
    .await
    .unwrap();
    assert_eq!(
        memberships(&pool, at).await,
        vec![act("ana", "grant", "all_stars"),]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_review_moves_memberships_both_ways_once(pool: PgPool) {
    let p = program(&pool).await;
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    creator(&pool, &p, "bo", "2026-10-01").await;
    sqlx::query("UPDATE creators SET tier = 'all_stars' WHERE handle = 'bo'")
        .execute(&pool)
        .await
        .unwrap();
    // Ana is the only seller: in the top 10 %, so All-Stars; Bo sold nothing.
    lines(
        &pool,
        &p,
        &[Line::settled("o1", ana, "2026-11-10 10:00", 40_000)],
    )
    .await;
    let cfg = Config::default().tiers;
    let at = parse_datetime("2026-12-01 06:00", p.timezone).unwrap();
    let run = tiers::review(&pool, &p, &cfg, at, false).await.unwrap();
    assert_eq!((run.promoted, run.demoted), (1, 1));
    // A dry run and a second review queue nothing more.
    tiers::review(&pool, &p, &cfg, at, true).await.unwrap();
    tiers::review(&pool, &p, &cfg, at, false).await.unwrap();
    assert_eq!(
        memberships(&pool, at).await,
        vec![
            act("ana", "grant", "all_stars"),
            act("bo", "revoke", "all_stars"),
        ]
    );
}
