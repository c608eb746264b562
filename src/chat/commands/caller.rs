//! Who is asking: the chat user's workspace decides the program, and their identity in it decides
//! their role. This is read before anything else, so no command sees data its caller may not.

use anyhow::Result;
use sqlx::PgPool;

use crate::chat::Platform;
use crate::db::chat as chat_db;
use crate::db::programs::Program;
use crate::features::linking::ChatUser;

/// A chat user as the platform names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    pub platform: Platform,
    /// The Discord guild id, Slack team id, or console workspace name.
    pub workspace_id: String,
    pub user_id: String,
    /// Whether the platform itself says the user is staff.
    pub staff: StaffSignal,
    /// Whether the user may manage the workspace itself (Manage Server on Discord): commands
    /// that change it (`/setup`) need this as well as being staff.
    pub workspace_admin: bool,
}

/// What a platform knows about a caller being the program's staff. Where it knows (Discord: the
/// member holds the program's staff role; Slack: the member is in #staff), that decides, and the
/// chat account's own link does not; where it does not know (the console), staff are the chat
/// accounts linked to a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum StaffSignal {
    #[default]
    Unknown,
    /// Staff, shown under this name.
    Staff {
        name: String,
    },
    NotStaff,
}

impl Caller {
    /// A caller whose platform says nothing about staff.
    pub fn new(platform: Platform, workspace_id: &str, user_id: &str) -> Caller {
        Caller {
            platform,
            workspace_id: workspace_id.to_string(),
            user_id: user_id.to_string(),
            staff: StaffSignal::Unknown,
            workspace_admin: false,
        }
    }

    /// The same caller, with whether they may manage the workspace.
    pub fn with_workspace_admin(mut self, admin: bool) -> Caller {
        self.workspace_admin = admin;
        self
    }

    /// The same caller with what the platform says about them being staff.
    pub fn with_staff(mut self, staff: StaffSignal) -> Caller {
        self.staff = staff;
        self
    }

    pub fn chat_user(&self) -> ChatUser<'_> {
        ChatUser {
            platform: self.platform.as_str(),
            workspace_id: &self.workspace_id,
            user_id: &self.user_id,
        }
    }
}

/// What the caller is to the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Staff {
        /// The staff member the chat account is linked to; `None` for staff the platform
        /// vouches for (a Discord staff role) without a link.
        staff_id: Option<i64>,
        name: String,
    },
    Creator {
        creator_id: i64,
        handle: String,
    },
    /// Not linked to anyone yet.
    Stranger,
}

/// The program the caller's workspace belongs to, and their role in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub program: Program,
    pub role: Role,
}

/// What one database round trip says about a caller: the program of their workspace, their
/// linked account in it, and the workspace's staff role (for platforms whose staff hold a role).
/// A platform reads the staff role to tell whether the caller is staff, then [`Lookup::resolve`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    pub program: Program,
    identity: Option<chat_db::Identity>,
    /// The workspace's staff role id, when one is mapped (Discord, after setup).
    pub staff_role: Option<String>,
}

/// `None` when the workspace is not linked to any program.
pub async fn lookup(pool: &PgPool, caller: &Caller) -> Result<Option<Lookup>> {
    let Some(found) = chat_db::caller_lookup(
        pool,
        caller.platform.as_str(),
        &caller.workspace_id,
        &caller.user_id,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Lookup {
        program: found.program,
        identity: found.identity,
        staff_role: found.staff_role,
    }))
}

impl Lookup {
    /// The caller's role, from their link and what the platform says about them being staff.
    pub fn resolve(self, caller: &Caller) -> Resolved {
        let Lookup {
            program, identity, ..
        } = self;
        let role = match (&caller.staff, identity) {
            (
                StaffSignal::Staff { .. } | StaffSignal::Unknown,
                Some(chat_db::Identity {
                    staff_id: Some(staff_id),
                    staff_name,
                    ..
                }),
            ) => Role::Staff {
                staff_id: Some(staff_id),
                name: staff_name.unwrap_or_default(),
            },
            (StaffSignal::Staff { name }, _) => Role::Staff {
                staff_id: None,
                name: name.clone(),
            },
            // Linked as staff, but the platform says they no longer are (the role was taken away).
            (
                StaffSignal::NotStaff,
                Some(chat_db::Identity {
                    staff_id: Some(_), ..
                }),
            ) => Role::Stranger,
            (
                _,
                Some(chat_db::Identity {
                    creator_id: Some(creator_id),
                    handle,
                    ..
                }),
            ) => Role::Creator {
                creator_id,
                handle: handle.unwrap_or_default(),
            },
            _ => Role::Stranger,
        };
        Resolved { program, role }
    }
}

/// `None` when the workspace is not linked to any program.
pub async fn resolve(pool: &PgPool, caller: &Caller) -> Result<Option<Resolved>> {
    Ok(lookup(pool, caller).await?.map(|l| l.resolve(caller)))
}
