//! Sample follow-up: a sample delivered with no video of its product after a week earns a
//! friendly nudge, a week later a more direct one, a week after that staff are told (and a
//! creator who never got going is marked dormant). A video of the product stops it, and queued
//! nudges for that sample are cancelled (here and in the videos import).

use anyhow::Result;
use serde_json::json;
use sqlx::PgConnection;

use super::{Run, Scheduled, enqueue, step_named};
use crate::db::sequences::{self as seq_db, steps::due_activation};
use crate::domain::messages::{Message, format_day};
use crate::domain::sequences;
use crate::domain::timefmt::local_day;
use crate::templates::Vars;

/// Stages of creators who have not got going yet: the only ones a silent sample makes dormant.
const NOT_STARTED: [&str; 3] = ["invited", "onboarding", "awaiting_first_post"];

pub(super) async fn run(conn: &mut PgConnection, run: &Run<'_>, out: &mut Scheduled) -> Result<()> {
    let steps = sequences::activation(&run.config.sequences);
    let due = due_activation(conn, &run.step_query(&steps)).await?;
    if due.is_empty() {
        return Ok(());
    }
    let mut dms = Vec::new();
    let mut alerts = Vec::new();
    let mut dormant = Vec::new();
    for d in &due {
        let step = step_named(&steps, &d.step)?;
        let tz = run.tz(&d.tz);
        let extra = json!({"sequence": "activation", "step": d.step, "sample_id": d.sample_id});
        // Days since delivery as the creator will read it: on their calendar, the day it arrives.
        let days = (local_day(
            sequences::dm_send_at(d.due_at, run.now, &run.daytime, tz),
            tz,
        ) - d.delivered_on)
            .num_days();
        match step.message {
            Message::ActivationDormantAlert => {
                let not_started = NOT_STARTED.contains(&d.stage.as_str());
                if not_started {
                    dormant.push(d.creator_id);
                }
                let vars = Vars::new()
                    .set("handle", d.handle.as_str())
                    .set("product", d.product.as_str())
                    .set("delivered_on", format_day(d.delivered_on))
                    .set("days", days)
                    .set("moved_to_dormant", not_started);
                alerts.push(run.staff_alert(
                    d.creator_id,
                    &d.dedupe_key,
                    step.message,
                    &vars,
                    d.due_at,
                    extra,
                )?);
            }
            message => {
                let mut vars = Vars::new()
                    .set("first_name", d.first_name.as_str())
                    .set("product", d.product.as_str());
                if message == Message::ActivationNudge2 {
                    vars = vars.set("days", days);
                }
                dms.push(run.dm(
                    d.creator_id,
                    &d.dedupe_key,
                    message,
                    &vars,
                    d.due_at,
                    tz,
                    extra,
                )?);
            }
        }
    }
    out.activation += enqueue(conn, &dms).await?;
    out.staff_alerts += enqueue(conn, &alerts).await?;
    out.to_dormant += seq_db::move_stage(
        conn,
        run.program.id,
        &dormant,
        (&NOT_STARTED, "dormant"),
        run.now,
    )
    .await?;
    Ok(())
}
