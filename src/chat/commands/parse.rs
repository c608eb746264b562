//! From a command name and its argument text (Slack's text, or Discord's options joined with
//! spaces) to a typed [`Command`]. Errors name the bad argument in words fit for the user; the
//! reply adds the command's usage.

use chrono::NaiveDate;

use super::args::Args;
use super::registry::{self, CommandSpec};
use crate::domain::timefmt::parse_date;
use crate::domain::{Handle, Period, PeriodSpec, Tier};
use crate::features::import::ImportKind;
use crate::features::samples::SampleEvent;
use crate::features::stats::Metric;

/// Who a staff command is about: a TikTok handle, or a chat user mentioned (`<@U123>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreatorRef {
    Handle(Handle),
    ChatUser(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierAction {
    /// The tier mix, or the creators of one tier.
    List(Option<Tier>),
    Set {
        handle: Handle,
        tier: Tier,
        reason: String,
    },
    Why(Handle),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompetitionAction {
    Start {
        name: String,
        metric: Metric,
        window: Period,
        /// `None`: every tier.
        tier: Option<Tier>,
        prize: Option<String>,
    },
    End {
        name: String,
    },
    Show {
        name: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Weekly,
    Monthly,
}

/// A command with its arguments checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Creator {
        who: CreatorRef,
        period: PeriodSpec,
    },
    Kpi {
        period: PeriodSpec,
    },
    Leaderboard {
        metric: Metric,
        period: PeriodSpec,
    },
    Tier(TierAction),
    Sample {
        event: SampleEvent,
        handle: Handle,
        product_id: String,
        /// `None`: today.
        day: Option<NaiveDate>,
    },
    Competition(CompetitionAction),
    Report(ReportKind),
    Import {
        kind: ImportKind,
        file_name: String,
    },
    MyStats {
        period: PeriodSpec,
    },
    Link {
        handle: Handle,
    },
    OptOut,
    OptIn,
    /// An All-Star's answer to the weekly check-in.
    CheckIn {
        answer: String,
    },
}

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

/// Used when a command is given no period.
pub const DEFAULT_PERIOD: PeriodSpec = PeriodSpec::LastDays(30);

/// Reads `/name args`. `attachment` is the name of the file sent with the command, if any.
pub fn parse(name: &str, args: &str, attachment: Option<&str>) -> Result<Command, ParseError> {
    let spec = registry::find(name)
        .ok_or_else(|| ParseError::UnknownCommand(name.trim().trim_start_matches('/').into()))?;
    let usage = |message: String| ParseError::Usage { spec, message };
    let mut a = Args::new(args).map_err(|e| usage(e.to_string()))?;
    let command = read(spec.name, &mut a, attachment).map_err(usage)?;
    if let Some(extra) = a.rest() {
        return Err(usage(format!("unexpected {extra:?} at the end")));
    }
    Ok(command)
}

fn read(name: &str, a: &mut Args, attachment: Option<&str>) -> Result<Command, String> {
    Ok(match name {
        "creator" => Command::Creator {
            who: creator_ref(&required(
                a,
                "the creator: their TikTok handle or @mention",
            )?)?,
            period: period(a)?,
        },
        "kpi" => Command::Kpi { period: period(a)? },
        "leaderboard" => {
            let metric = match a.peek() {
                Some(w) if !PeriodSpec::looks_like_one(w) => metric(&a.next_word().unwrap())?,
                _ => Metric::Gmv,
            };
            Command::Leaderboard {
                metric,
                period: period(a)?,
            }
        }
        "tier" => Command::Tier(tier_action(a)?),
        "sample" => {
            let event = match required(a, "shipped or delivered")?.to_lowercase().as_str() {
                "shipped" => SampleEvent::Shipped,
                "delivered" => SampleEvent::Delivered,
                other => {
                    return Err(format!(
                        "unknown sample event {other:?}: use shipped or delivered"
                    ));
                }
            };
            Command::Sample {
                event,
                handle: handle(&required(a, "the creator's TikTok handle")?)?,
                product_id: required(a, "the product id")?,
                day: a.next_word().map(|d| date(&d)).transpose()?,
            }
        }
        "competition" => Command::Competition(competition(a)?),
        "report" => Command::Report(
            match required(a, "weekly or monthly")?.to_lowercase().as_str() {
                "weekly" => ReportKind::Weekly,
                "monthly" => ReportKind::Monthly,
                other => return Err(format!("unknown report {other:?}: use weekly or monthly")),
            },
        ),
        "import" => {
            let raw = required(
                a,
                "what the file holds: orders, creators, samples, videos or products",
            )?;
            let kind = raw.parse::<ImportKind>().map_err(|_| {
                format!(
                    "unknown file kind {raw:?}: use orders, creators, samples, videos or products"
                )
            })?;
            let file_name = attachment
                .ok_or_else(|| "attach the CSV file to the command".to_string())?
                .to_string();
            Command::Import { kind, file_name }
        }
        "mystats" => Command::MyStats { period: period(a)? },
        "link" => Command::Link {
            handle: handle(&required(a, "your TikTok handle")?)?,
        },
        "optout" => Command::OptOut,
        "optin" => Command::OptIn,
        "checkin" => Command::CheckIn {
            answer: a
                .rest()
                .ok_or_else(|| "write what you are filming and what you need".to_string())?,
        },
        other => return Err(format!("/{other} is not handled")),
    })
}

fn required(a: &mut Args, what: &str) -> Result<String, String> {
    a.next_word().ok_or_else(|| format!("missing {what}"))
}

fn period(a: &mut Args) -> Result<PeriodSpec, String> {
    match a.next_word() {
        None => Ok(DEFAULT_PERIOD),
        Some(raw) => PeriodSpec::parse(&raw).map_err(|e| e.to_string()),
    }
}

fn metric(raw: &str) -> Result<Metric, String> {
    raw.parse()
        .map_err(|_| format!("unknown metric {raw:?}: use gmv, videos or views"))
}

fn handle(raw: &str) -> Result<Handle, String> {
    Handle::parse(raw).map_err(|e| e.to_string())
}

fn tier(raw: &str) -> Result<Tier, String> {
    raw.parse().map_err(|_| {
        format!(
            "unknown tier {raw:?}: use all_stars, steady_earners or new_and_promising (or 1, 2, 3)"
        )
    })
}

fn date(raw: &str) -> Result<NaiveDate, String> {
    parse_date(raw).map_err(|_| format!("{raw:?} is not a date: use YYYY-MM-DD"))
}

/// A chat mention as both platforms write it (`<@123>`, `<@!123>`, `<@U123|name>`), else a handle.
fn creator_ref(raw: &str) -> Result<CreatorRef, String> {
    if let Some(inner) = raw.strip_prefix("<@").and_then(|r| r.strip_suffix('>')) {
        let id = inner.trim_start_matches('!');
        let id = id.split('|').next().unwrap_or_default();
        if !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Ok(CreatorRef::ChatUser(id.to_string()));
        }
        return Err(format!("{raw:?} is not a mention of a chat user"));
    }
    handle(raw).map(CreatorRef::Handle)
}

