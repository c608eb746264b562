//! `/sample shipped|delivered`: staff record a sample by hand.

use anyhow::Result;
use chrono::NaiveDate;

use super::{Context, Reply};
use crate::domain::Handle;
use crate::features::samples::{self, SampleEvent};

pub async fn record(
    ctx: &Context<'_>,
    event: SampleEvent,
    handle: &Handle,
    product_id: &str,
    day: Option<NaiveDate>,
) -> Result<Reply> {
    let today = ctx.today();
    let r = samples::record(
        ctx.pool,
        ctx.program,
        event,
        handle,
        product_id,
        day.unwrap_or(today),
        today,
    )
    .await?;
    Ok(Reply::done(match r.event {
        SampleEvent::Shipped => format!(
            "Recorded: {} ({}) shipped to @{} on {}.",
            r.product_id, r.product_name, r.handle, r.on
        ),
        SampleEvent::Delivered => format!(
            "Recorded: {} ({}) shipped to @{} on {} was delivered on {}.",
            r.product_id, r.product_name, r.handle, r.shipped_on, r.on
        ),
    }))
}
