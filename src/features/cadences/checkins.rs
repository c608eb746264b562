//! The All-Stars weekly check-in: a post in the All-Stars channel asking what they are filming
//! and what they need, each creator's answer (`/checkin …`), and the staff report of who
//! answered and who did not.

use crate::domain::for_user;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use minijinja::Value;
use sqlx::PgPool;

use super::Cadence;
use crate::chat::MessageKind;
use crate::db::cadences as db;
use crate::db::programs::Program;
use crate::domain::Tier;
use crate::domain::channels::ProgramChannel;
use crate::domain::messages::{Message, format_day};
use crate::domain::timefmt::local_day;
use crate::templates::Vars;

/// Posts the check-in for the cadence instant; `false` if it was posted before.
pub async fn post(pool: &PgPool, c: &Cadence<'_>) -> Result<bool> {
    let mut tx = pool.begin().await?;
    db::create_checkin(&mut tx, c.program.id, c.instant).await?;
    let vars = Vars::new()
        .set("program", c.program.name.clone())
        .set("week_of", format_day(c.today()));
    let queued = c
        .post(
            &mut tx,
            ProgramChannel::Tier(Tier::AllStars),
            MessageKind::Channel,
            format!("cadence:all_stars_checkin:{}", c.today()),
            Message::AllStarsCheckin,
            &vars,
        )
        .await?;
    tx.commit().await.context("posting the check-in")?;
    Ok(queued)
}

/// Why an answer was not recorded (shown to the creator).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the weekly check-in is for All-Stars; you are in {0}")]
    NotAllStar(String),
    #[error("there is no check-in to answer yet")]
    NoCheckin,
    #[error("write what you are filming and what you need after /checkin")]
    Empty,
}

/// Records a creator's answer to the latest check-in (replacing an earlier answer of theirs);
/// returns the day the check-in was posted.
pub async fn answer(
    pool: &PgPool,
    program: &Program,
    creator_id: i64,
    tier: Tier,
    text: &str,
    at: DateTime<Utc>,
) -> Result<chrono::NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return Err(for_user(AnswerError::Empty));
    }
    if tier != Tier::AllStars {
        return Err(for_user(AnswerError::NotAllStar(
            tier.display_name().to_string(),
        )));
    }
    let (id, posted_for) = db::latest_checkin(pool, program.id, at)
        .await?
        .ok_or_else(|| for_user(AnswerError::NoCheckin))?;
    db::answer_checkin(pool, program.id, id, creator_id, text, at).await?;
    Ok(local_day(posted_for, program.timezone))
}

/// Tells staff who answered the latest check-in (with their answers) and which All-Stars did
/// not; `false` when there is no check-in or the report was queued before.
pub async fn report(pool: &PgPool, c: &Cadence<'_>) -> Result<bool> {
    let Some((id, posted_for)) = db::latest_checkin(pool, c.program.id, c.instant).await? else {
        return Ok(false);
    };
    let rows = db::checkin_answers(pool, c.program.id, id).await?;
    let answered: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            r.answer.as_ref().map(|a| {
                minijinja::context! { handle => Value::from(r.handle.clone()), answer => Value::from(a.clone()) }
            })
        })
        .collect();
    let missing: Vec<String> = rows
        .iter()
        .filter(|r| r.answer.is_none())
        .map(|r| r.handle.clone())
        .collect();
    let vars = Vars::new()
        .set(
            "week_of",
            format_day(local_day(posted_for, c.program.timezone)),
        )
        .set("answered", answered)
        .set("missing", missing);
    let mut conn = pool.acquire().await?;
    c.post(
        &mut conn,
        ProgramChannel::Staff,
        MessageKind::StaffAlert,
        format!("cadence:checkin_report:{id}"),
        Message::AllStarsCheckinReport,
        &vars,
    )
    .await
}
