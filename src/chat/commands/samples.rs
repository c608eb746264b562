//! `/sample shipped|delivered`: staff record a sample by hand.

use anyhow::Result;
use chrono::NaiveDate;

use super::{Context, Reply, Rich};
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
    let on = r.on.to_string();
    Ok(Reply::done(match r.event {
        SampleEvent::Shipped => Rich::fill(
            "Recorded: {} ({}) shipped to @{} on {}.",
            &[&r.product_id, &r.product_name, &r.handle, &on],
        ),
        SampleEvent::Delivered => Rich::fill(
            "Recorded: {} ({}) shipped to @{} on {} was delivered on {}.",
            &[
                &r.product_id,
                &r.product_name,
                &r.handle,
                &r.shipped_on.to_string(),
                &on,
            ],
        ),
    }))
}
