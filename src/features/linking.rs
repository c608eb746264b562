//! `/link`: a chat user claims the creator with their TikTok handle. A handle is claimed once per
//! workspace, a linked account stays linked (staff change it), and staff accounts are never
//! turned into creators.

use crate::domain::for_user;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::db::chat as chat_db;
use crate::db::creators as creator_db;
use crate::db::programs::Program;
use crate::domain::Handle;

/// A user of one chat workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatUser<'a> {
    /// `discord`, `slack` or `console`.
    pub platform: &'a str,
    pub workspace_id: &'a str,
    pub user_id: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error(
        "there is no creator {handle} in {program}: check the spelling of your TikTok handle, or ask the program's staff to add you"
    )]
    UnknownHandle { handle: Handle, program: String },
    #[error(
        "{0} is already linked to another account. If that is your TikTok handle, ask the program's staff to sort it out."
    )]
    Taken(Handle),
    #[error("your account is already linked to @{0}; the program's staff can change it")]
    AlreadyLinked(String),
    #[error("your account belongs to the program's staff, so it can't be linked to a creator")]
    StaffAccount,
}

/// Links `user` to the creator `handle`; returns the creator's id. A creator whose onboarding
/// welcome could not be sent because they had no linked account gets it now, if it fell due less
/// than `catch_up_days` ago.
pub async fn link(
    pool: &PgPool,
    program: &Program,
    user: ChatUser<'_>,
    handle: &Handle,
    at: DateTime<Utc>,
    catch_up_days: u32,
) -> Result<i64> {
    let mut tx = pool.begin().await?;
    let existing = chat_db::identity(
        &mut *tx,
        program.id,
        user.platform,
        user.workspace_id,
        user.user_id,
    )
    .await?;
    match existing {
        Some(id) if id.staff_id.is_some() => return Err(for_user(LinkError::StaffAccount)),
        Some(id) => {
            return Err(for_user(LinkError::AlreadyLinked(
                id.handle.unwrap_or_default(),
            )));
        }
        None => {}
    }
    let creator = creator_db::lock_by_handle(&mut tx, program.id, handle.as_str())
        .await?
        .ok_or_else(|| {
            for_user(LinkError::UnknownHandle {
                handle: handle.clone(),
                program: program.name.clone(),
            })
        })?;
    // Read under the creator's lock: whoever claimed this creator first has committed by now.
    let holder = chat_db::creator_user(
        &mut *tx,
        program.id,
        user.platform,
        user.workspace_id,
        creator.id,
    )
    .await?;
    if holder.is_some() {
        return Err(for_user(LinkError::Taken(handle.clone())));
    }
    let linked = chat_db::link_creator(
        &mut tx,
        program.id,
        user.platform,
        user.workspace_id,
        user.user_id,
        creator.id,
        at,
    )
    .await?;
    if !linked {
        // The same user linked meanwhile (a double click).
        return Err(for_user(LinkError::AlreadyLinked(creator.handle)));
    }
    crate::db::outbox::requeue_unlinked_welcomes(
        &mut tx,
        program.id,
        Some(creator.id),
        at,
        catch_up_days,
    )
    .await?;
    tx.commit().await.context("saving the link")?;
    Ok(creator.id)
}
