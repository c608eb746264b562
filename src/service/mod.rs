//! `creator-bot run`, the process a brand deploys: it opens the database, then runs the scheduler
//! on the real clock, the dispatcher's workers over the connected chat platforms and the HTTP
//! endpoints ([`http`]) until SIGTERM or Ctrl-C. Stopping lets the sends in flight finish within
//! `run.shutdown_grace_seconds`, hands this process's unsent claims back at once, disconnects the
//! platforms and exits 0; a second signal exits at once. Any number of these processes may share
//! one database: jobs and claims are locked in the database, never in a process.

pub mod console;
pub mod http;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::chat::Platforms;
use crate::chat::discord::Discord;
use crate::chat::slack::{Slack, Tokens};
use crate::config::Config;
use crate::config::slack::SlackMode;
use crate::db;
use crate::jobs::dispatch::Dispatcher;
use crate::jobs::schedule;
use console::Console;

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Use the console workspace as the chat platform: posts and DMs on stdout, slash commands
    /// typed on stdin (as staff; `/as @handle` to act as a creator). For trying the bot without
    /// tokens.
    #[arg(long)]
    pub console: bool,
}

/// Exit code of a process stopped by a second signal before it finished stopping.
const STOPPED_AT_ONCE: u8 = 130;

/// Runs the service until it is told to stop.
pub async fn run(config: Config, program: Option<&str>, args: RunArgs) -> Result<ExitCode> {
    let (stop_tx, mut stop) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    // Before anything slow, so a signal during start-up stops the process cleanly too.
    listen_for_signals(stop_tx.clone())?;

    let mut app = App::open(config).await?;
    let grace = Duration::from_secs(u64::from(app.config.run.shutdown_grace_seconds));
    let mut platforms = Platforms::default();
    let console = if args.console {
        let program = app.program(program).await?;
        let console = Arc::new(Console::open(&app, program).await?);
        platforms = platforms.with(console.sender.clone());
        Some(console)
    } else {
        None
    };
    let discord = match Discord::token_from_env() {
        Some(token) => {
            if !app
                .config
                .programs()
                .iter()
                .any(|p| p.discord_guild_id.is_some())
            {
                tracing::warn!(
                    "DISCORD_TOKEN is set but no program has a discord_guild_id: the bot connects \
                     but serves no server"
                );
            }
            let discord = Discord::new(&app.config, &token).await?;
            platforms = platforms.with(discord.clone());
            Some(discord)
        }
        None => None,
    };
    let slack = match Tokens::from_env(app.config.slack.mode)? {
        Some(tokens) => {
            if !app
                .config
                .programs()
                .iter()
                .any(|p| p.slack_team_id.is_some())
            {
                tracing::warn!(
                    "Slack tokens are set but no program has a slack_team_id: the bot connects \
                     but serves no workspace"
                );
            }
            let slack = Slack::new(&app.config, tokens)?;
            platforms = platforms.with(slack.clone());
            Some(slack)
        }
        None => None,
    };
    app = app.with_platforms(platforms);
    if let Some(creds) = &app.tiktok {
        // Said once at start rather than by every scheduled sync.
        if let Err(e) = creds.usable() {
            tracing::error!("TikTok Shop sync cannot run: {e:#}");
        } else {
            tracing::info!(app_key = creds.app_key, "TikTok Shop sync on");
        }
    }
    if let Some(discord) = &discord {
        discord.start(app.clone()).await?;
    }
    if let Some(slack) = &slack {
        slack.start(app.clone()).await?;
    }

    let listener = tokio::net::TcpListener::bind(&app.config.run.listen)
        .await
        .with_context(|| format!("listening on {} (run.listen)", app.config.run.listen))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let stopping = Arc::new(AtomicBool::new(false));
    let (http_stop_tx, http_stop) = tokio::sync::oneshot::channel::<()>();
    let endpoints = http::Endpoints {
        app: app.clone(),
        stopping: stopping.clone(),
        slack: slack.filter(|s| s.mode() == SlackMode::Http),
    };
    let server = tokio::spawn(async move {
        axum::serve(listener, http::router(endpoints))
            .with_graceful_shutdown(async {
                let _ = http_stop.await;
            })
            .await
    });
    tracing::info!("listening on http://{address}");

    let process = process_name();
    let scheduler = tokio::spawn(run_scheduler(app.clone(), console.clone(), stop.clone()));
    // Workers run even with no platform connected: they fan due messages out (a post waits for
    // a platform, a DM to a creator with no account is marked unlinked) and claim nothing.
    let dispatcher = Arc::new(Dispatcher::new(&app));
    let workers = dispatcher.spawn(&process, stop.clone());
    if app.platforms.is_empty() {
        tracing::warn!("no chat platform is configured: messages wait in the outbox");
    } else {
        tracing::info!(
            worker = process,
            workers = app.config.dispatch.workers,
            platforms = ?app.platforms.kinds(),
            "sending"
        );
    }
    if let Some(c) = &console {
        c.spawn_input(app.clone(), stop_tx.clone());
    }

    let _ = stop.wait_for(|stop| *stop).await;
    tracing::info!(
        grace_seconds = grace.as_secs(),
        "stopping: finishing the sends in flight (a second signal stops at once)"
    );
    stopping.store(true, Ordering::Relaxed);
    let deadline = tokio::time::Instant::now() + grace;
    let cut_short = finish(workers, deadline).await + finish(vec![scheduler], deadline).await;
    if cut_short > 0 {
        tracing::warn!(
            tasks = cut_short,
            "the grace period ran out; stopped what was still sending"
        );
    }
    hand_back(&app, &process, cut_short > 0).await;
    app.platforms.disconnect_all().await;
    let _ = http_stop_tx.send(());
    match server.await {
        Ok(Err(e)) => tracing::warn!("the HTTP server failed: {e}"),
        Err(e) => tracing::warn!("the HTTP server failed: {e}"),
        Ok(Ok(())) => {}
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), app.pool.close()).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Waits for `tasks` until `deadline`, then stops those still running; returns how many it
/// stopped.
async fn finish<T>(tasks: Vec<JoinHandle<T>>, deadline: tokio::time::Instant) -> usize {
    let mut stopped = 0;
    for mut task in tasks {
        if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
            task.abort();
            let _ = task.await;
            stopped += 1;
        }
    }
    stopped
}

