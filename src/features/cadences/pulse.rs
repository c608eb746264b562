//! The weekly pulse in #staff: the weekly report (`features::reports::weekly`) in the pulse's
//! template, with the GMV chart of the last 8 weeks for the dispatcher to draw.

use anyhow::Result;
use minijinja::Value;
use sqlx::PgPool;

use super::{Cadence, Post};
use crate::chat::MessageKind;
use crate::domain::channels::ProgramChannel;
use crate::domain::format_cents;
use crate::domain::messages::{Message, format_count};
use crate::features::reports::kpis::{Shown, show_change};
use crate::features::reports::weekly::{self, WeeklyReport};
use crate::templates::Vars;

/// Queues the pulse of the 7 days before the instant's day; `false` if queued before.
pub async fn post(pool: &PgPool, c: &Cadence<'_>) -> Result<bool> {
    let report = weekly::build(pool, c.program, c.instant).await?;
    let text = c
        .templates
        .render(Message::WeeklyPulse, &vars(c, &report))?;
    let mut conn = pool.acquire().await?;
    c.queue(
        &mut conn,
        Post {
            channel: ProgramChannel::Staff,
            kind: MessageKind::StaffAlert,
            dedupe_key: format!("cadence:weekly_pulse:{}", c.today()),
            template: Some(Message::WeeklyPulse.name()),
            text,
            charts: &report.charts,
        },
    )
    .await
}

/// The pulse template's variables.
fn vars(c: &Cadence<'_>, r: &WeeklyReport) -> Vars {
    let money = |cents| format_cents(cents, &c.program.currency);
    let change =
        weekly::gmv_change(&r.kpis, &r.previous_kpis).map(|c| show_change(Some(c), Shown::Money));
    let top: Vec<Value> = r
        .top
        .iter()
        .map(|t| {
            minijinja::context! { handle => Value::from(t.handle.as_str()), gmv => Value::from(money(t.gmv_cents)) }
        })
        .collect();
    let (from, to) = c.shown(r.about.period());
    Vars::new()
        .set("from", from)
        .set("to", to)
        .set("gmv", money(r.kpis.sales.gmv_cents))
        .set("previous_gmv", money(r.previous_kpis.sales.gmv_cents))
        .set("change", change)
        .set("orders", format_count(r.kpis.sales.orders))
        .set("new_activations", r.new_activations.clone())
        .set("first_sales", r.first_sales.clone())
        .set("top", top)
        .set("unlinked", r.unlinked_creators)
}
