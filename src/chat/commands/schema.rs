//! The shape of a command's description: subcommands, typed options, fixed choices, where
//! suggestions come from, and who may use it. The registry is written in these types; usage lines
//! and `/help` are generated from them.

/// Who may run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone in a connected workspace (`/help`).
    Everyone,
    /// The brand's staff.
    Staff,
    /// Linked creators (their own data only).
    Creators,
    /// Staff and linked creators; creators see less (see the leaderboard rules).
    StaffAndCreators,
    /// Chat users not linked yet (`/link`).
    Unlinked,
}

impl Audience {
    /// As `/help` names it.
    pub fn describe(self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            Audience::Staff => "staff",
            Audience::Creators => "creators",
            Audience::StaffAndCreators => "staff, creators",
            Audience::Unlinked => "not linked yet",
        }
    }
}

/// One of an option's fixed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// What the command receives (and Discord registers).
    pub value: &'static str,
    /// What people read.
    pub label: &'static str,
    /// Other ways to type it (compared without case, spaces or punctuation).
    pub aliases: &'static [&'static str],
}

impl Choice {
    /// Whether `typed` names this choice.
    pub fn matches(&self, typed: &str) -> bool {
        let key = squash(typed);
        !key.is_empty()
            && (key == squash(self.value)
                || key == squash(self.label)
                || self.aliases.iter().any(|a| key == squash(a)))
    }
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Where an option's suggestions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Creators' handles (a creator is offered only their own).
    Handles,
    /// The program's competitions, newest first.
    Competitions,
    Tiers,
    Metrics,
    Periods,
    /// The commands the caller may use.
    Commands,
}

/// What an option holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// Any text; one word (quoted if it has spaces), or the rest of the line when it comes last.
    Text,
    /// A TikTok handle.
    Handle,
    /// A TikTok handle or a chat user mentioned.
    Creator,
    /// A chat user mentioned.
    ChatUser,
    Integer {
        min: i64,
        max: i64,
    },
    /// YYYY-MM-DD.
    Date,
    /// 7d, this-month, YYYY-MM-DD..YYYY-MM-DD…
    Period,
    /// YYYY-MM-DD..YYYY-MM-DD only.
    Dates,
    /// One of fixed values; the rest of the line when it comes last (names have spaces).
    Choice(&'static [Choice]),
    /// A file sent with the command.
    Attachment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// Lower case, no spaces (Discord's rule).
    pub name: &'static str,
    /// A noun phrase: "missing {description}" must read well.
    pub description: &'static str,
    pub kind: OptionKind,
    pub required: bool,
    pub suggest: Option<Source>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubcommandSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// Without the slash.
    pub name: &'static str,
    pub description: &'static str,
    pub audience: Audience,
    /// May take more than a second or two (imports, reports, the tier review): adapters
    /// acknowledge it at once and send the answer when it is ready.
    pub slow: bool,
    /// Also needs the right to manage the workspace itself (Manage Server on Discord), which the
    /// platform reports in [`super::Caller::workspace_admin`].
    pub admin: bool,
    /// When not empty, the command is always one of these, and takes no options of its own.
    pub subcommands: &'static [SubcommandSpec],
    pub options: &'static [OptionSpec],
}

/// How periods are written, shown under the usage of commands that take one.
pub const PERIOD_HELP: &str = "Periods: 7d, 30d, 90d, this-month, last-month or \
YYYY-MM-DD..YYYY-MM-DD (end day not counted); default 30d.";

impl OptionSpec {
    /// Whether a text option reads the rest of the line: the last option, free text or a choice.
    pub fn takes_rest(&self, is_last: bool) -> bool {
        is_last && matches!(self.kind, OptionKind::Text | OptionKind::Choice(_))
    }

    fn usage(&self) -> String {
        let what = match self.kind {
            // A few short choices read better spelled out: [gmv|videos|views].
            OptionKind::Choice(choices) => {
                let values: Vec<&str> = choices.iter().map(|c| c.value).collect();
                let inline = values.join("|");
                if inline.len() <= 20 {
                    inline
                } else {
                    self.name.to_string()
                }
            }
            _ => self.name.to_string(),
        };
        match (self.kind, self.required) {
            (OptionKind::Attachment, _) => format!("(attach {})", self.description),
            (_, true) => format!("<{what}>"),
            (_, false) => format!("[{what}]"),
        }
    }
}

impl CommandSpec {
    /// Each form of the command with its options, `(subcommand, options)`.
    pub fn forms(&self) -> Vec<(Option<&'static SubcommandSpec>, &'static [OptionSpec])> {
        if self.subcommands.is_empty() {
            vec![(None, self.options)]
        } else {
            self.subcommands
                .iter()
                .map(|s| (Some(s), s.options))
                .collect()
        }
    }

    pub fn subcommand(&self, name: &str) -> Option<&'static SubcommandSpec> {
        self.subcommands
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
    }

    /// One line per form: `/tier set <handle> <tier> <reason>`.
    pub fn usage_lines(&self) -> Vec<String> {
        self.forms()
            .into_iter()
            .map(|(sub, options)| {
                let mut line = format!("/{}", self.name);
                for word in sub
                    .map(|s| s.name.to_string())
                    .into_iter()
                    .chain(options.iter().map(OptionSpec::usage))
                {
                    line.push(' ');
                    line.push_str(&word);
                }
                line
            })
            .collect()
    }

    fn takes_period(&self) -> bool {
        self.forms()
            .iter()
            .any(|(_, o)| o.iter().any(|o| o.kind == OptionKind::Period))
    }

    /// `Usage: …`, one line per form, plus how to write a period when the command takes one.
    pub fn usage_text(&self) -> String {
        let mut out = format!("Usage: {}", self.usage_lines().join("\n       "));
        if self.takes_period() {
            out.push_str(&format!("\n{PERIOD_HELP}"));
        }
        out
    }

    /// What `/help <command>` shows: the description, each form, each option explained.
    pub fn help_text(&self) -> String {
        let mut out = format!(
            "/{}: {} ({})\n{}",
            self.name,
            self.description,
            self.audience.describe(),
            self.usage_text()
        );
        for (sub, options) in self.forms() {
            if let Some(sub) = sub {
                out.push_str(&format!("\n{}: {}", sub.name, sub.description));
            }
            for o in options {
                out.push_str(&format!("\n  {}: {}", o.name, o.description));
                if let OptionKind::Choice(choices) = o.kind {
                    let values: Vec<&str> = choices.iter().map(|c| c.value).collect();
                    out.push_str(&format!(" ({})", values.join(", ")));
                }
            }
        }
        out
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
