//! `creator-bot outbox [retry|cancel ID]`: what the bot sent, sends and could not send — each
//! message with every platform delivery's state — so staff can answer "why didn't this creator
//! get the message?", and send a failed message again or stop one that has not gone out.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::stats_cmd::parse_date_arg;
use super::{Format, Session};
use crate::chat::commands::Table;
use crate::config::Config;
use crate::db::outbox_view::{self, Delivery, Filter, Message};
use crate::db::{self};
use crate::domain::Handle;
use crate::domain::timefmt::{parse_datetime, start_of_day};
use crate::features::stats::UnknownCreator;

/// Messages listed when `--limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct OutboxArgs {
    #[command(subcommand)]
    pub action: Option<OutboxAction>,
    #[command(flatten)]
    pub list: ListArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only messages for or about this creator (@handle or handle).
    #[arg(long)]
    pub creator: Option<String>,
    /// Messages in this state, or with a platform delivery in it.
    #[arg(long, value_parser = ["pending", "queued", "unlinked", "waiting", "sending", "sent",
                                "failed", "cancelled"])]
    pub status: Option<String>,
    /// Only messages of this kind.
    #[arg(long, value_parser = ["dm", "channel", "membership", "staff_alert"])]
    pub kind: Option<String>,
    /// Due on or after this day (YYYY-MM-DD, program timezone).
    #[arg(long, value_parser = parse_date_arg)]
    pub from: Option<NaiveDate>,
    /// Due before this day (excluded).
    #[arg(long, value_parser = parse_date_arg)]
    pub to: Option<NaiveDate>,
    /// At most this many messages, the latest due first.
    #[arg(long, default_value_t = DEFAULT_LIMIT,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Send message ID again: its failed deliveries are due now with their attempts reset; an
    /// unlinked or waiting message fans out again.
    Retry {
        id: i64,
        /// Take this instant as "now" (RFC 3339 or local YYYY-MM-DD HH:MM), for tests.
        #[arg(long, hide = true)]
        now: Option<String>,
    },
    /// Cancel what of message ID has not gone out yet.
    Cancel { id: i64 },
}

