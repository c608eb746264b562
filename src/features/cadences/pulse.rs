//! The weekly pulse for staff: last week's GMV against the week before, orders, creators who
//! posted their first video, the top creators by GMV, and how many creators have not linked a
//! chat account (the bot cannot DM them).

use anyhow::Result;
use minijinja::Value;
use sqlx::PgPool;

use super::Cadence;
use crate::chat::MessageKind;
use crate::db::cadences as db;
use crate::db::stats::leaderboard::RankedBy;
use crate::domain::channels::ProgramChannel;
use crate::domain::format_cents;
use crate::domain::messages::{Message, format_count};
use crate::templates::Vars;

/// Queues the pulse of the 7 days before the instant's day; `false` if queued before.
pub async fn post(pool: &PgPool, c: &Cadence<'_>) -> Result<bool> {
    let vars = vars(pool, c).await?;
    let mut conn = pool.acquire().await?;
    c.post(
        &mut conn,
        ProgramChannel::Staff,
        MessageKind::StaffAlert,
        format!("cadence:weekly_pulse:{}", c.today()),
        Message::WeeklyPulse,
        &vars,
    )
    .await
}

/// The pulse's text for the 7 days before the instant's day (`/report weekly`).
pub async fn text(pool: &PgPool, c: &Cadence<'_>) -> Result<String> {
    let vars = vars(pool, c).await?;
    c.templates.render(Message::WeeklyPulse, &vars)
}

async fn vars(pool: &PgPool, c: &Cadence<'_>) -> Result<Vars> {
    let week = c.last_days(7);
    let before = super::Period {
        from: week.from - chrono::Duration::days(7),
        to: week.from,
    };
    let (gmv, orders) = db::sales(pool, c.program.id, week.from, week.to).await?;
    let (previous, _) = db::sales(pool, c.program.id, before.from, before.to).await?;
    let (starts, ends) = c.instants(week);
    let activations =
        crate::features::stats::counts::new_activations(pool, c.program, starts, ends).await?;
    let unlinked = crate::features::stats::counts::unlinked_creators(pool, c.program).await?;
    let top = crate::features::stats::top_creators(
        pool,
        c.program.id,
        RankedBy::Gmv,
        ((week.from, week.to), (starts, ends)),
        None,
        3,
    )
    .await?;
    let money = |cents| format_cents(cents, &c.program.currency);
    let change = (previous > 0).then(|| {
        let pct = (gmv - previous) as f64 * 100.0 / previous as f64;
        format!("{pct:+.1}%")
    });
    let top: Vec<Value> = top
        .into_iter()
        .map(|r| {
            minijinja::context! { handle => Value::from(r.handle), gmv => Value::from(money(r.value)) }
        })
        .collect();
    let (from, to) = c.shown(week);
    let vars = Vars::new()
        .set("from", from)
        .set("to", to)
        .set("gmv", money(gmv))
        .set("previous_gmv", money(previous))
        .set("change", change)
        .set("orders", format_count(orders))
        .set("new_activations", activations)
        .set("top", top)
        .set("unlinked", unlinked);
    Ok(vars)
}
