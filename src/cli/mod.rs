//! The command line: parses arguments, loads the config, opens the database and calls one
//! feature, then prints its result as a table or JSON.

mod channels_cmd;
mod chart_cmd;
mod db_cmd;
pub mod demo_cmd;
mod discord_cmd;
mod import_cmd;
mod jobs_cmd;
pub mod outbox_cmd;
pub mod report_cmd;
pub mod sequences_cmd;
mod slack_cmd;
pub mod stats_cmd;
pub mod tiers_cmd;
mod tiktok_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use sqlx::PgPool;

use crate::config::{CONFIG_ENV, Config};
use crate::db::{self, programs::Program};

#[derive(Debug, Parser)]
#[command(
    name = "creator-bot",
    version,
    about = "Runs a TikTok Shop creator-affiliate program"
)]
pub struct Cli {
    /// Config file (TOML). Without it, built-in defaults plus CREATOR_BOT__* overrides.
    #[arg(long, global = true, env = CONFIG_ENV)]
    pub config: Option<PathBuf>,
    /// Program (brand) slug; defaults to the config's default_program.
    #[arg(long, global = true)]
    pub program: Option<String>,
    /// How log lines on stderr look: text for people, json (one object per line) for collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot: the scheduler, the dispatcher, the chat platforms and the HTTP endpoints
    /// (/healthz, /readyz, /metrics) until SIGTERM or Ctrl-C.
    Run(crate::service::RunArgs),
    /// Generate a realistic synthetic program (about 500 creators, 90 days), import it, and show
    /// its KPIs, tier mix and top 10. Running it again replaces the demo program.
    Demo(demo_cmd::DemoArgs),
    /// Manage the private PostgreSQL cluster used when DATABASE_URL is not set.
    #[command(subcommand)]
    Db(db_cmd::DbCommand),
    /// Re-tier creators: the monthly review and the daily check.
    #[command(subcommand)]
    Tiers(tiers_cmd::TiersCommand),
    /// One creator's tier: pin it, unpin it, or ask why.
    #[command(subcommand)]
    Tier(tiers_cmd::TierCommand),
    /// Import a CSV file: orders (Seller Center affiliate export), creators, samples, videos or
    /// products. Exit code 2 when every row of the file was rejected.
    Import {
        /// What the file holds: orders, creators, samples, videos or products.
        kind: crate::features::import::ImportKind,
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Program KPIs for a period (default: the last 30 days).
    Kpi(stats_cmd::KpiArgs),
    /// One creator's stats card.
    Creator(stats_cmd::CreatorArgs),
    /// Creators ranked by GMV, videos or views.
    Leaderboard(stats_cmd::LeaderboardArgs),
    /// A staff report (weekly pulse, monthly deep-dive, quarterly review) as Markdown with its
    /// charts, or JSON.
    Report(report_cmd::ReportArgs),
    /// Draw a chart as a PNG image: gmv, leaderboard, pareto, tiers, creator or competition.
    Chart(chart_cmd::ChartArgs),
    /// The scheduled jobs: list them, or run the due ones once.
    #[command(subcommand)]
    Jobs(jobs_cmd::JobsCommand),
    /// Queue the creator DMs (onboarding, sample follow-up, reactivation, first-post thanks,
    /// milestones, promotion notes) due now, as the scheduler does; checks the templates first.
    Sequences(sequences_cmd::SequencesArgs),
    /// The outbox: every message with each platform delivery's state (latest due first), or
    /// `retry ID` / `cancel ID` one message.
    Outbox(outbox_cmd::OutboxArgs),
    /// The program's channels and roles on each connected platform: list them, or set one.
    #[command(subcommand)]
    Channels(channels_cmd::ChannelsCommand),
    /// The program's Discord server: `setup` creates or adopts its roles and channels and checks
    /// the bot's permissions; `invite` prints the link that adds the bot.
    #[command(subcommand)]
    Discord(discord_cmd::DiscordCommand),
    /// The program's Slack workspace: `setup` creates or adopts its channels; `manifest` prints
    /// the app manifest to create the Slack app from.
    #[command(subcommand)]
    Slack(slack_cmd::SlackCommand),
    /// The program's TikTok shop: `connect` it, see the syncs' `status`, `backfill` history, or
    /// `sync` now.
    #[command(subcommand)]
    Tiktok(tiktok_cmd::TikTokCommand),
}

#[derive(Debug, Clone, Copy, Default, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// Runs the CLI and turns an error into a message on stderr and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", crate::domain::user_error::describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr. The service says what it does (info); one-shot commands only warn.
fn init_tracing(cli: &Cli) {
    let default = match cli.command {
        Command::Run(_) => "warn,creator_bot=info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CREATOR_BOT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match cli.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Run(args) => crate::service::run(config, cli.program.as_deref(), args).await,
        Command::Db(cmd) => db_cmd::run(&config, cmd).await,
        Command::Demo(args) => demo_cmd::run(config, args).await,
        Command::Tiers(cmd) => tiers_cmd::run_tiers(config, cli.program.as_deref(), cmd).await,
        Command::Tier(cmd) => tiers_cmd::run_tier(config, cli.program.as_deref(), cmd).await,
        Command::Import { kind, file, format } => {
            import_cmd::run(config, cli.program.as_deref(), kind, &file, format).await
        }
        Command::Kpi(args) => stats_cmd::kpi(config, cli.program.as_deref(), args).await,
        Command::Creator(args) => stats_cmd::creator(config, cli.program.as_deref(), args).await,
        Command::Leaderboard(args) => {
            stats_cmd::leaderboard(config, cli.program.as_deref(), args).await
        }
        Command::Report(args) => report_cmd::run(config, cli.program.as_deref(), args).await,
        Command::Chart(args) => chart_cmd::run(config, cli.program.as_deref(), args).await,
        Command::Jobs(cmd) => jobs_cmd::run(config, cli.program.as_deref(), cmd).await,
        Command::Sequences(args) => sequences_cmd::run(config, cli.program.as_deref(), args).await,
        Command::Outbox(args) => outbox_cmd::run(config, cli.program.as_deref(), args).await,
        Command::Channels(cmd) => channels_cmd::run(config, cli.program.as_deref(), cmd).await,
        Command::Discord(cmd) => discord_cmd::run(config, cli.program.as_deref(), cmd).await,
        Command::Slack(cmd) => slack_cmd::run(config, cli.program.as_deref(), cmd).await,
        Command::Tiktok(cmd) => tiktok_cmd::run(config, cli.program.as_deref(), cmd).await,
    }
}

/// The database and program a command works on.
pub struct Session {
    pub config: Config,
    pub pool: PgPool,
    pub program: Program,
}

impl Session {
    /// Opens the database (starting the private cluster if needed), applies migrations, makes the
    /// configured programs exist and selects `--program` (or the default).
    pub async fn open(config: Config, program: Option<&str>) -> Result<Session> {
        let source = db::Source::from_env(&config)?;
        let pool = db::open(&config, &source, None).await?;
        let programs = db::programs::sync(&pool, &config.programs()).await?;
        let slug = program.unwrap_or(&config.default_program);
        let program = match programs.into_iter().find(|p| p.slug == slug) {
            Some(p) => p,
            None => db::programs::by_slug(&pool, slug).await?.with_context(|| {
                format!("there is no program {slug:?}; add it under [[programs]] in the config")
            })?,
        };
        Ok(Session {
            config,
            pool,
            program,
        })
    }
}
