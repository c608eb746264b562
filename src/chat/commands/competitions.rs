//! `/competition start|end|show`: staff run competitions in #competitions.

use anyhow::{Result, bail};

use super::parse::CompetitionAction;
use super::{Context, Reply, Rich, Role, Table};
use crate::db::cadences as db;
use crate::domain::messages::format_day;
use crate::features::cadences::competitions::{self as comp, NewCompetition, metric_name};

pub(super) async fn run(ctx: &Context<'_>, action: CompetitionAction) -> Result<Reply> {
    match action {
        CompetitionAction::Start {
            name,
            metric,
            window,
            tier,
            prize,
        } => {
            let Role::Staff { name: staff, .. } = ctx.role else {
                bail!("/competition start reached without a staff member");
            };
            let new = NewCompetition {
                name,
                metric: metric.as_str().to_string(),
                period: window,
                tier,
                prize: prize.unwrap_or_default(),
            };
            let k = comp::start(ctx.pool, ctx.program, ctx.templates, &new, staff, ctx.now).await?;
            let scope = tier.map_or("everyone".to_string(), |t| t.display_name().to_string());
            let mut text = Rich::fill("Competition \"{}\"", &[&k.name]).plain(format!(
                " started: most {} from {} to {}, open to {}",
                metric_name(&k.metric),
                format_day(k.starts_on),
                format_day(k.ends_on - chrono::Duration::days(1)),
                scope,
            ));
            if !k.prize.is_empty() {
                text = text.plain(", prize: ").and_user(k.prize.clone());
            }
            Ok(Reply::done(text.plain(". Announced in #competitions.")))
        }
        CompetitionAction::End { name } => {
            let winners = comp::end(ctx.pool, ctx.program, ctx.templates, &name, ctx.now).await?;
            let k = comp::find(ctx.pool, ctx.program, &name).await?;
            let mut reply = Reply::done(Rich::fill(
                "\"{}\" is over; the winners are announced in #competitions.",
                &[&k.name],
            ));
            if !winners.is_empty() {
                reply = reply.table(standings_table(ctx, &k.metric, winners));
            }
            Ok(reply)
        }
        CompetitionAction::Show { name: Some(name) } => {
            let k = comp::find(ctx.pool, ctx.program, &name).await?;
            let rows = comp::standings(ctx.pool, ctx.program, &k, ctx.now, 10).await?;
            let state = if k.ended_at.is_some() {
                "over"
            } else {
                "running"
            };
            let mut reply = Reply::done(Rich::user(k.name.clone()).plain(format!(
                " ({state}): most {}, {} to {}",
                metric_name(&k.metric),
                format_day(k.starts_on),
                format_day(k.ends_on - chrono::Duration::days(1))
            )));
            reply = if rows.is_empty() {
                reply.line("No entries yet.")
            } else {
                reply.table(standings_table(ctx, &k.metric, rows))
            };
            Ok(reply)
        }
        CompetitionAction::Show { name: None } => {
            let open = db::open_competitions(ctx.pool, ctx.program.id).await?;
            if open.is_empty() {
                return Ok(Reply::done(
                    "No competition is running or coming up. Start one with /competition start.",
                ));
            }
            let mut reply = Reply::done("Competitions:");
            for k in open {
                reply = reply.line(Rich::fill("• {}", &[&k.name]).plain(format!(
                    ": most {}, {} to {}",
                    metric_name(&k.metric),
                    format_day(k.starts_on),
                    format_day(k.ends_on - chrono::Duration::days(1))
                )));
            }
            Ok(reply)
        }
    }
}

fn standings_table(
    ctx: &Context<'_>,
    metric: &str,
    rows: Vec<crate::db::stats::leaderboard::RankedRow>,
) -> Table {
    let score = |v: i64| {
        if metric == "gmv" {
            crate::domain::format_cents(v, &ctx.program.currency)
        } else {
            crate::domain::messages::format_count(v)
        }
    };
    Table {
        header: Some(vec![
            "#".into(),
            "creator".into(),
            metric_name(metric).into(),
        ]),
        rows: rows
            .into_iter()
            .map(|r| vec![r.rank.to_string(), format!("@{}", r.handle), score(r.value)])
            .collect(),
        right_aligned: vec![0, 2],
    }
}
