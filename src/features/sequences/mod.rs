//! Sequences: the DMs the bot sends creators by itself (DOMAIN.md "Lifecycle") — onboarding,
//! sample follow-up, reactivation, milestones, the thank-you after a first post and tier
//! promotion notes — turned into outbox rows when they fall due.
//!
//! [`schedule`] is run by the scheduler's `sequences` job with the instant it judges. It queues
//! every step due at that instant, set-based, in one transaction with the stage moves they cause;
//! running it again at the same instant adds nothing. Each row carries a dedupe key:
//!
//! | sequence | dedupe key |
//! |---|---|
//! | onboarding | `seq:onboarding:{creator_id}:welcome\|content_guide\|catalogue` |
//! | activation | `seq:activation:{sample_id}:nudge1\|nudge2\|dormant` (the last is a staff alert) |
//! | reactivation | `seq:reactivation:{creator_id}:{last_video_id}:checkin1\|checkin2\|dormant` |
//! | first post | `seq:first_post:{creator_id}` |
//! | milestones | `seq:milestone:{creator_id}:first_sale`, `…:commission_{cents}`, `…:viral:{history_id}`, `…:viral_alert:{history_id}` |
//! | promotions | `seq:promotion:{history_id}` |
//!
//! DMs are due at the creator's next local daytime instant at or after the step's due time;
//! opted-out creators get nothing queued.

mod activation;
mod first_post;
mod milestones;
mod onboarding;
mod reactivation;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::chat::MessageKind;
use crate::config::Config;
use crate::db::outbox::{self, NewMessage};
use crate::db::programs::Program;
use crate::db::sequences as seq_db;
use crate::domain::daytime::Daytime;
use crate::domain::format_cents;
use crate::domain::messages::Message;
use crate::domain::sequences::{Step, dm_send_at};
use crate::domain::timefmt::local_day;
use crate::templates::{Templates, Vars};

/// What one run queued, cancelled and moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Scheduled {
    /// DMs queued per sequence.
    pub onboarding: u64,
    pub activation: u64,
    pub reactivation: u64,
    pub first_posts: u64,
    pub milestones: u64,
    pub promotions: u64,
    /// Staff alerts queued (dormant creators, viral creators the tier check did not report).
    pub staff_alerts: u64,
    /// Queued messages cancelled because their sequence stopped.
    pub cancelled: u64,
    /// Stage moves.
    pub to_onboarding: u64,
    pub to_awaiting_first_post: u64,
    pub to_active: u64,
    pub to_dormant: u64,
}

/// Queues every sequence step and milestone due at `now` for `program`, in one transaction.
pub async fn schedule(
    pool: &PgPool,
    program: &Program,
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Scheduled> {
    let run = Run {
        program,
        config,
        templates,
        daytime: config.lifecycle.daytime(),
        now,
        today: local_day(now, program.timezone),
    };
    let mut out = Scheduled::default();
    let mut tx = pool.begin().await?;
    seq_db::lock_program(&mut tx, program.id).await?;
    out.cancelled =
        seq_db::cancel_stopped(&mut tx, program.id, program.timezone.name(), Some(now)).await?;
    let moves = seq_db::refresh_stages(
        &mut tx,
        program.id,
        now,
        run.today,
        config.sequences.reactivation_checkin_days,
    )
    .await?;
    out.to_active = moves.active;
    out.to_awaiting_first_post = moves.awaiting_first_post;
    onboarding::run(&mut tx, &run, &mut out).await?;
    activation::run(&mut tx, &run, &mut out).await?;
    reactivation::run(&mut tx, &run, &mut out).await?;
    first_post::run(&mut tx, &run, &mut out).await?;
    milestones::run(&mut tx, &run, &mut out).await?;
    tx.commit()
        .await
        .context("saving the queued sequence messages")?;
    Ok(out)
}

/// One scheduling run's inputs, shared by the sequences.
struct Run<'a> {
    program: &'a Program,
    config: &'a Config,
    templates: &'a Templates,
    daytime: Daytime,
    now: DateTime<Utc>,
    /// The program-local day of `now`.
    today: NaiveDate,
}

impl Run<'_> {
    /// A creator's time zone as stored, else the program's.
    fn tz(&self, name: &str) -> Tz {
        name.parse().unwrap_or(self.program.timezone)
    }

    fn money(&self, cents: i64) -> String {
        format_cents(cents, &self.program.currency)
    }

    fn step_query<'s>(&'s self, steps: &'s [Step]) -> seq_db::steps::StepQuery<'s> {
        seq_db::steps::StepQuery {
            program_id: self.program.id,
            timezone: self.program.timezone.name(),
            now: self.now,
            catch_up_days: self.config.sequences.catch_up_days,
            steps,
        }
    }

    /// A DM to a creator, due at their next daytime instant at or after `due`.
    #[allow(clippy::too_many_arguments)]
    fn dm(
        &self,
        creator_id: i64,
        dedupe_key: &str,
        message: Message,
        vars: &Vars,
        due: DateTime<Utc>,
        tz: Tz,
        extra: serde_json::Value,
    ) -> Result<NewMessage> {
        Ok(NewMessage {
            program_id: self.program.id,
            dedupe_key: dedupe_key.to_string(),
            kind: MessageKind::Dm,
            creator_id: Some(creator_id),
            channel: None,
            template: Some(message.name().to_string()),
            text: self.templates.render(message, vars)?,
            extra,
            due_at: dm_send_at(due, self.now, &self.daytime, tz),
        })
    }

    /// A post in the staff channel about a creator, due at `due` (or now, if that has passed).
    fn staff_alert(
        &self,
        creator_id: i64,
        dedupe_key: &str,
        message: Message,
        vars: &Vars,
        due: DateTime<Utc>,
        extra: serde_json::Value,
    ) -> Result<NewMessage> {
        Ok(NewMessage {
            program_id: self.program.id,
            dedupe_key: dedupe_key.to_string(),
            kind: MessageKind::StaffAlert,
            creator_id: Some(creator_id),
            channel: Some(crate::domain::channels::ProgramChannel::Staff),
            template: Some(message.name().to_string()),
            text: self.templates.render(message, vars)?,
            extra,
            due_at: due.max(self.now),
        })
    }
}

/// The step of `steps` named `name` (the queries only return names they were given).
fn step_named(steps: &[Step], name: &str) -> Result<Step> {
    steps
        .iter()
        .find(|s| s.name == name)
        .copied()
        .with_context(|| format!("unknown sequence step {name:?}"))
}

/// Queues messages in statements of bounded size; returns how many were new.
async fn enqueue(conn: &mut PgConnection, messages: &[NewMessage]) -> Result<u64> {
    let mut queued = 0;
    for chunk in messages.chunks(5_000) {
        queued += outbox::enqueue_many(conn, chunk).await?;
    }
    Ok(queued)
}
