//! Reactivation: a creator who has posted before and then goes quiet gets a friendly check-in
//! after 30 days without a video (offering help or the newest product), a second one at 45 days,
//! and then goes on the dormant list with a staff alert. A new video starts a new quiet spell and
//! cancels check-ins still queued for the old one.

use anyhow::Result;
use serde_json::json;
use sqlx::PgConnection;

use super::{Run, Scheduled, enqueue, step_named};
use crate::db::sequences::{self as seq_db, steps::due_reactivation};
use crate::domain::messages::{Message, format_day};
use crate::domain::sequences;
use crate::domain::timefmt::local_day;
use crate::templates::Vars;

const NOT_DORMANT: [&str; 4] = ["invited", "onboarding", "awaiting_first_post", "active"];

pub(super) async fn run(conn: &mut PgConnection, run: &Run<'_>, out: &mut Scheduled) -> Result<()> {
    let steps = sequences::reactivation(&run.config.sequences);
    let due = due_reactivation(conn, &run.step_query(&steps)).await?;
    if due.is_empty() {
        return Ok(());
    }
    let new_product = seq_db::newest_products(&mut *conn, run.program.id, run.today, 1)
        .await?
        .into_iter()
        .next()
        .map(|(_, name)| name);
    let mut dms = Vec::new();
    let mut alerts = Vec::new();
    let mut dormant = Vec::new();
    for d in &due {
        let step = step_named(&steps, &d.step)?;
        let tz = run.tz(&d.tz);
        let extra = json!({"sequence": "reactivation", "step": d.step, "video_id": d.video_id});
        let last_video_on = local_day(d.last_video_at, tz);
        let days = (local_day(
            sequences::dm_send_at(d.due_at, run.now, &run.daytime, tz),
            tz,
        ) - last_video_on)
            .num_days();
        if step.message == Message::ReactivationDormantAlert {
            dormant.push(d.creator_id);
            let vars = Vars::new()
                .set("handle", d.handle.as_str())
                .set("days", days)
                .set("last_video_on", format_day(last_video_on));
            alerts.push(run.staff_alert(
                d.creator_id,
                &d.dedupe_key,
                step.message,
                &vars,
                d.due_at,
                extra,
            )?);
            continue;
        }
        let vars = Vars::new()
            .set("first_name", d.first_name.as_str())
            .set("days", days)
            .set("new_product", new_product.clone());
        dms.push(run.dm(
            d.creator_id,
            &d.dedupe_key,
            step.message,
            &vars,
            d.due_at,
            tz,
            extra,
        )?);
    }
    out.reactivation += enqueue(conn, &dms).await?;
    out.staff_alerts += enqueue(conn, &alerts).await?;
    out.to_dormant += seq_db::move_stage(
        conn,
        run.program.id,
        &dormant,
        (&NOT_DORMANT, "dormant"),
        run.now,
    )
    .await?;
    Ok(())
}
