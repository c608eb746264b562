//! The typed [`Command`]: what each slash command means once its options are read, and how it is
//! built from read option values. Both the text parser and [`Command::from_options`] (what
//! Discord sends) end here, so they agree by construction.

use chrono::NaiveDate;

use super::Attachment;
use super::parse::{OptionValue, ParseError, Value, Values, read_options};
use super::registry::{CommandSpec, SubcommandSpec};
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

pub use crate::features::reports::ReportKind;

/// What `/chart` draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRequest {
    Gmv {
        period: PeriodSpec,
    },
    Leaderboard {
        metric: Metric,
        period: PeriodSpec,
    },
    Pareto {
        period: PeriodSpec,
    },
    Tiers {
        /// `None`: today.
        day: Option<NaiveDate>,
    },
    Creator {
        handle: Handle,
        period: PeriodSpec,
    },
    Competition {
        /// `None`: the running competition, else the last one that ended.
        name: Option<String>,
    },
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
    Chart(ChartRequest),
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
        file: Attachment,
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
    /// The latest TikTok Shop syncs.
    Sync,
    /// The program's channels and roles on the caller's platform, created or adopted.
    Setup,
    /// The commands the caller may use, or one explained.
    Help {
        command: Option<String>,
    },
}

/// Used when a command is given no period.
pub const DEFAULT_PERIOD: PeriodSpec = PeriodSpec::LastDays(30);

impl Command {
    /// The registry's name of the command.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Creator { .. } => "creator",
            Command::Kpi { .. } => "kpi",
            Command::Leaderboard { .. } => "leaderboard",
            Command::Chart(_) => "chart",
            Command::Tier(_) => "tier",
            Command::Sample { .. } => "sample",
            Command::Competition(_) => "competition",
            Command::Report(_) => "report",
            Command::Import { .. } => "import",
            Command::MyStats { .. } => "mystats",
            Command::Link { .. } => "link",
            Command::OptOut => "optout",
            Command::OptIn => "optin",
            Command::CheckIn { .. } => "checkin",
            Command::Sync => "sync",
            Command::Setup => "setup",
            Command::Help { .. } => "help",
        }
    }

    /// The command from option values already typed by the platform (Discord's interaction
    /// options): the subcommand's name, then `(option name, value)`. Checked as the text is.
    pub fn from_options(
        spec: &'static CommandSpec,
        subcommand: Option<&str>,
        options: &[(&str, OptionValue)],
    ) -> Result<Command, ParseError> {
        let usage = |message: String| ParseError::Usage { spec, message };
        let sub = match (spec.subcommands.is_empty(), subcommand) {
            (true, _) => None,
            (false, Some(name)) => Some(
                spec.subcommand(name)
                    .ok_or_else(|| usage(super::parse::unknown_subcommand(spec, name)))?,
            ),
            (false, None) => return Err(usage(super::parse::missing_subcommand(spec))),
        };
        let values =
            read_options(sub.map_or(spec.options, |s| s.options), options).map_err(usage)?;
        build(spec, sub, values).map_err(usage)
    }
}

/// The command `spec` (form `sub`) with these option values.
pub(crate) fn build(
    spec: &CommandSpec,
    sub: Option<&SubcommandSpec>,
    mut v: Values,
) -> Result<Command, String> {
    let sub = sub.map_or("", |s| s.name);
    let period = |v: &mut Values| match v.take("period") {
        Some(Value::Period(p)) => p,
        _ => DEFAULT_PERIOD,
    };
    Ok(match (spec.name, sub) {
        ("creator", _) => Command::Creator {
            who: v.creator("creator")?,
            period: period(&mut v),
        },
        ("kpi", _) => Command::Kpi {
            period: period(&mut v),
        },
        ("leaderboard", _) => Command::Leaderboard {
            metric: v.metric("metric")?.unwrap_or(Metric::Gmv),
            period: period(&mut v),
        },
        ("chart", "gmv") => Command::Chart(ChartRequest::Gmv {
            period: period(&mut v),
        }),
        ("chart", "leaderboard") => Command::Chart(ChartRequest::Leaderboard {
            metric: v.metric("metric")?.unwrap_or(Metric::Gmv),
            period: period(&mut v),
        }),
        ("chart", "pareto") => Command::Chart(ChartRequest::Pareto {
            period: period(&mut v),
        }),
        ("chart", "tiers") => Command::Chart(ChartRequest::Tiers {
            day: match v.take("day") {
                Some(Value::Date(d)) => Some(d),
                _ => None,
            },
        }),
        ("chart", "creator") => Command::Chart(ChartRequest::Creator {
            handle: v.handle("handle")?,
            period: period(&mut v),
        }),
        ("chart", _) => Command::Chart(ChartRequest::Competition {
            name: v.text("name"),
        }),
        ("tier", "list") => Command::Tier(TierAction::List(v.tier("tier")?)),
        ("tier", "set") => Command::Tier(TierAction::Set {
            handle: v.handle("handle")?,
            tier: v.tier("tier")?.ok_or("missing the tier")?,
            reason: v.text("reason").ok_or("missing the reason")?,
        }),
        ("tier", "why") => Command::Tier(TierAction::Why(v.handle("handle")?)),
        ("sample", event) => Command::Sample {
            event: if event == "delivered" {
                SampleEvent::Delivered
            } else {
                SampleEvent::Shipped
            },
            handle: v.handle("handle")?,
            product_id: v.text("product").ok_or("missing the product id")?,
            day: match v.take("day") {
                Some(Value::Date(d)) => Some(d),
                _ => None,
            },
        },
        ("competition", "start") => Command::Competition(CompetitionAction::Start {
            name: v.text("name").ok_or("missing the competition's name")?,
            metric: v.metric("metric")?.ok_or("missing the metric")?,
            window: match v.take("dates") {
                Some(Value::Dates(p)) => p,
                _ => return Err("missing the dates".into()),
            },
            tier: v.tier("tier")?,
            prize: v.text("prize"),
        }),
        ("competition", "end") => Command::Competition(CompetitionAction::End {
            name: v.text("name").ok_or("missing the competition's name")?,
        }),
        ("competition", _) => Command::Competition(CompetitionAction::Show {
            name: v.text("name"),
        }),
        ("report", "monthly") => Command::Report(ReportKind::Monthly),
        ("report", "quarterly") => Command::Report(ReportKind::Quarterly),
        ("report", _) => Command::Report(ReportKind::Weekly),
        ("import", _) => Command::Import {
            kind: v
                .choice("kind")
                .ok_or("missing what the file holds")?
                .parse::<ImportKind>()?,
            file: match v.take("file") {
                Some(Value::Attachment(a)) => a,
                _ => return Err("attach the CSV file to the command".into()),
            },
        },
        ("mystats", _) => Command::MyStats {
            period: period(&mut v),
        },
        ("link", _) => Command::Link {
            handle: v.handle("handle")?,
        },
        ("optout", _) => Command::OptOut,
        ("optin", _) => Command::OptIn,
        ("checkin", _) => Command::CheckIn {
            answer: v
                .text("answer")
                .ok_or("missing what you are filming and what you need")?,
        },
        ("sync", _) => Command::Sync,
        ("setup", _) => Command::Setup,
        ("help", _) => Command::Help {
            command: v.text("command"),
        },
        (other, _) => return Err(format!("/{other} is not handled")),
    })
}
