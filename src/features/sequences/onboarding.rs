//! Onboarding: welcome, content guide, then the catalogue with how to request a sample, counted
//! from each creator's own join date; it stops once they post. The welcome moves an invited
//! creator to `onboarding`.

use anyhow::Result;
use minijinja::Value;
use serde_json::json;
use sqlx::PgConnection;

use super::{Run, Scheduled, enqueue, step_named};
use crate::db::sequences::{self as seq_db, steps::due_onboarding};
use crate::domain::Tier;
use crate::domain::messages::Message;
use crate::domain::sequences;
use crate::templates::Vars;

/// Products listed in the catalogue message.
const CATALOGUE_LENGTH: i64 = 10;

pub(super) async fn run(conn: &mut PgConnection, run: &Run<'_>, out: &mut Scheduled) -> Result<()> {
    let steps = sequences::onboarding(&run.config.sequences);
    let due = due_onboarding(conn, &run.step_query(&steps)).await?;
    if due.is_empty() {
        return Ok(());
    }
    let catalogue: Value = if due.iter().any(|d| d.step == "catalogue") {
        seq_db::catalogue(&mut *conn, run.program.id, CATALOGUE_LENGTH)
            .await?
            .into_iter()
            .collect()
    } else {
        Value::from(Vec::<String>::new())
    };
    let mut messages = Vec::with_capacity(due.len());
    let mut welcomed = Vec::new();
    for d in &due {
        let step = step_named(&steps, &d.step)?;
        let vars = match step.message {
            Message::OnboardingWelcome => {
                let tier = d.tier.parse::<Tier>().unwrap_or(Tier::NewAndPromising);
                welcomed.push(d.creator_id);
                Vars::new()
                    .set("first_name", d.first_name.as_str())
                    .set("handle", d.handle.as_str())
                    .set("program", run.program.name.as_str())
                    .set("tier", tier.display_name())
            }
            Message::OnboardingContentGuide => Vars::new()
                .set("first_name", d.first_name.as_str())
                .set("program", run.program.name.as_str()),
            _ => Vars::new()
                .set("first_name", d.first_name.as_str())
                .set("program", run.program.name.as_str())
                .set("products", catalogue.clone()),
        };
        messages.push(run.dm(
            d.creator_id,
            &d.dedupe_key,
            step.message,
            &vars,
            d.due_at,
            run.tz(&d.tz),
            json!({"sequence": "onboarding", "step": d.step}),
        )?);
    }
    out.onboarding += enqueue(conn, &messages).await?;
    out.to_onboarding += seq_db::move_stage(
        conn,
        run.program.id,
        &welcomed,
        (&["invited"], "onboarding"),
        run.now,
    )
    .await?;
    Ok(())
}
