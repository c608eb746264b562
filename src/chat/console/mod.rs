//! The console workspace: the bot's chat in a terminal. Posts, DMs and membership actions are
//! printed as they are sent ([`ConsoleSender`]), and lines typed on stdin are slash commands run
//! as the staff member or as any creator ([`typing`]). `creator-bot demo` runs a synthetic program
//! in it on a simulated clock.

pub mod files;
pub mod screen;
pub mod sender;
pub mod typing;

pub use files::ImageFiles;
pub use screen::{Screen, Transcript};
pub use sender::ConsoleSender;

/// The console workspace's id in `chat_workspaces` (platform `console`).
pub const WORKSPACE_ID: &str = "demo";

/// The staff member's chat user id in the console workspace.
pub const STAFF_USER: &str = "staff";

/// A chat user id no one is linked to.
pub const STRANGER_USER: &str = "stranger";

/// Connects the console workspace to a program, as a brand's setup would connect Discord or
/// Slack: the workspace itself, `staff_name` as the staff member at the console (user `staff`),
/// every creator not linked yet as the user named like their handle, and each program channel
/// mapped to its `#name`. Safe to run again; returns how many creators it linked.
pub async fn connect(
    pool: &sqlx::PgPool,
    program_id: i64,
    staff_name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<u64> {
    use crate::db::{channels, chat};
    use crate::domain::channels::ProgramChannel;
    let console = crate::chat::Platform::Console.as_str();
    let mut tx = pool.begin().await?;
    chat::add_workspace(&mut *tx, program_id, console, WORKSPACE_ID).await?;
    let staff = chat::add_staff(&mut *tx, program_id, staff_name).await?;
    chat::link_staff(
        &mut *tx,
        program_id,
        console,
        WORKSPACE_ID,
        STAFF_USER,
        staff,
    )
    .await?;
    for channel in ProgramChannel::ALL {
        channels::set_channel(&mut tx, program_id, console, channel, &channel.to_string()).await?;
    }
    let linked =
        chat::link_creators_by_handle(&mut *tx, program_id, console, WORKSPACE_ID, now).await?;
    tx.commit().await?;
    Ok(linked)
}
