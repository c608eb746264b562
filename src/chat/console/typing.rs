//! What a person types in the console workspace: a slash command for the bot (run as whoever
//! they are acting as), or one of the console's own commands — `/as` to act as staff, a creator
//! or an unlinked user, `/help`, `/pause`, `/resume`, `/wait` (for scripts) and `/quit`.

use chrono::{Duration, NaiveDateTime};

use crate::chat::commands::{Request, registry};

/// Who the person at the console acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Persona {
    /// The staff member (the console's `staff` user).
    Staff,
    /// The creator with this handle (lower case, no `@`).
    Creator(String),
    /// A chat user linked to no one.
    Stranger,
}

impl Persona {
    /// The chat user behind the persona in the console workspace.
    pub fn caller(&self) -> crate::chat::commands::Caller {
        use super::{STAFF_USER, STRANGER_USER, WORKSPACE_ID};
        let user_id = match self {
            Persona::Staff => STAFF_USER.to_string(),
            Persona::Creator(handle) => handle.clone(),
            Persona::Stranger => STRANGER_USER.to_string(),
        };
        crate::chat::commands::Caller::new(crate::chat::Platform::Console, WORKSPACE_ID, &user_id)
    }

    /// How the transcript names who typed a line; `staff_name` is the console's staff member.
    pub fn label(&self, staff_name: &str) -> String {
        match self {
            Persona::Staff => format!("{staff_name} (staff)"),
            Persona::Creator(handle) => format!("@{handle}"),
            Persona::Stranger => "stranger".to_string(),
        }
    }
}

/// How long `/wait` holds the next lines back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Until this program-local time.
    Until(NaiveDateTime),
    /// For this much simulated time.
    For(Duration),
}

/// One line read from the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Blank,
    As(Persona),
    Help,
    Pause,
    Resume,
    Quit,
    Wait(Wait),
    /// A slash command for the bot.
    Command(Request),
    /// Something the console cannot use; the text says why.
    Invalid(String),
}

/// The console's own commands, as `/help` lists them.
pub const CONSOLE_COMMANDS: &[(&str, &str)] = &[
    ("/as @handle", "act as that creator"),
    ("/as staff", "act as the staff member again"),
    (
        "/as stranger",
        "act as a chat user who is not linked to anyone",
    ),
    ("/pause", "stop the clock (commands still work)"),
    ("/resume", "start the clock again"),
    (
        "/wait YYYY-MM-DD HH:MM | 3h | 2d",
        "hold the next lines until then (for scripts)",
    ),
    ("/help", "this list (/help <command> explains one command)"),
    ("/quit", "stop"),
];

/// Reads one line.
pub fn parse(line: &str) -> Typed {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Typed::Blank;
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Typed::Invalid(format!(
            "{line:?} is not a command: commands start with a slash, e.g. /kpi (type /help for the list)"
        ));
    };
    let (name, args) = match rest.split_once(char::is_whitespace) {
        Some((name, args)) => (name, args.trim()),
        None => (rest, ""),
    };
    match name.to_lowercase().as_str() {
        "as" => persona(args),
        // `/help <command>` is the bot's own help about one command.
        "help" if args.is_empty() => Typed::Help,
        "pause" => Typed::Pause,
        "resume" => Typed::Resume,
        "quit" | "exit" => Typed::Quit,
        "wait" => wait(args),
        _ => Typed::Command(Request::new(name, args)),
    }
}

fn persona(args: &str) -> Typed {
    let who = args.trim();
    match who.to_lowercase().as_str() {
        "" => Typed::Invalid("Usage: /as @handle | /as staff | /as stranger".into()),
        "staff" => Typed::As(Persona::Staff),
        "stranger" => Typed::As(Persona::Stranger),
        handle if !handle.contains(char::is_whitespace) => {
            Typed::As(Persona::Creator(handle.trim_start_matches('@').to_string()))
        }
        _ => Typed::Invalid("Usage: /as @handle | /as staff | /as stranger".into()),
    }
}

