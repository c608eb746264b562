//! The Steady Earners update, every other week: the period's top videos, the tier's GMV
//! leaderboard, one best-practice tip (rotated), new products and running competitions.

use anyhow::Result;
use chrono::NaiveDate;
use minijinja::Value;
use sqlx::PgPool;

use super::Cadence;
use crate::chat::MessageKind;
use crate::db::cadences as db;
use crate::db::stats::leaderboard::{RankedBy, ranked_in};
use crate::domain::channels::ProgramChannel;
use crate::domain::format_cents;
use crate::domain::messages::{Message, format_count, format_day};
use crate::templates::Vars;

/// Weeks are counted from this Monday, so "every other week" means the same weeks every year.
const FIRST_WEEK: NaiveDate = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date");

/// The number of the `every_weeks`-long cycle `day` falls in, if `day`'s week starts a cycle.
pub fn cycle(day: NaiveDate, every_weeks: u32) -> Option<i64> {
    let week = (day - FIRST_WEEK).num_days().div_euclid(7);
    let every = i64::from(every_weeks.max(1));
    (week.rem_euclid(every) == 0).then_some(week / every)
}

/// Queues the update covering the last `every_weeks` weeks, on the weeks that start a cycle;
/// `false` on other weeks or when queued before.
pub async fn post(pool: &PgPool, c: &Cadence<'_>, every_weeks: u32) -> Result<bool> {
    let Some(n) = cycle(c.today(), every_weeks) else {
        return Ok(false);
    };
    let period = c.last_days(7 * i64::from(every_weeks.max(1)));
    let (starts, ends) = c.instants(period);
    let money = |cents| format_cents(cents, &c.program.currency);
    let videos: Vec<Value> = db::top_videos(pool, c.program.id, starts, ends, 3)
        .await?
        .into_iter()
        .map(|v| {
            minijinja::context! { handle => Value::from(v.handle), views => Value::from(format_count(v.views)), product => Value::from(v.product) }
        })
        .collect();
    let leaderboard: Vec<Value> = ranked_in(
        pool,
        c.program.id,
        RankedBy::Gmv,
        (period.from, period.to),
        (starts, ends),
        Some("steady_earners"),
        5,
    )
    .await?
    .into_iter()
    .map(|r| {
        minijinja::context! { rank => Value::from(r.rank), handle => Value::from(r.handle), gmv => Value::from(money(r.value)) }
    })
    .collect();
    let products = db::new_products(pool, c.program.id, period.from, period.to).await?;
    let competitions: Vec<Value> = db::running_competitions(pool, c.program.id, c.today())
        .await?
        .into_iter()
        .filter(|k| k.tier.as_deref().is_none_or(|t| t == "steady_earners"))
        .map(|k| {
            minijinja::context! { name => Value::from(k.name), metric => Value::from(super::competitions::metric_name(&k.metric)), ends_on => Value::from(format_day(k.ends_on - chrono::Duration::days(1))) }
        })
        .collect();
    let (from, to) = c.shown(period);
    let vars = Vars::new()
        .set("from", from)
        .set("to", to)
        .set("top_videos", videos)
        .set("leaderboard", leaderboard)
        .set("tip", c.templates.tip(n as usize).to_string())
        .set("new_products", products)
        .set("competitions", competitions);
    let mut conn = pool.acquire().await?;
    c.post(
        &mut conn,
        ProgramChannel::Tier(crate::domain::Tier::SteadyEarners),
        MessageKind::Channel,
        format!("cadence:steady_update:{}", c.today()),
        Message::SteadyEarnersUpdate,
        &vars,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_other_week_across_the_new_year() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Week 0 starts on Monday 1 January 2024.
        assert_eq!(cycle(d("2024-01-04"), 2), Some(0));
        assert_eq!(cycle(d("2024-01-11"), 2), None);
        assert_eq!(cycle(d("2024-01-18"), 2), Some(1));
        // 2026-12-31 and 2027-01-07 are a week apart: exactly one of them starts a cycle.
        let a = cycle(d("2026-12-31"), 2);
        let b = cycle(d("2027-01-07"), 2);
        assert!(a.is_some() != b.is_some());
        assert_eq!(
            cycle(d("2027-01-07"), 1).unwrap(),
            cycle(d("2026-12-31"), 1).unwrap() + 1
        );
    }
}