/// Hands back the claims this process did not send. A worker stopped in the middle of claiming
/// leaves its statement running on the server, which may commit the claim just after a first
/// look: so after stopping workers, look twice.
async fn hand_back(app: &App, process: &str, workers_cut_short: bool) {
    let mut handed_back = 0;
    for pass in 0..if workers_cut_short { 2 } else { 1 } {
        if pass > 0 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        match db::service::hand_back_claims(&app.pool, process).await {
            Ok(n) => handed_back += n,
            Err(e) => {
                tracing::warn!("{e:#}; they come due again when their lease runs out");
                return;
            }
        }
    }
    if handed_back > 0 {
        tracing::info!(messages = handed_back, "handed back unsent claims");
    }
}

/// The first SIGTERM or SIGINT asks the service to stop; a second one exits at once. Signals are
/// read on a thread of their own, not by the async runtime, so a second signal stops the process
/// even when every runtime thread is stuck (a platform that no longer answers, a full stdout).
fn listen_for_signals(stop: Arc<watch::Sender<bool>>) -> Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
    ])
    .context("listening for SIGTERM and SIGINT")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut seen = 0;
            for _ in signals.forever() {
                seen += 1;
                if seen > 1 {
                    tracing::warn!("second signal: stopping at once");
                    std::process::exit(i32::from(STOPPED_AT_ONCE));
                }
                stop.send_replace(true);
            }
        })
        .context("starting the signal thread")?;
    Ok(())
}

/// Runs the jobs that are due every `run.tick_seconds` until `stop`.
async fn run_scheduler(app: App, console: Option<Arc<Console>>, mut stop: watch::Receiver<bool>) {
    let mut tick =
        tokio::time::interval(Duration::from_secs(u64::from(app.config.run.tick_seconds)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
        if let Some(console) = &console
            && let Err(e) = console.link_new_creators(&app).await
        {
            tracing::warn!("linking new creators to the console: {e:#}");
        }
        match schedule::run_due(&app, app.now()).await {
            Ok(runs) => {
                for run in runs.iter().filter(|r| !r.failed) {
                    tracing::info!(
                        program = run.program,
                        job = run.job,
                        instant = %run.instant.to_rfc3339(),
                        summary = run.summary,
                        "job ran"
                    );
                }
            }
            Err(e) => tracing::warn!("the scheduler could not run: {e:#}"),
        }
    }
}

/// `host-pid-random`: unique per process, so a stopping process hands back only its own claims.
fn process_name() -> String {
    let host = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "bot".to_string());
    format!(
        "{host}-{}-{:04x}",
        std::process::id(),
        rand::random::<u16>()
    )
}