fn tier_action(a: &mut Args) -> Result<TierAction, String> {
    let action = required(a, "what to do: list, set or why")?;
    Ok(match action.to_lowercase().as_str() {
        "list" => TierAction::List(a.rest().map(|t| tier(&t)).transpose()?),
        "set" => TierAction::Set {
            handle: handle(&required(a, "the creator's TikTok handle")?)?,
            tier: tier(&required(a, "the tier")?)?,
            reason: a
                .rest()
                .ok_or("missing the reason: every tier change is kept with its reason")?,
        },
        "why" => TierAction::Why(handle(&required(a, "the creator's TikTok handle")?)?),
        other => {
            return Err(format!(
                "unknown /tier action {other:?}: use list, set or why"
            ));
        }
    })
}

fn competition(a: &mut Args) -> Result<CompetitionAction, String> {
    let action = required(a, "what to do: start, end or show")?;
    Ok(match action.to_lowercase().as_str() {
        "start" => {
            let name = required(a, "the competition's name (quote it if it has spaces)")?;
            let metric = metric(&required(a, "the metric: gmv, videos or views")?)?;
            let raw = required(a, "the dates: YYYY-MM-DD..YYYY-MM-DD")?;
            let window = match PeriodSpec::parse(&raw).map_err(|e| e.to_string())? {
                PeriodSpec::Days(p) => p,
                _ => {
                    return Err(format!(
                        "a competition runs between dates, not {raw:?}: use YYYY-MM-DD..YYYY-MM-DD"
                    ));
                }
            };
            let tier = match a.peek() {
                Some(w) if w.eq_ignore_ascii_case("all") => {
                    a.next_word();
                    None
                }
                Some(w) if w.parse::<Tier>().is_ok() => a.next_word().and_then(|w| w.parse().ok()),
                _ => None,
            };
            CompetitionAction::Start {
                name,
                metric,
                window,
                tier,
                prize: a.rest(),
            }
        }
        "end" => CompetitionAction::End {
            name: required(a, "the competition's name")?,
        },
        "show" => CompetitionAction::Show { name: a.rest() },
        other => {
            return Err(format!(
                "unknown /competition action {other:?}: use start, end or show"
            ));
        }
    })
}
