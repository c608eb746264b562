//! `creator-bot tiktok connect|status|backfill|sync`: connects a program to its TikTok shop, shows
//! what the syncs did, loads history, or runs a sync now.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::App;
use crate::config::Config;
use crate::features::tiktok::orders::Outcome;
use crate::features::tiktok::status::{self, run_summary, when};
use crate::features::tiktok::{SyncKind, connect, orders, samples};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum What {
    /// Orders created since the last sync.
    Orders,
    /// The last tiktok.settlement_days of orders again (statuses, refunds, actual commissions).
    Settlements,
    /// Sample applications.
    Samples,
}

#[derive(Debug, Subcommand)]
pub enum TikTokCommand {
    /// Without --code: print the link a shop owner opens to authorize the app (valid for an
    /// hour; TikTok then returns to /tiktok/callback on the running bot, which finishes the
    /// connection). With --code: finish it here with the code TikTok handed back.
    Connect {
        #[arg(long)]
        code: Option<String>,
    },
    /// Each program's shop, token expiry, the latest syncs and what they did, the next runs.
    Status {
        /// Syncs to show per program.
        #[arg(long, default_value_t = 10)]
        runs: i64,
    },
    /// Load the order history of the last N days (in windows of at most 3 months).
    Backfill {
        #[arg(long, default_value_t = 180)]
        days: u32,
    },
    /// Run one sync now.
    Sync {
        #[arg(value_enum)]
        what: What,
    },
}

pub async fn run(config: Config, program: Option<&str>, cmd: TikTokCommand) -> Result<ExitCode> {
    let app = App::open(config).await?;
    match cmd {
        TikTokCommand::Connect { code } => {
            let creds = app.tiktok()?;
            let program = app.program(program).await?;
            match code {
                None => {
                    let url = connect::authorize_url(&app, creds, &program).await?;
                    println!(
                        "Open this link as the owner of the shop for {:?} and approve the app \
                         (it works for an hour):\n\n  {url}\n\nTikTok Shop then returns to the \
                         app's redirect URL, /tiktok/callback on the running bot, which finishes \
                         the connection. If the bot is not reachable there, copy the `code` from \
                         the address TikTok opens and run:\n\n  creator-bot tiktok connect \
                         --program {} --code CODE",
                        program.name, program.slug
                    );
                }
                Some(code) => {
                    let c = connect::exchange(&app, creds, &program, &code).await?;
                    println!(
                        "Connected {} to the shop {} ({}). The access token is good until {}; \
                         orders sync every run of cadences.tiktok_orders from now on.",
                        program.slug,
                        c.shop.name,
                        c.shop.id,
                        when(c.access_expires_at, &program)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TikTokCommand::Status { runs } => {
            let programs = match program {
                Some(slug) => vec![app.program(Some(slug)).await?],
                None => crate::db::programs::all(&app.pool).await?,
            };
            for p in programs {
                print!(
                    "{}",
                    render_status(
                        &status::status(&app.pool, &app.config, &p, runs, app.now()).await?
                    )
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TikTokCommand::Backfill { days } => {
            let creds = app.tiktok()?;
            let program = app.program(program).await?;
            let outcome =
                orders::sync(&app, creds, &program, SyncKind::Backfill, Some(days), bar()).await?;
            report(&outcome)
        }
        TikTokCommand::Sync { what } => {
            let creds = app.tiktok()?;
            let program = app.program(program).await?;
            let outcome = match what {
                What::Orders => {
                    orders::sync(&app, creds, &program, SyncKind::Orders, None, None).await?
                }
                What::Settlements => {
                    orders::sync(&app, creds, &program, SyncKind::Settlements, None, None).await?
                }
                What::Samples => samples::sync(&app, creds, &program).await?,
            };
            report(&outcome)
        }
    }
}

/// A bar on stderr when it is a terminal.
fn bar() -> Option<ProgressBar> {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let bar = ProgressBar::new(1);
    if let Ok(style) = ProgressStyle::with_template("backfill [{bar:40}] {percent}% ({eta} left)") {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

fn report(outcome: &Outcome) -> Result<ExitCode> {
    println!("{}", outcome.summary());
    if let Outcome::Ran(run) = outcome {
        let rejects: Vec<crate::domain::tiktok_lines::RejectedLine> =
            serde_json::from_value(run.rejects.clone()).unwrap_or_default();
        for r in &rejects {
            println!("  rejected: {}", r.describe());
        }
        if run.rejected > rejects.len() as i64 {
            println!(
                "  … and {} more rejected",
                run.rejected - rejects.len() as i64
            );
        }
        if run.status == "failed" {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(match outcome {
        Outcome::Ran(_) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

fn render_status(s: &status::Status) -> String {
    let p = &s.program;
    let mut out = format!("{} ({})\n", p.name, p.slug);
    let Some(shop) = &s.shop else {
        out.push_str("  no TikTok shop connected: run `creator-bot tiktok connect`\n\n");
        return out;
    };
    out.push_str(&format!(
        "  shop: {} ({}{}), connected {}\n",
        shop.name,
        shop.id,
        shop.region
            .as_deref()
            .map(|r| format!(", {r}"))
            .unwrap_or_default(),
        when(shop.connected_at, p)
    ));
    out.push_str(&format!(
        "  access token good until {}; refresh token until {}\n",
        when(shop.access_expires_at, p),
        when(shop.refresh_expires_at, p)
    ));
    if let Some(reason) = &shop.stopped {
        out.push_str(&format!(
            "  STOPPED: {reason}\n  run `creator-bot tiktok connect --program {}` to resume\n",
            p.slug
        ));
    }
    if let Some(until) = shop.orders_read_until {
        out.push_str(&format!("  orders read up to {}\n", when(until, p)));
    }
    if shop.failures_in_a_row > 0 {
        out.push_str(&format!(
            "  failed {} times in a row\n",
            shop.failures_in_a_row
        ));
    }
    if s.runs.is_empty() {
        out.push_str("  no syncs yet\n");
    }
    for run in &s.runs {
        out.push_str(&format!(
            "  {} {}: {}\n",
            when(run.started_at, p),
            run.kind,
            run_summary(run)
        ));
    }
    for (kind, next) in &s.next {
        if let Some(next) = next {
            out.push_str(&format!("  next {kind}: {}\n", when(*next, p)));
        }
    }
    out.push('\n');
    out
}
