//! The tier channels' cadences (DOMAIN.md "Tier channels and cadences"): the All-Stars weekly
//! check-in and the staff report of who answered, the bi-weekly Steady Earners update, the staff
//! weekly pulse, and competitions with their standings and winners. Each run queues its posts in
//! the outbox under a dedupe key naming the cadence instant, so running it again adds nothing.

pub mod checkins;
pub mod competitions;
pub mod pulse;
pub mod staff_reports;
pub mod steady_update;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::charts::ChartSpec;
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
        self.queue(
            conn,
            Post {
                channel,
                kind,
                dedupe_key,
                template: Some(message.name()),
                text,
                charts: &[],
            },
        )
        .await
    }

    /// Queues a post due at the instant, with the charts the dispatcher draws when it sends it;
    /// `false` if it was queued before.
    pub async fn queue(&self, conn: &mut PgConnection, post: Post<'_>) -> Result<bool> {
        outbox::enqueue(
            conn,
            &NewMessage {
                program_id: self.program.id,
                dedupe_key: post.dedupe_key,
                kind: post.kind,
                creator_id: None,
                channel: Some(post.channel),
                template: post.template.map(str::to_string),
                text: post.text,
                extra: charts_extra(post.charts),
                due_at: self.instant,
            },
        )
        .await
    }
}

/// A cadence's post: its text, already rendered, and the charts that go with it.
pub struct Post<'a> {
    pub channel: ProgramChannel,
    pub kind: MessageKind,
    /// Names the cadence instant, so queueing it again adds nothing.
    pub dedupe_key: String,
    /// The message template (or report) the text came from, for the outbox listing.
    pub template: Option<&'a str>,
    pub text: String,
    pub charts: &'a [ChartSpec],
}

/// The outbox row's `extra` for a post: `{"charts": [spec, …]}` when it carries charts, else `{}`.
pub fn charts_extra(charts: &[ChartSpec]) -> serde_json::Value {
    if charts.is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({ "charts": charts })
    }
}
