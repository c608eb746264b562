//! Milestones and promotion notes: congratulations on a first sale, on cumulative commission
//! passing the threshold, on going viral (with a staff alert when the tier check has not queued
//! one), and on moving up a tier (what the new tier brings). Each is sent once, as soon as it is
//! seen, and only if it happened within the catch-up window.

use anyhow::Result;
use chrono::Days;
use serde_json::json;
use sqlx::PgConnection;

use super::{Run, Scheduled, enqueue};
use crate::db::sequences::milestones::{
    DueMilestone, commission_milestones, first_sales, promotions, viral_milestones,
};
use crate::domain::Tier;
use crate::domain::messages::Message;
use crate::domain::sequences::catch_up;
use crate::templates::Vars;

pub(super) async fn run(conn: &mut PgConnection, run: &Run<'_>, out: &mut Scheduled) -> Result<()> {
    let cfg = &run.config.sequences;
    let pid = run.program.id;
    let tz = run.program.timezone.name();
    let first_day = run.today - Days::new(u64::from(cfg.catch_up_days));
    let since = run.now - catch_up(cfg);
    let mut dms = Vec::new();
    let mut alerts = Vec::new();

    for d in first_sales(conn, pid, tz, first_day, run.today).await? {
        let vars = Vars::new()
            .set("first_name", d.first_name.as_str())
            .set("program", run.program.name.as_str());
        dms.push(dm(
            run,
            &d,
            Message::MilestoneFirstSale,
            &vars,
            "first_sale",
        )?);
    }

    let threshold = cfg.milestone_commission_cents;
    for d in commission_milestones(conn, pid, tz, first_day, run.today, threshold).await? {
        let vars = Vars::new()
            .set("first_name", d.first_name.as_str())
            .set("commission", run.money(d.amount_cents))
            .set("milestone", run.money(threshold));
        dms.push(dm(
            run,
            &d,
            Message::MilestoneCommission,
            &vars,
            "commission",
        )?);
    }

    let viral_days = run.config.tiers.viral_window_days;
    for d in viral_milestones(conn, pid, tz, since, run.now, viral_days).await? {
        let gmv = run.money(d.amount_cents);
        let vars = Vars::new()
            .set("first_name", d.first_name.as_str())
            .set("gmv", gmv.as_str())
            .set("days", viral_days)
            .set("tier", Tier::AllStars.display_name());
        dms.push(dm(run, &d, Message::MilestoneViral, &vars, "viral")?);
        if !d.alert_queued {
            let vars = Vars::new()
                .set("handle", d.handle.as_str())
                .set("gmv", gmv.as_str())
                .set("days", viral_days);
            alerts.push(run.staff_alert(
                d.creator_id,
                &format!(
                    "seq:milestone:{}:viral_alert:{}",
                    d.creator_id, d.history_id
                ),
                Message::MilestoneViralAlert,
                &vars,
                run.now,
                json!({"sequence": "milestone", "step": "viral_alert", "history_id": d.history_id}),
            )?);
        }
    }
    out.milestones += enqueue(conn, &dms).await?;
    out.staff_alerts += enqueue(conn, &alerts).await?;

    let mut notes = Vec::new();
    let window = run.config.tiers.window_days;
    for d in promotions(conn, pid, tz, since, run.now, window).await? {
        let (message, vars) = match d.to_tier.parse::<Tier>() {
            Ok(Tier::AllStars) => (
                Message::TierPromotionAllStars,
                Vars::new()
                    .set("first_name", d.first_name.as_str())
                    .set("tier", Tier::AllStars.display_name()),
            ),
            Ok(Tier::SteadyEarners) => {
                let gap = (run.config.tiers.all_stars_min_gmv_cents - d.amount_cents).max(0);
                (
                    Message::TierPromotionSteadyEarners,
                    Vars::new()
                        .set("first_name", d.first_name.as_str())
                        .set("tier", Tier::SteadyEarners.display_name())
                        .set("next_tier_gap", run.money(gap)),
                )
            }
            // Nobody is promoted to the bottom tier.
            _ => continue,
        };
        notes.push(run.dm(
            d.creator_id,
            &d.dedupe_key,
            message,
            &vars,
            run.now,
            run.tz(&d.tz),
            json!({"sequence": "promotion", "history_id": d.history_id}),
        )?);
    }
    out.promotions += enqueue(conn, &notes).await?;
    Ok(())
}

fn dm(
    run: &Run<'_>,
    d: &DueMilestone,
    message: Message,
    vars: &Vars,
    step: &str,
) -> Result<crate::db::outbox::NewMessage> {
    let mut extra = json!({"sequence": "milestone", "step": step});
    if d.history_id != 0 {
        extra["history_id"] = json!(d.history_id);
    }
    run.dm(
        d.creator_id,
        &d.dedupe_key,
        message,
        vars,
        run.now,
        run.tz(&d.tz),
        extra,
    )
}
