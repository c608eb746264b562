//! The staff alerts of the TikTok Shop sync, each told once: the authorization stopped working,
//! and the sync failed `tiktok.alert_after_failures` times in a row.

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::chat::MessageKind;
use crate::db::outbox::{self, NewMessage};
use crate::db::programs::Program;
use crate::domain::channels::ProgramChannel;
use crate::domain::messages::Message;
use crate::templates::{Templates, Vars};

/// Tells #staff the sync stopped until the shop is connected again.
pub(super) async fn disconnected(
    conn: &mut PgConnection,
    templates: &Templates,
    program: &Program,
    shop: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let vars = Vars::new()
        .set("shop", shop.to_string())
        .set("program", program.slug.clone())
        .set("reason", reason.to_string());
    queue(
        conn,
        templates,
        program,
        Message::TikTokDisconnectedAlert,
        &vars,
        format!("alert:tiktok_stopped:{}", at.timestamp_micros()),
        at,
    )
    .await
}

/// Tells #staff the sync keeps failing.
pub(super) async fn failing(
    conn: &mut PgConnection,
    templates: &Templates,
    program: &Program,
    shop: &str,
    failures: i32,
    error: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let vars = Vars::new()
        .set("shop", shop.to_string())
        .set("failures", failures.to_string())
        .set("error", error.to_string());
    queue(
        conn,
        templates,
        program,
        Message::TikTokSyncFailingAlert,
        &vars,
        format!("alert:tiktok_failing:{}", at.timestamp_micros()),
        at,
    )
    .await
}

async fn queue(
    conn: &mut PgConnection,
    templates: &Templates,
    program: &Program,
    message: Message,
    vars: &Vars,
    dedupe_key: String,
    at: DateTime<Utc>,
) -> Result<()> {
    outbox::enqueue(
        conn,
        &NewMessage {
            program_id: program.id,
            dedupe_key,
            kind: MessageKind::StaffAlert,
            creator_id: None,
            channel: Some(ProgramChannel::Staff),
            template: Some(message.name().into()),
            text: templates.render(message, vars)?,
            extra: serde_json::json!({}),
            due_at: at,
        },
    )
    .await?;
    Ok(())
}
