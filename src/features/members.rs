//! Members joining a program's chat workspace. One who was linked and had left is counted again;
//! one who is nobody yet is welcomed once, through the outbox, and asked to `/link` their TikTok
//! handle (a roster row with their user id links them without asking).

use anyhow::Result;

use crate::app::App;
use crate::chat::{MessageKind, Platform};
use crate::db::chat as chat_db;
use crate::db::outbox::{self, NewMessage};
use crate::db::programs;
use crate::domain::messages::Message;
use crate::templates::Vars;

/// What a join did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// The workspace belongs to no program.
    NotOurs,
    /// A linked account came back: messages reach it again.
    Back,
    /// Already linked (a roster row named them): nothing to ask.
    Linked,
    /// Welcomed now.
    Welcomed,
    /// Welcomed before (they left and came back unlinked): not welcomed twice.
    WelcomedBefore,
}

/// A member `user_id` (shown as `name`) joined `workspace_id` on `platform`.
pub async fn joined(
    app: &App,
    platform: Platform,
    workspace_id: &str,
    user_id: &str,
    name: &str,
) -> Result<Joined> {
    let key = platform.as_str();
    let Some(program_id) = chat_db::workspace_program(&app.pool, key, workspace_id).await? else {
        return Ok(Joined::NotOurs);
    };
    if chat_db::mark_back(&app.pool, program_id, key, workspace_id, user_id).await? {
        return Ok(Joined::Back);
    }
    if chat_db::identity(&app.pool, program_id, key, workspace_id, user_id)
        .await?
        .is_some()
    {
        return Ok(Joined::Linked);
    }
    let Some(program) = programs::by_id(&app.pool, program_id).await? else {
        return Ok(Joined::NotOurs);
    };
    let vars = Vars::new()
        .set("name", name.to_string())
        .set("program", program.name.clone());
    let message = NewMessage {
        program_id,
        dedupe_key: format!("member_welcome:{key}:{workspace_id}:{user_id}"),
        kind: MessageKind::Dm,
        creator_id: None,
        channel: None,
        template: Some(Message::MemberWelcome.name().into()),
        text: app.templates.render(Message::MemberWelcome, &vars)?,
        extra: serde_json::json!({
            "to": { "platform": key, "workspace_id": workspace_id, "user_id": user_id },
        }),
        due_at: app.now(),
    };
    let mut conn = app.pool.acquire().await?;
    Ok(if outbox::enqueue(&mut conn, &message).await? {
        Joined::Welcomed
    } else {
        Joined::WelcomedBefore
    })
}
