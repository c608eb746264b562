//! From a command's text (the console's line, Slack's typed text) or a platform's typed options
//! to a [`Command`], driven by the registry: the options of each form are read in order, each by
//! its kind. Errors name the bad argument in words taken from the schema; the reply adds the
//! command's usage.

use chrono::NaiveDate;

use super::Attachment;
use super::args::Args;
use super::command::build;
pub use super::command::{
    ChartRequest, Command, CompetitionAction, CreatorRef, DEFAULT_PERIOD, ReportKind, TierAction,
};
use super::registry::{self, CommandSpec, OptionKind, OptionSpec};
use super::schema::or_list;
use crate::domain::timefmt::parse_date;
use crate::domain::{Handle, Period, PeriodSpec, Tier};
use crate::features::stats::Metric;

/// Why a command could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown command /{0}")]
    UnknownCommand(String),
    /// `message` names the bad argument; the reply shows `spec`'s usage under it.
    #[error("{message}")]
    Usage {
        spec: &'static CommandSpec,
        message: String,
    },
}

/// An option's value as a platform delivers it, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    Text(String),
    Integer(i64),
    /// A chat user picked from the platform's user list (their id).
    User(String),
    Attachment(Attachment),
}

/// An option's value once checked against its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Handle(Handle),
    Creator(CreatorRef),
    ChatUser(String),
    Integer(i64),
    Date(NaiveDate),
    Period(PeriodSpec),
    Dates(Period),
    /// The choice's registered value.
    Choice(&'static str),
    Attachment(Attachment),
}

/// The checked values of one command, by option name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(Vec<(&'static str, Value)>);

impl Values {
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let i = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.remove(i).1)
    }

    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.take(name)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn choice(&mut self, name: &str) -> Option<&'static str> {
        match self.take(name)? {
            Value::Choice(c) => Some(c),
            _ => None,
        }
    }

    pub fn handle(&mut self, name: &str) -> Result<Handle, String> {
        match self.take(name) {
            Some(Value::Handle(h)) => Ok(h),
            _ => Err(format!("missing the {name}")),
        }
    }

    pub fn creator(&mut self, name: &str) -> Result<CreatorRef, String> {
        match self.take(name) {
            Some(Value::Creator(c)) => Ok(c),
            _ => Err(format!("missing the {name}")),
        }
    }

    /// A tier choice; `all` means none in particular.
    pub fn tier(&mut self, name: &str) -> Result<Option<Tier>, String> {
        match self.choice(name) {
            None | Some("all") => Ok(None),
            Some(t) => t.parse().map(Some).map_err(|e| format!("{e}")),
        }
    }

    pub fn metric(&mut self, name: &str) -> Result<Option<Metric>, String> {
        self.choice(name)
            .map(|m| m.parse().map_err(|e| format!("{e}")))
            .transpose()
    }
}

/// Reads `/name args`. `attachment` is the file sent with the command, if any.
pub fn parse(
    name: &str,
    args: &str,
    attachment: Option<&Attachment>,
) -> Result<Command, ParseError> {
    let spec = registry::find(name)
        .ok_or_else(|| ParseError::UnknownCommand(name.trim().trim_start_matches('/').into()))?;
    let usage = |message: String| ParseError::Usage { spec, message };
    let mut a = Args::new(args).map_err(|e| usage(e.to_string()))?;
    let sub = if spec.subcommands.is_empty() {
        None
    } else {
        let word = a
            .next_word()
            .ok_or_else(|| usage(missing_subcommand(spec)))?;
        Some(
            spec.subcommand(&word)
                .ok_or_else(|| usage(unknown_subcommand(spec, &word)))?,
        )
    };
    let options = sub.map_or(spec.options, |s| s.options);
    let values = read_words(options, &mut a, attachment).map_err(usage)?;
    if let Some(extra) = a.rest() {
        return Err(usage(format!("unexpected {extra:?} at the end")));
    }
    build(spec, sub, values).map_err(usage)
}

pub(crate) fn missing_subcommand(spec: &CommandSpec) -> String {
    let names: Vec<&str> = spec.subcommands.iter().map(|s| s.name).collect();
    format!("missing what to do: {}", or_list(&names))
}

pub(crate) fn unknown_subcommand(spec: &CommandSpec, typed: &str) -> String {
    let names: Vec<&str> = spec.subcommands.iter().map(|s| s.name).collect();
    format!(
        "unknown /{} action {typed:?}: use {}",
        spec.name,
        or_list(&names)
    )
}

