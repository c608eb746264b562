//! `/report weekly|monthly|quarterly`: the report built now (`features::reports`), as a reply
//! with its charts drawn and attached.

use anyhow::Result;
use sqlx::PgPool;

use super::parse::ReportKind;
use super::{Context, Reply, Rich, Table};
use crate::config::Config;
use crate::db::programs::Program;
use crate::features::reports::document::chart_title;
use crate::features::reports::{Document, Report, Section};

pub(super) async fn run(ctx: &Context<'_>, kind: ReportKind) -> Result<Reply> {
    let report = Report::build(ctx.pool, ctx.program, kind, ctx.now).await?;
    Ok(report_reply(ctx.pool, ctx.config, ctx.program, &report.document()).await)
}

/// A report's reply: its document, then each chart drawn (or a line saying it could not be).
pub async fn report_reply(
    pool: &PgPool,
    config: &Config,
    program: &Program,
    doc: &Document,
) -> Reply {
    let mut reply = document_reply(doc);
    for spec in &doc.charts {
        match crate::charts::draw(pool, config, program, spec).await {
            Ok(chart) => reply = reply.image(chart.png, &chart.file_name, &chart.alt),
            Err(e) => {
                tracing::error!(program = program.slug, chart = ?spec, "drawing a report chart failed: {e:#}");
                reply = reply.line(format!(
                    "The chart \"{}\" could not be drawn.",
                    chart_title(spec)
                ));
            }
        }
    }
    match &doc.footer {
        Some(footer) => reply.footer(footer.as_str()),
        None => reply,
    }
}

/// The document's title and sections as reply blocks (no charts, no footer).
pub fn document_reply(doc: &Document) -> Reply {
    let mut reply = Reply::titled(doc.title.as_str());
    for section in &doc.sections {
        reply = match section {
            Section::Heading(h) | Section::Text(h) => reply.line(h.as_str()),
            Section::Names { label, names } => reply.line(if names.is_empty() {
                Rich::from(format!("{label}: none"))
            } else {
                Rich::from(format!("{label}: ")).and_user(names.join(", "))
            }),
            Section::Table(grid) => reply.table(Table {
                header: Some(grid.header.clone()),
                rows: grid.rows.clone(),
                right_aligned: grid.right_aligned.clone(),
            }),
        };
    }
    reply
}
