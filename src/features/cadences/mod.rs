//! The tier channels' cadences (DOMAIN.md "Tier channels and cadences"): the All-Stars weekly
//! check-in and the staff report of who answered, the bi-weekly Steady Earners update, the staff
//! weekly pulse, and competitions with their standings and winners. Each run queues its posts in
//! the outbox under a dedupe key naming the cadence instant, so running it again adds nothing.

pub mod checkins;
pub mod competitions;
pub mod pulse;
pub mod steady_update;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::chat::MessageKind;
use crate::db::outbox::{self, NewMessage};
use crate::db::programs::Program;
use crate::domain::Period;
use crate::domain::channels::ProgramChannel;
use crate::domain::messages::{Message, format_day};
use crate::domain::timefmt::local_day;
use crate::templates::{Templates, Vars};

/// One cadence run: the program, the templates and the instant it runs for.
pub struct Cadence<'a> {
    pub program: &'a Program,
    pub templates: &'a Templates,
    pub instant: DateTime<Utc>,
}

impl Cadence<'_> {
    /// The program-local day of the instant.
    pub fn today(&self) -> NaiveDate {
        local_day(self.instant, self.program.timezone)
    }

    /// The `days` program-local days before today (today excluded).
    fn last_days(&self, days: i64) -> Period {
        let to = self.today();
        Period {
            from: to - chrono::Duration::days(days),
            to,
        }
    }

    fn instants(&self, p: Period) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            p.starts_at(self.program.timezone),
            p.ends_at(self.program.timezone),
        )
    }

    /// `3 Nov 2026 – 16 Nov 2026` style bounds of a period (its last day, not the exclusive end).
    fn shown(&self, p: Period) -> (String, String) {
        (format_day(p.from), format_day(p.last_day()))
    }

    /// Queues a post in `channel` due at the instant; `false` if it was queued before.
    async fn post(
        &self,
        conn: &mut PgConnection,
        channel: ProgramChannel,
        kind: MessageKind,
        dedupe_key: String,
        message: Message,
        vars: &Vars,
    ) -> Result<bool> {
        let text = self.templates.render(message, vars)?;
        outbox::enqueue(
            conn,
            &NewMessage {
                program_id: self.program.id,
                dedupe_key,
                kind,
                creator_id: None,
                channel: Some(channel),
                template: Some(message.name().to_string()),
                text,
                extra: serde_json::json!({}),
                due_at: self.instant,
            },
        )
        .await
    }
}
