//! The living demo: the synthetic program set up as `creator-bot demo` always did (its history
//! before "today"), a console workspace linked to it (staff member Maya as user `staff`, every
//! creator as the user named like their handle), then the program run on a simulated clock. Each
//! step adds that stretch's new activity through the real import, runs the scheduler and sends
//! what fell due through the [`ConsoleSender`], so every post and DM is printed at its simulated
//! instant; lines typed on the input run at the current simulated instant. The same seed and the
//! same input give the same transcript.

use crate::app::App;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::pace::{Pace, Speed};
use super::typed::{Flow, Lines};
use super::{render_setup, render_summary};
use crate::chat::Platform;
use crate::chat::Platforms;
use crate::chat::commands::Request;
use crate::chat::console::screen::stamp;
use crate::chat::console::typing::Persona;
use crate::chat::console::{ConsoleSender, ImageFiles, Screen, WORKSPACE_ID};
use crate::config::{Config, DispatchConfig};
use crate::db::chat as chat_db;
use crate::db::programs::Program;
use crate::domain::Tier;
use crate::domain::timefmt::{local_day, start_of_day};
use crate::features::demo::live::{self, Added, Life};
use crate::features::demo::{self, DemoOptions};
use crate::jobs::dispatch::Dispatcher;
use crate::jobs::schedule::run_due_for;
use crate::jobs::{Clock, ManualClock};
use crate::templates::Templates;

/// The staff member the console acts as by default.
pub const STAFF_NAME: &str = "Maya";

/// Simulated time between two looks at the program. An hour keeps a month of simulation
/// within a minute or two; every default cadence and DM falls on a whole hour anyway.
pub const STEP: Duration = Duration::hours(1);

/// How long after the check-in post the All-Stars who answer do so.
const ANSWER_AFTER: Duration = Duration::hours(5);

#[derive(Debug, Clone)]
pub struct WorkspaceOptions {
    pub demo: DemoOptions,
    /// Days to run after the history (0: set up and summarise only).
    pub days: u32,
    pub speed: Speed,
    /// The input is a person at a terminal: lines are taken as they arrive while the clock runs,
    /// and after the last day commands are still read until `/quit` or the end of input. Else
    /// the input is a script, read in order (`/wait` places lines at a simulated instant).
    pub interactive: bool,
}