fn wait(args: &str) -> Typed {
    let usage = || {
        Typed::Invalid(format!(
            "/wait takes a program-local time (YYYY-MM-DD HH:MM) or a span (30m, 3h, 2d), not {args:?}"
        ))
    };
    if let Ok(at) = NaiveDateTime::parse_from_str(args, "%Y-%m-%d %H:%M") {
        return Typed::Wait(Wait::Until(at));
    }
    let Some(unit) = args.chars().last() else {
        return usage();
    };
    let Ok(n) = args[..args.len() - unit.len_utf8()].parse::<u32>() else {
        return usage();
    };
    let n = i64::from(n);
    match unit {
        'm' => Typed::Wait(Wait::For(Duration::minutes(n))),
        'h' => Typed::Wait(Wait::For(Duration::hours(n))),
        'd' => Typed::Wait(Wait::For(Duration::days(n))),
        _ => usage(),
    }
}

/// The `/help` text: the bot's slash commands from the registry (who may use each), then the
/// console's own.
pub fn help() -> String {
    let mut out = String::from("Slash commands (the bot answers only you):\n");
    for c in registry() {
        let who = c.audience.describe();
        out.push_str(&format!(
            "  {:<14} {} ({who})\n",
            format!("/{}", c.name),
            c.description
        ));
        for usage in c.usage_lines() {
            out.push_str(&format!("      {usage}\n"));
        }
    }
    out.push_str("Console:\n");
    for (usage, what) in CONSOLE_COMMANDS {
        out.push_str(&format!("  {usage:<34} {what}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_commands_go_to_the_bot_and_the_rest_to_the_console() {
        assert_eq!(
            parse("  /kpi 7d "),
            Typed::Command(Request::new("kpi", "7d"))
        );
        assert_eq!(
            parse("/mystats"),
            Typed::Command(Request::new("mystats", ""))
        );
        assert_eq!(
            parse("/as @AvaSkincare3"),
            Typed::As(Persona::Creator("avaskincare3".into()))
        );
        assert_eq!(parse("/as staff"), Typed::As(Persona::Staff));
        assert_eq!(parse("/AS Stranger"), Typed::As(Persona::Stranger));
        assert_eq!(parse("/pause"), Typed::Pause);
        assert_eq!(parse("/resume"), Typed::Resume);
        assert_eq!(parse("/quit"), Typed::Quit);
        assert_eq!(parse("/help"), Typed::Help);
        assert_eq!(
            parse("/help tier"),
            Typed::Command(Request::new("help", "tier"))
        );
        assert_eq!(parse(""), Typed::Blank);
        assert_eq!(parse("# a comment in a script"), Typed::Blank);
        assert_eq!(
            parse("/as"),
            Typed::Invalid("Usage: /as @handle | /as staff | /as stranger".into())
        );
        assert_eq!(
            parse("hello"),
            Typed::Invalid(
                "\"hello\" is not a command: commands start with a slash, e.g. /kpi (type /help for the list)"
                    .into()
            )
        );
    }

    #[test]
    fn wait_takes_a_local_time_or_a_span() {
        assert_eq!(
            parse("/wait 2026-11-24 11:00"),
            Typed::Wait(Wait::Until(
                NaiveDateTime::parse_from_str("2026-11-24 11:00", "%Y-%m-%d %H:%M").unwrap()
            ))
        );
        assert_eq!(
            parse("/wait 3h"),
            Typed::Wait(Wait::For(Duration::hours(3)))
        );
        assert_eq!(parse("/wait 2d"), Typed::Wait(Wait::For(Duration::days(2))));
        assert_eq!(
            parse("/wait 45m"),
            Typed::Wait(Wait::For(Duration::minutes(45)))
        );
        assert_eq!(
            parse("/wait soon"),
            Typed::Invalid(
                "/wait takes a program-local time (YYYY-MM-DD HH:MM) or a span (30m, 3h, 2d), not \"soon\""
                    .into()
            )
        );
    }

    #[test]
    fn help_lists_every_registered_command() {
        let text = help();
        for c in registry() {
            assert!(text.contains(&format!("  /{:<13}", c.name)), "{}", c.name);
        }
        assert!(text.contains("  /as @handle "));
    }
}