pub async fn run(config: Config, program: Option<&str>, args: OutboxArgs) -> Result<ExitCode> {
    let creator = args
        .list
        .creator
        .as_deref()
        .map(Handle::parse)
        .transpose()?;
    if let (Some(from), Some(to)) = (args.list.from, args.list.to)
        && from >= to
    {
        anyhow::bail!("the period is empty: it must end after it starts (from {from}, to {to})");
    }
    let s = Session::open(config, program).await?;
    let tz = s.program.timezone;
    let mut conn = s.pool.acquire().await.context("opening the outbox")?;
    let out = match args.action {
        Some(OutboxAction::Retry { id, now }) => {
            let now = match now {
                Some(raw) => parse_datetime(&raw, tz)?,
                None => Utc::now(),
            };
            let done =
                outbox_view::retry(&mut conn, s.program.id, &s.program.slug, id, now).await?;
            let what = describe(&done.message);
            let mut lines = Vec::new();
            if done.fans_out_again {
                lines.push(format!(
                    "{what} is pending again: it goes out on the next dispatch, on every platform \
                     it can reach"
                ));
            }
            match done.platforms.as_slice() {
                [] => {}
                [one] => lines.push(format!(
                    "{what}: the failed delivery on {one} is due again now (attempts reset); it \
                     goes out on the next dispatch"
                )),
                many => lines.push(format!(
                    "{what}: the failed deliveries on {} are due again now (attempts reset); they \
                     go out on the next dispatch",
                    many.join(" and ")
                )),
            }
            lines.join("\n")
        }
        Some(OutboxAction::Cancel { id }) => {
            let done = outbox_view::cancel(&mut conn, s.program.id, &s.program.slug, id).await?;
            let what = describe(&done.message);
            let mut out = if done.whole {
                format!("{what} cancelled: it will not be sent")
            } else {
                format!("{what}: cancelled on {}", done.platforms.join(" and "))
            };
            if !done.sending.is_empty() {
                out.push_str(&format!(
                    "\nbeing sent on {} right now: that delivery was not cancelled",
                    done.sending.join(" and ")
                ));
            }
            out
        }
        None => {
            let creator_id = match &creator {
                Some(handle) => {
                    let found =
                        db::creators::by_handle(&mut *conn, s.program.id, handle.as_str()).await?;
                    match found {
                        Some(c) => Some(c.id),
                        None => {
                            return Err(crate::domain::for_user(UnknownCreator {
                                handle: handle.clone(),
                                program: s.program.slug.clone(),
                            }));
                        }
                    }
                }
                None => None,
            };
            let l = &args.list;
            let filter = Filter {
                creator_id,
                kinds: l.kind.clone().map(|k| vec![k]),
                status: l.status.clone(),
                from: l.from.map(|d| start_of_day(d, tz)),
                to: l.to.map(|d| start_of_day(d, tz)),
                limit: i64::from(l.limit),
            };
            let messages = outbox_view::list(&mut conn, s.program.id, &filter).await?;
            match l.format {
                Format::Json => serde_json::to_string_pretty(&Value::Array(
                    messages.iter().map(message_json).collect(),
                ))?,
                Format::Table => list_table(&s.program.name, &messages, tz, l.limit),
            }
        }
    };
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `message 12 (onboarding_welcome to @ava)`.
fn describe(m: &Message) -> String {
    format!("message {} ({} to {})", m.id, m.what(), m.recipient())
}

fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// One line per message, and under it one line per platform delivery.
fn list_table(program_name: &str, messages: &[Message], tz: Tz, limit: u32) -> String {
    if messages.is_empty() {
        return format!("Outbox of {program_name}: no messages match");
    }
    let table = Table {
        header: Some(
            ["ID", "Due", "Kind", "To", "Message", "Status"]
                .map(String::from)
                .to_vec(),
        ),
        rows: messages
            .iter()
            .map(|m| {
                vec![
                    m.id.to_string(),
                    local(m.due_at, tz),
                    m.kind.clone(),
                    m.recipient(),
                    m.what(),
                    m.status.clone(),
                ]
            })
            .collect(),
        right_aligned: vec![0],
    };
    let lines = table.lines();
    let deliveries: Vec<&Delivery> = messages.iter().flat_map(|m| &m.deliveries).collect();
    let platform_width = deliveries
        .iter()
        .map(|d| d.platform.len())
        .max()
        .unwrap_or(0);
    let status_width = deliveries.iter().map(|d| d.status.len()).max().unwrap_or(0);
    let attempts_width = deliveries
        .iter()
        .map(|d| attempts(d.attempts).len())
        .max()
        .unwrap_or(0);
    let count = match messages.len() {
        1 => "1 message".to_string(),
        n => format!("{n} messages"),
    };
    let mut out = vec![format!(
        "Outbox of {program_name}: {count}, latest due first"
    )];
    out.push(lines[0].clone());
    for (m, line) in messages.iter().zip(&lines[1..]) {
        out.push(line.clone());
        if m.deliveries.is_empty() {
            if let Some(reason) = &m.last_error {
                out.push(format!("    {reason}"));
            }
            continue;
        }
        for d in &m.deliveries {
            let mut parts = vec![
                format!("{:<platform_width$}", d.platform),
                format!("{:<status_width$}", d.status),
                format!("{:<attempts_width$}", attempts(d.attempts)),
            ];
            if d.status == "pending" && d.due_at > m.due_at {
                parts.push(format!("next try {}", local(d.due_at, tz)));
            }
            if let Some(id) = &d.platform_message_id {
                parts.push(format!("message id {id}"));
            }
            if let Some(e) = &d.last_error {
                parts.push(format!("last error: {e}"));
            }
            out.push(format!("    {}", parts.join("  ").trim_end()));
        }
    }
    if messages.len() == limit as usize {
        out.push(format!(
            "(the latest {limit} shown: narrow the search or raise --limit for more)"
        ));
    }
    out.join("\n")
}

fn attempts(n: i32) -> String {
    match n {
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    }
}

fn message_json(m: &Message) -> Value {
    json!({
        "id": m.id,
        "dedupe_key": m.dedupe_key,
        "kind": m.kind,
        "creator": m.handle,
        "channel": m.channel,
        "recipient": m.recipient(),
        "template": m.template,
        "due_at": m.due_at,
        "status": m.status,
        "state": m.state(),
        "last_error": m.last_error,
        "created_at": m.created_at,
        "deliveries": m.deliveries.iter().map(|d| json!({
            "id": d.id,
            "platform": d.platform,
            "status": d.status,
            "attempts": d.attempts,
            "due_at": d.due_at,
            "last_error": d.last_error,
            "platform_message_id": d.platform_message_id,
            "sent_at": d.sent_at,
            "failed_at": d.failed_at,
        })).collect::<Vec<_>>(),
    })
}