/// Sets up the demo program, runs it for `opts.days` simulated days printing everything to
/// `out`, with the lines of `input` as commands, and prints the summary.
pub async fn run_workspace(
    pool: &PgPool,
    config: &Config,
    opts: &WorkspaceOptions,
    input: impl BufRead + Send + 'static,
    out: impl Write + Send + 'static,
) -> Result<()> {
    let screen = Screen::new(out);
    let templates = Arc::new(
        Templates::load(&config.lifecycle.templates_dir).context("loading the templates")?,
    );
    let workdir = std::env::temp_dir().join(format!(
        "creator-bot-demo-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let report = demo::run(pool, config, &opts.demo, &workdir).await;
    let _ = std::fs::remove_dir_all(&workdir);
    let report = report.context("setting up the demo")?;
    print(&screen, &render_setup(&report))?;

    let program = report.program.clone();
    let start = start_of_day(opts.demo.today, program.timezone);
    let clock = Arc::new(ManualClock::new(start));
    print(
        &screen,
        &open_workspace(pool, config, &templates, &program, clock.clone()).await?,
    )?;
    let images = Arc::new(ImageFiles::new(config.charts.console_dir()));
    let sender = Arc::new(
        ConsoleSender::new(pool.clone(), clock.clone(), screen.clone()).with_images(images.clone()),
    );
    let app = console_app(pool, config, &templates, clock.clone(), sender.clone());
    let mut ws = Workspace {
        pool,
        config,
        program: &program,
        screen: screen.clone(),
        clock: clock.clone(),
        dispatcher: Dispatcher::with_config(&app, &unthrottled(&config.dispatch))
            .only_program(program.id),
        app,
        persona: Persona::Staff,
        images,
        lines: Lines::spawn(input),
        interactive: opts.interactive,
        paused: false,
        held_until: None,
        pace: Pace::new(opts.speed, start),
        life: Life::new(
            &report.world,
            opts.demo.seed,
            opts.demo.today,
            program.timezone,
            opts.demo.lines_per_day(),
        ),
        added: Added::default(),
        answers_due: None,
    };

    let mut quit = false;
    if opts.days > 0 {
        let speed = match opts.speed {
            Speed::Max => "as fast as it goes".to_string(),
            Speed::HoursPerSecond(h) => format!("{h} simulated hours a second"),
        };
        ws.print(&format!(
            "\nRunning the program for {} days from {}, {speed}. You are {STAFF_NAME} (staff); \
             type /help for the commands.\n",
            opts.days,
            stamp(start, program.timezone)
        ))?;
        ws.start_competition(opts.days).await?;
        let end = start + Duration::days(i64::from(opts.days));
        let mut now = start;
        ws.tick(now).await?;
        loop {
            if ws.take_lines(now).await? == Flow::Quit {
                quit = true;
                break;
            }
            if now >= end {
                break;
            }
            let next = now + STEP;
            ws.live(now, next).await?;
            now = next;
            ws.tick(now).await?;
            ws.pace.wait(now).await;
        }
        let a = ws.added;
        ws.print(&format!(
            "\n{} simulated: the bot sent {}. The program got {} order lines, {} videos, {} \
             sample updates and {} new creators.",
            span(start, clock.now()),
            sender.tally(),
            a.orders,
            a.videos,
            a.samples,
            a.creators
        ))?;
    }
    let today = local_day(clock.now(), program.timezone);
    let summary = demo::summary(pool, &program, today).await?;
    ws.print(&format!("\n{}", render_summary(&program, &summary)))?;
    if opts.interactive && !quit && ws.lines.open {
        ws.paused = true;
        ws.print("\nThe run is over; commands still work. /quit (or Ctrl-D) to leave.")?;
        let now = clock.now();
        while let Some(line) = ws.lines.next().await {
            if ws.typed(&line, now).await? == Flow::Quit {
                break;
            }
        }
    }
    Ok(())
}

/// Runs of the demo in this process, so each gets its own work directory.
static RUNS: AtomicU64 = AtomicU64::new(0);

fn print(screen: &Screen, text: &str) -> Result<()> {
    screen.print(text).context("writing to the console")
}

/// `21 days`, `2 days 6 hours`.
fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let span = to - from;
    let (days, hours) = (span.num_days(), span.num_hours() % 24);
    let plural = |n: i64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    if hours == 0 {
        plural(days, "day")
    } else {
        format!("{} {}", plural(days, "day"), plural(hours, "hour"))
    }
}

/// The console sends without rate limits: nothing real is on the other end.
fn unthrottled(config: &DispatchConfig) -> DispatchConfig {
    DispatchConfig {
        global_per_second: 0,
        console_per_second: 0,
        ..config.clone()
    }
}

/// Links the console workspace to the program (staff member Maya as user `staff`, each creator
/// as their handle) and hands out the tier channels of the first review without printing one
/// line per creator; returns what to tell the person at the console.
async fn open_workspace(
    pool: &PgPool,
    config: &Config,
    templates: &Arc<Templates>,
    program: &Program,
    clock: Arc<ManualClock>,
) -> Result<String> {
    let creators = crate::chat::console::connect(pool, program.id, STAFF_NAME, clock.now()).await?;
    let quiet = ConsoleSender::new(pool.clone(), clock.clone(), Screen::new(std::io::sink()));
    let pass = Dispatcher::with_config(
        &console_app(pool, config, templates, clock, Arc::new(quiet)),
        &unthrottled(&config.dispatch),
    )
    .only_program(program.id)
    .drain("demo-setup")
    .await?;
    let mix = crate::db::tiers::tier_mix(pool, program.id).await?;
    let in_tier = |t: Tier| mix.iter().find(|(m, _)| *m == t).map_or(0, |m| m.1);
    Ok(format!(
        "\nConsole workspace \"{WORKSPACE_ID}\": {STAFF_NAME} (staff) and {creators} creators \
         linked; the review's {} tier channel changes made quietly ({} creators in #all-stars, \
         {} in #steady-earners).",
        pass.sent,
        in_tier(Tier::AllStars),
        in_tier(Tier::SteadyEarners)
    ))
}

/// An app on the demo's clock whose one platform is the console.
fn console_app(
    pool: &PgPool,
    config: &Config,
    templates: &Arc<Templates>,
    clock: Arc<ManualClock>,
    console: Arc<ConsoleSender>,
) -> App {
    App {
        pool: pool.clone(),
        config: Arc::new(config.clone()),
        templates: templates.clone(),
        clock,
        platforms: Platforms::default().with(console),
        tiktok: None,
    }
}

/// The running workspace.
pub(super) struct Workspace<'a> {
    pub pool: &'a PgPool,
    pub config: &'a Config,
    pub program: &'a Program,
    /// What typed commands and the scheduler run against: its clock is the simulated one.
    pub app: App,
    pub screen: Screen,
    pub clock: Arc<ManualClock>,
    pub dispatcher: Dispatcher,
    /// Who typed lines run as.
    pub persona: Persona,
    /// Where the charts of posts and replies are written.
    pub images: Arc<ImageFiles>,
    pub lines: Lines,
    pub interactive: bool,
    pub paused: bool,
    /// Lines after a `/wait` are held until this instant.
    pub held_until: Option<DateTime<Utc>>,
    pub pace: Pace,
    life: Life,
    added: Added,
    /// When the All-Stars who answer this week's check-in do.
    answers_due: Option<DateTime<Utc>>,
}

