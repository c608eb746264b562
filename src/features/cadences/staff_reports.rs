//! The monthly deep-dive and the quarterly review in #staff: the report built for the cadence
//! instant, as chat text, with its charts for the dispatcher to draw when it sends the post.

use anyhow::Result;
use sqlx::PgPool;

use super::{Cadence, Post};
use crate::chat::MessageKind;
use crate::domain::channels::ProgramChannel;
use crate::features::reports::{Report, ReportKind, document};

/// Queues the monthly deep-dive of the month before the instant's; `false` if queued before.
pub async fn post_monthly(pool: &PgPool, c: &Cadence<'_>) -> Result<bool> {
    post(pool, c, ReportKind::Monthly).await
}

/// Queues the quarterly review of the quarter before the instant's; `false` if queued before.
pub async fn post_quarterly(pool: &PgPool, c: &Cadence<'_>) -> Result<bool> {
    post(pool, c, ReportKind::Quarterly).await
}

async fn post(pool: &PgPool, c: &Cadence<'_>, kind: ReportKind) -> Result<bool> {
    let report = Report::build(pool, c.program, kind, c.instant).await?;
    let name = format!("{kind}_report");
    let mut conn = pool.acquire().await?;
    c.queue(
        &mut conn,
        Post {
            channel: ProgramChannel::Staff,
            kind: MessageKind::StaffAlert,
            dedupe_key: format!("cadence:{name}:{}", c.today()),
            template: Some(&name),
            text: document::post_text(&report.document()),
            charts: report.charts(),
        },
    )
    .await
}
