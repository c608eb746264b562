//! The one list of slash commands: name, who may use them, usage and what they do. Adapters
//! register their commands from it; the parser and the authorization read it too.

/// Who may run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The brand's staff.
    Staff,
    /// Linked creators (their own data only).
    Creators,
    /// Staff and linked creators; creators see less (see the leaderboard rules).
    StaffAndCreators,
    /// Chat users not linked yet (`/link`).
    Unlinked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// Without the slash.
    pub name: &'static str,
    pub audience: Audience,
    /// One line per form of the command.
    pub usage: &'static [&'static str],
    pub description: &'static str,
    /// `false` while the workspace does not offer it yet (the arguments are still checked).
    pub available: bool,
}

/// How periods are written, shown under the usage of commands that take one.
pub const PERIOD_HELP: &str = "Periods: 7d, 30d, 90d, this-month, last-month or \
YYYY-MM-DD..YYYY-MM-DD (end day not counted); default 30d.";

const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "creator",
        audience: Audience::Staff,
        usage: &["/creator <handle or @user> [period]"],
        description: "One creator's stats card",
        available: true,
    },
    CommandSpec {
        name: "kpi",
        audience: Audience::Staff,
        usage: &["/kpi [period]"],
        description: "The program's KPIs",
        available: true,
    },
    CommandSpec {
        name: "leaderboard",
        audience: Audience::StaffAndCreators,
        usage: &["/leaderboard [gmv|videos|views] [period]"],
        description: "The top creators by GMV, videos or views",
        available: true,
    },
    CommandSpec {
        name: "tier",
        audience: Audience::Staff,
        usage: &[
            "/tier list [tier]",
            "/tier set <handle> <tier> <reason…>",
            "/tier why <handle>",
        ],
        description: "Who is in which tier; pin a creator's tier; why a creator is in theirs",
        available: true,
    },
    CommandSpec {
        name: "sample",
        audience: Audience::Staff,
        usage: &[
            "/sample shipped <handle> <product id> [YYYY-MM-DD]",
            "/sample delivered <handle> <product id> [YYYY-MM-DD]",
        ],
        description: "Record a sample shipped to a creator, or delivered (default: today)",
        available: true,
    },
    CommandSpec {
        name: "competition",
        audience: Audience::Staff,
        usage: &[
            "/competition start <name> <gmv|videos|views> <YYYY-MM-DD..YYYY-MM-DD> [tier|all] [prize…]",
            "/competition end <name>",
            "/competition show [name]",
        ],
        description: "Run a competition in #competitions",
        available: true,
    },
    CommandSpec {
        name: "report",
        audience: Audience::Staff,
        usage: &["/report weekly|monthly"],
        description: "The weekly pulse or the monthly deep-dive",
        available: true,
    },
    CommandSpec {
        name: "import",
        audience: Audience::Staff,
        usage: &["/import orders|creators|samples|videos|products (attach the CSV file)"],
        description: "Import a CSV file",
        available: true,
    },
    CommandSpec {
        name: "mystats",
        audience: Audience::Creators,
        usage: &["/mystats [period]"],
        description: "Your own numbers and what it takes to reach the next tier",
        available: true,
    },
    CommandSpec {
        name: "link",
        audience: Audience::Unlinked,
        usage: &["/link <your TikTok handle>"],
        description: "Link your chat account to your TikTok handle",
        available: true,
    },
    CommandSpec {
        name: "checkin",
        audience: Audience::Creators,
        usage: &["/checkin <what you are filming and what you need>"],
        description: "Answer the All-Stars weekly check-in",
        available: true,
    },
    CommandSpec {
        name: "optout",
        audience: Audience::Creators,
        usage: &["/optout"],
        description: "Stop all direct messages from the bot",
        available: true,
    },
    CommandSpec {
        name: "optin",
        audience: Audience::Creators,
        usage: &["/optin"],
        description: "Get direct messages from the bot again",
        available: true,
    },
];

/// Every command, in the order help lists them.
pub fn registry() -> &'static [CommandSpec] {
    COMMANDS
}

/// The command called `name` (with or without the slash, any case).
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    let name = name.trim().trim_start_matches('/').to_lowercase();
    COMMANDS.iter().find(|c| c.name == name)
}

impl CommandSpec {
    /// `Usage: …`, one line per form, plus how to write a period when the command takes one.
    pub fn usage_text(&self) -> String {
        let mut out = format!("Usage: {}", self.usage.join("\n       "));
        if self.usage.iter().any(|u| u.contains("[period]")) {
            out.push_str(&format!("\n{PERIOD_HELP}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_usage_starts_with_the_name() {
        let mut names: Vec<_> = registry().iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), registry().len());
        for c in registry() {
            for u in c.usage {
                assert!(u.starts_with(&format!("/{} ", c.name)) || *u == format!("/{}", c.name));
            }
        }
        assert_eq!(find("/KPI").map(|c| c.name), Some("kpi"));
        assert_eq!(find("likes"), None);
    }
}
