//! The console workspace: the bot's chat in a terminal. Posts, DMs and membership actions are
//! printed as they are sent ([`ConsoleSender`]), and lines typed on stdin are slash commands run
//! as the staff member or as any creator ([`typing`]). `creator-bot demo` runs a synthetic program
//! in it on a simulated clock.

pub mod screen;
pub mod sender;
pub mod typing;

pub use screen::{Screen, Transcript};
pub use sender::ConsoleSender;

/// The console workspace's id in `chat_workspaces` (platform `console`).
pub const WORKSPACE_ID: &str = "demo";

/// The staff member's chat user id in the console workspace.
pub const STAFF_USER: &str = "staff";

/// A chat user id no one is linked to.
pub const STRANGER_USER: &str = "stranger";