impl Workspace<'_> {
    pub fn print(&self, text: &str) -> Result<()> {
        print(&self.screen, text)
    }

    /// Moves the clock to `now`, runs the jobs due and sends what is due.
    async fn tick(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.clock.set(now);
        let runs = run_due_for(&self.app, self.program, now).await?;
        if let Some(run) = runs.iter().find(|r| r.job == "all_stars_checkin") {
            self.answers_due = Some(run.instant + ANSWER_AFTER);
        }
        if self.answers_due.is_some_and(|at| at <= now) {
            self.answers_due = None;
            self.answer_checkin(now).await?;
        }
        self.dispatcher.drain("console").await?;
        Ok(())
    }

    /// Imports what happened in `[from, to)`.
    async fn live(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
        let stretch = self.life.stretch(from, to);
        if stretch.is_empty() {
            return Ok(());
        }
        let a = live::import(self.pool, self.program, self.config, &stretch).await?;
        if a.creators > 0 {
            chat_db::link_creators_by_handle(
                self.pool,
                self.program.id,
                Platform::Console.as_str(),
                WORKSPACE_ID,
                to,
            )
            .await?;
        }
        self.added += a;
        Ok(())
    }

    /// Some All-Stars answer the check-in with `/checkin`, as they would type it.
    async fn answer_checkin(&mut self, now: DateTime<Utc>) -> Result<()> {
        let (members, _) =
            crate::db::tiers::members(self.pool, self.program.id, Tier::AllStars, 1000).await?;
        let handles: Vec<String> = members.into_iter().map(|m| m.handle).collect();
        for (handle, answer) in self.life.checkin_answers(&handles) {
            let persona = Persona::Creator(handle);
            let reply = self
                .command(&persona, &Request::new("checkin", answer), now)
                .await;
            self.echo(&persona, &format!("/checkin {answer}"), now, &reply)?;
        }
        Ok(())
    }

    /// Maya starts the "Holiday Sprint" at the start of the run, as she would type it. It runs
    /// for half the run, two weeks at most, so its standings and winners show.
    async fn start_competition(&mut self, days: u32) -> Result<()> {
        let now = self.clock.now();
        let today = local_day(now, self.program.timezone);
        let length = i64::from((days / 2).clamp(1, 14));
        let line = format!(
            "/competition start \"Holiday Sprint\" gmv {today}..{} all $500 bonus",
            today + Duration::days(length)
        );
        self.typed(&line, now).await?;
        self.dispatcher.drain("console").await?;
        Ok(())
    }
}