/// The options of one form, read from the words in order. An optional option is passed over
/// when the word is for the option after it: a period after an optional metric, or free text
/// after an optional tier that the word does not name.
fn read_words(
    options: &'static [OptionSpec],
    a: &mut Args,
    attachment: Option<&Attachment>,
) -> Result<Values, String> {
    let mut values = Values::default();
    for (i, o) in options.iter().enumerate() {
        if o.kind == OptionKind::Attachment {
            match attachment {
                Some(file) => values.0.push((o.name, Value::Attachment(file.clone()))),
                None if o.required => {
                    return Err(format!("attach {} to the command", o.description));
                }
                None => {}
            }
            continue;
        }
        let last = i + 1 == options.len();
        let Some(word) = a.peek().map(str::to_string) else {
            if o.required {
                return Err(format!("missing {}", o.description));
            }
            continue;
        };
        if !o.required
            && let Some(next) = options.get(i + 1)
        {
            let skip = if next.takes_rest(i + 2 == options.len()) {
                read(o, &word).is_err()
            } else {
                looks_like(next, &word)
            };
            if skip {
                continue;
            }
        }
        let raw = if o.takes_rest(last) {
            a.rest().unwrap_or_default()
        } else {
            a.next_word().unwrap_or_default()
        };
        values.0.push((o.name, read(o, &raw)?));
    }
    Ok(values)
}

/// Whether `word` is meant for option `o` (a period is recognised by its shape).
fn looks_like(o: &OptionSpec, word: &str) -> bool {
    match o.kind {
        OptionKind::Period => PeriodSpec::looks_like_one(word),
        _ => read(o, word).is_ok(),
    }
}

/// Checks platform-typed options against `options`: unknown names are refused, missing
/// required ones named.
pub(crate) fn read_options(
    options: &'static [OptionSpec],
    given: &[(&str, OptionValue)],
) -> Result<Values, String> {
    if let Some((name, _)) = given
        .iter()
        .find(|(n, _)| !options.iter().any(|o| o.name == *n))
    {
        return Err(format!("unknown option {name:?}"));
    }
    let mut values = Values::default();
    for o in options {
        let Some((_, value)) = given.iter().find(|(n, _)| *n == o.name) else {
            if o.required {
                return Err(match o.kind {
                    OptionKind::Attachment => format!("attach {} to the command", o.description),
                    _ => format!("missing {}", o.description),
                });
            }
            continue;
        };
        let value = match (value, o.kind) {
            (OptionValue::Attachment(file), OptionKind::Attachment) => {
                Value::Attachment(file.clone())
            }
            (OptionValue::User(id), OptionKind::ChatUser | OptionKind::Creator) => {
                let id = mention_id(&format!("<@{id}>")).ok_or("not a chat user")?;
                match o.kind {
                    OptionKind::ChatUser => Value::ChatUser(id),
                    _ => Value::Creator(CreatorRef::ChatUser(id)),
                }
            }
            (OptionValue::Integer(n), _) => read(o, &n.to_string())?,
            (OptionValue::Text(t), _) => read(o, t.trim())?,
            (_, _) => return Err(format!("{} is not {}", o.name, o.description)),
        };
        values.0.push((o.name, value));
    }
    Ok(values)
}

/// One option's text checked against its kind.
pub(crate) fn read(o: &OptionSpec, raw: &str) -> Result<Value, String> {
    Ok(match o.kind {
        OptionKind::Text => Value::Text(raw.to_string()),
        OptionKind::Handle => Value::Handle(handle(raw)?),
        OptionKind::Creator => Value::Creator(creator_ref(raw)?),
        OptionKind::ChatUser => Value::ChatUser(
            mention_id(raw).ok_or_else(|| format!("{raw:?} is not a mention of a chat user"))?,
        ),
        OptionKind::Integer { min, max } => match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Value::Integer(n),
            _ => return Err(format!("{raw:?} is not a whole number from {min} to {max}")),
        },
        OptionKind::Date => Value::Date(
            parse_date(raw).map_err(|_| format!("{raw:?} is not a date: use YYYY-MM-DD"))?,
        ),
        OptionKind::Period => Value::Period(PeriodSpec::parse(raw).map_err(|e| e.to_string())?),
        OptionKind::Dates => match PeriodSpec::parse(raw).map_err(|e| e.to_string())? {
            PeriodSpec::Days(p) => Value::Dates(p),
            _ => {
                return Err(format!(
                    "{raw:?} is not a range of dates: use YYYY-MM-DD..YYYY-MM-DD"
                ));
            }
        },
        OptionKind::Choice(choices) => match choices.iter().find(|c| c.matches(raw)) {
            Some(c) => Value::Choice(c.value),
            None => {
                let values: Vec<&str> = choices.iter().map(|c| c.value).collect();
                return Err(format!(
                    "unknown {} {raw:?}: use {}",
                    o.name,
                    or_list(&values)
                ));
            }
        },
        OptionKind::Attachment => return Err(format!("attach {} to the command", o.description)),
    })
}

fn handle(raw: &str) -> Result<Handle, String> {
    Handle::parse(raw).map_err(|e| e.to_string())
}

/// The user id of a chat mention as both platforms write it (`<@123>`, `<@!123>`, `<@U1|name>`).
fn mention_id(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix("<@")?.strip_suffix('>')?;
    let id = inner.trim_start_matches('!');
    let id = id.split('|').next().unwrap_or_default();
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| id.to_string())
}

/// A chat mention, else a handle.
fn creator_ref(raw: &str) -> Result<CreatorRef, String> {
    if raw.starts_with("<@") {
        return mention_id(raw)
            .map(CreatorRef::ChatUser)
            .ok_or_else(|| format!("{raw:?} is not a mention of a chat user"));
    }
    handle(raw).map(CreatorRef::Handle)
}
