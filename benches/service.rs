//! Service benchmark (prints figures; not a test), for "the bot as a service". On the foundation
//! benchmark's program (100k creators, 5M order lines), with the console workspace connected:
//! - the latency (p50, p99) of every read command through the command layer (`respond`, as the
//!   console's staff member, or as a random creator for `/mystats`), over random creators;
//! - suggestions (autocomplete) for 2-letter prefixes of handles and competition names;
//! - `creator-bot run --console` as a child process: its resident memory idle after start, then
//!   the time to send 50k queued messages (DMs and #staff posts) into the console platform at
//!   unthrottled rates, giving messages per second of one process, and its memory after.
//!
//! `cargo bench --bench service [-- --creators N --lines N --calls N --messages N --reuse]`
//! (`--reuse` keeps the database of the last run instead of loading the data again)
//! Uses DATABASE_URL when set, else a private cluster under target/bench-pg. The `run` process is
//! the `creator-bot` binary cargo builds with the benchmark (target/release/creator-bot).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use creator_bot::app::App;
use creator_bot::chat::MessageKind;
use creator_bot::chat::Platform;
use creator_bot::chat::commands::{Caller, Outcome, Request, complete, respond};
use creator_bot::chat::console::{self, STAFF_USER, WORKSPACE_ID};
use creator_bot::config::Config;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::domain::daytime::Daytime;
use creator_bot::domain::timefmt::start_of_day;
use creator_bot::features::import::ImportKind;
use creator_bot::features::tiers;
use creator_bot::jobs::ManualClock;
use creator_bot::templates::Templates;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{ConnectOptions, PgPool};

mod support;

use support::dataset::{self, flag, ms, num_arg, percentiles, status_kb};

const DATABASE: &str = "creator_bot_bench_service";
/// Goal of every read command's p99 and of suggestions' p99.
const LATENCY_GOAL_MS: f64 = 20.0;
/// Goal of `run`'s resident memory.
const MEMORY_GOAL_MB: f64 = 80.0;
/// Dedupe-key prefix of the messages this benchmark queues.
const KEY_PREFIX: &str = "service-bench:";
/// The competitions `/competition show` and their suggestions find.
const COMPETITIONS: &[(&str, &str)] = &[
    ("Autumn Sprint", "gmv 2026-10-01..2026-11-15"),
    ("Views Cup", "views 2026-10-15..2026-11-30 all"),
    (
        "Holiday Haul",
        "gmv 2026-10-20..2026-12-24 all_stars Gift card",
    ),
];

struct Args {
    creators: usize,
    lines: usize,
    calls: usize,
    messages: usize,
    idle_seconds: u64,
    reuse: bool,
}

fn args() -> Args {
    Args {
        creators: num_arg("--creators", 100_000),
        lines: num_arg("--lines", 5_000_000),
        calls: num_arg("--calls", 200).max(1),
        messages: num_arg("--messages", 50_000),
        idle_seconds: num_arg("--idle-seconds", 5) as u64,
        reuse: flag("--reuse"),
    }
}

/// Who runs a command.
#[derive(Clone, Copy)]
enum Who {
    Staff,
    /// A random creator each call.
    Creator,
}

/// The arguments of one call.
#[derive(Clone, Copy)]
enum Arg {
    Fixed(&'static str),
    /// A random creator's handle, then this text.
    Handle(&'static str),
    /// One of the benchmark's competitions, quoted.
    Competition,
}

/// Every command of the registry that only reads, with what each call passes.
const READS: &[(&str, Who, &str, Arg)] = &[
    ("/creator <handle>", Who::Staff, "creator", Arg::Handle("")),
    (
        "/creator <handle> 90d",
        Who::Staff,
        "creator",
        Arg::Handle(" 90d"),
    ),
    ("/kpi (30d)", Who::Staff, "kpi", Arg::Fixed("")),
    ("/kpi 90d", Who::Staff, "kpi", Arg::Fixed("90d")),
    (
        "/leaderboard gmv",
        Who::Staff,
        "leaderboard",
        Arg::Fixed("gmv"),
    ),
    (
        "/leaderboard videos",
        Who::Staff,
        "leaderboard",
        Arg::Fixed("videos"),
    ),
    (
        "/leaderboard views",
        Who::Staff,
        "leaderboard",
        Arg::Fixed("views"),
    ),
    (
        "/leaderboard gmv (creator)",
        Who::Creator,
        "leaderboard",
        Arg::Fixed("gmv"),
    ),
    ("/tier list", Who::Staff, "tier", Arg::Fixed("list")),
    (
        "/tier list steady_earners",
        Who::Staff,
        "tier",
        Arg::Fixed("list steady_earners"),
    ),
    ("/tier why <handle>", Who::Staff, "tier", Arg::Handle("")),
    (
        "/mystats (creator)",
        Who::Creator,
        "mystats",
        Arg::Fixed(""),
    ),
    (
        "/competition show",
        Who::Staff,
        "competition",
        Arg::Fixed("show"),
    ),
    (
        "/competition show <name>",
        Who::Staff,
        "competition",
        Arg::Competition,
    ),
    ("/report weekly", Who::Staff, "report", Arg::Fixed("weekly")),
    (
        "/report monthly",
        Who::Staff,
        "report",
        Arg::Fixed("monthly"),
    ),
    ("/help", Who::Staff, "help", Arg::Fixed("")),
    ("/help (creator)", Who::Creator, "help", Arg::Fixed("")),
];

const SKIPPED: &str = "/import, /tier set, /sample shipped|delivered, /link, /optout, /optin, \
/checkin, /competition start|end";

#[tokio::main]
async fn main() -> Result<()> {
    let a = args();
    let spec = dataset::spec(a.creators, a.lines);
    println!(
        "creator-bot service benchmark: {} creators, {} order lines over {} days",
        a.creators, a.lines, spec.days
    );

    // 1. The program: the foundation benchmark's data, all of it loaded.
    let data = dataset::files(&spec)?;
    let support::BenchDb {
        options,
        pool,
        program,
    } = support::bench_db(DATABASE, !a.reuse).await?;
    let config = Config::default();
    // The commands' "today" is the last day of the data.
    let now = start_of_day(spec.end, program.timezone) + chrono::Duration::hours(12);
    if !a.reuse {
        let mut files = dataset::catalogue(&data);
        files.push((ImportKind::Orders, data.join("orders.csv")));
        dataset::load(&pool, &program, &config, &files).await?;
        let t = Instant::now();
        let review = tiers::review(&pool, &program, &config.tiers, now, false).await?;
        println!(
            "monthly tier review: {} promoted, {} demoted in {:.1} s",
            review.promoted,
            review.demoted,
            t.elapsed().as_secs_f64()
        );
        sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
    }
    let creators: i64 = sqlx::query_scalar("SELECT count(*) FROM creators WHERE program_id = $1")
        .bind(program.id)
        .fetch_one(&pool)
        .await?;
    if creators == 0 {
        bail!("the database holds no creators: run once without --reuse");
    }
    if a.reuse {
        println!("reusing database {DATABASE} ({creators} creators)");
    }

    // 2. The console workspace, and the app the commands run in.
    let templates = Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))?;
    let app = App::new(
        pool.clone(),
        config,
        templates,
        Arc::new(ManualClock::new(now)),
    );
    let linked = console::connect(&pool, program.id, "Bench staff", now).await?;
    println!("console workspace connected ({linked} creators linked now)");
    let handles: Vec<String> =
        sqlx::query_scalar("SELECT handle FROM creators WHERE program_id = $1 ORDER BY id")
            .bind(program.id)
            .fetch_all(&pool)
            .await?;
    start_competitions(&app).await?;

    let mut rng = ChaCha8Rng::seed_from_u64(11);
    println!(
        "\ncommand latency through the command layer (respond), {} calls each, random creators \
         (today = {}):",
        a.calls, spec.end
    );
    println!(
        "  {:<28} {:>9} {:>9} {:>9}   {:<10} met",
        "command", "p50 ms", "p99 ms", "max ms", "goal p99"
    );
    let mut missed = Vec::new();
    for (label, who, name, arg) in READS {
        let mut times = Vec::with_capacity(a.calls);
        for i in 0..a.calls + 5 {
            let handle = handles.choose(&mut rng).context("no creators")?;
            let caller = match who {
                Who::Staff => console_user(STAFF_USER),
                Who::Creator => console_user(handle),
            };
            let text = match arg {
                Arg::Fixed(t) => t.to_string(),
                Arg::Handle(rest) => match *name {
                    "tier" => format!("why {handle}{rest}"),
                    _ => format!("{handle}{rest}"),
                },
                Arg::Competition => format!(
                    "show \"{}\"",
                    COMPETITIONS[rng.gen_range(0..COMPETITIONS.len())].0
                ),
            };
            let request = Request::new(name, &text);
            let t = Instant::now();
            let reply = respond(&app, &caller, &request).await;
            let took = t.elapsed();
            if reply.outcome != Outcome::Done {
                bail!(
                    "/{name} {text} was answered {:?}:\n{}",
                    reply.outcome,
                    reply.text()
                );
            }
            // The first calls warm the connections and caches up.
            if i >= 5 {
                times.push(took);
            }
        }
        let (p50, p99, max) = percentiles(&mut times);
        let met = ms(p99) <= LATENCY_GOAL_MS;
        if !met {
            missed.push(*label);
        }
        println!(
            "  {label:<28} {:>9.2} {:>9.2} {:>9.2}   <= {LATENCY_GOAL_MS} ms   {}",
            ms(p50),
            ms(p99),
            ms(max),
            yes_no(met)
        );
    }
    println!("  not measured (they write): {SKIPPED}");

    // 3. Suggestions while typing, as staff.
    println!(
        "\nsuggestions (complete) for 2-letter prefixes, as staff, {} calls each:",
        a.calls
    );
    println!(
        "  {:<40} {:>9} {:>9} {:>9}   {:<10} met",
        "option: what is typed", "p50 ms", "p99 ms", "max ms", "goal p99"
    );
    let letters: Vec<char> = ('a'..='z').collect();
    let staff = console_user(STAFF_USER);
    type Typed<'a> = Box<dyn Fn(&mut ChaCha8Rng) -> String + 'a>;
    let cases: Vec<(&str, &str, Option<&str>, &str, Typed)> = vec![
        (
            "/creator creator: a handle's first 2",
            "creator",
            None,
            "creator",
            Box::new(|r: &mut ChaCha8Rng| {
                handles.choose(r).map_or(String::new(), |h| h[..2].into())
            }),
        ),
        (
            "/tier why handle: random 2 letters",
            "tier",
            Some("why"),
            "handle",
            Box::new(|r: &mut ChaCha8Rng| {
                (0..2).map(|_| *letters.choose(r).unwrap_or(&'a')).collect()
            }),
        ),
        (
            "/competition show name: 2 letters",
            "competition",
            Some("show"),
            "name",
            Box::new(|r: &mut ChaCha8Rng| {
                let name = COMPETITIONS[r.gen_range(0..COMPETITIONS.len())]
                    .0
                    .to_lowercase();
                let at = r.gen_range(0..name.len() - 2);
                name[at..at + 2].to_string()
            }),
        ),
    ];
    for (label, command, subcommand, option, typed) in &cases {
        let mut times = Vec::with_capacity(a.calls);
        let mut offered = 0;
        for i in 0..a.calls + 5 {
            let text = typed(&mut rng);
            let t = Instant::now();
            let got = complete(&app, &staff, command, *subcommand, option, &text).await;
            let took = t.elapsed();
            if i >= 5 {
                times.push(took);
                offered += got.len();
            }
        }
        let (p50, p99, max) = percentiles(&mut times);
        let met = ms(p99) <= LATENCY_GOAL_MS;
        if !met {
            missed.push(*label);
        }
        println!(
            "  {label:<40} {:>9.2} {:>9.2} {:>9.2}   <= {LATENCY_GOAL_MS} ms   {}  ({:.1} suggestions on average)",
            ms(p50),
            ms(p99),
            ms(max),
            yes_no(met),
            offered as f64 / a.calls as f64
        );
    }

    // 4. `creator-bot run --console` as a child process.
    let url = options.to_url_lossy().to_string();
    let service = service(&pool, program.id, &url, &a).await?;
    pool.close().await;

    println!(
        "\nsummary (goals: command and suggestion p99 <= {LATENCY_GOAL_MS} ms, except /import; run's memory <= {MEMORY_GOAL_MB} MB):"
    );
    if missed.is_empty() {
        println!("  every command and suggestion measured met its latency goal");
    } else {
        println!("  latency goal missed by: {}", missed.join(", "));
    }
    println!(
        "  run: idle {:.1} MB ({}), after {} messages {:.1} MB ({}), high-water mark {:.1} MB ({}); {:.0} messages/s",
        service.idle_rss_mb,
        yes_no(service.idle_rss_mb <= MEMORY_GOAL_MB),
        a.messages,
        service.after_rss_mb,
        yes_no(service.after_rss_mb <= MEMORY_GOAL_MB),
        service.hwm_mb,
        yes_no(service.hwm_mb <= MEMORY_GOAL_MB),
        service.per_second
    );
    Ok(())
}

fn yes_no(met: bool) -> &'static str {
    if met { "yes" } else { "NO" }
}

fn console_user(user_id: &str) -> Caller {
    Caller::new(Platform::Console, WORKSPACE_ID, user_id)
}

/// Starts the benchmark's competitions unless a previous run did (setup, not measured).
async fn start_competitions(app: &App) -> Result<()> {
    let staff = console_user(STAFF_USER);
    for (name, rest) in COMPETITIONS {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM competitions WHERE lower(name) = lower($1))",
        )
        .bind(name)
        .fetch_one(&app.pool)
        .await?;
        if exists {
            continue;
        }
        let request = Request::new("competition", &format!("start \"{name}\" {rest}"));
        let reply = respond(app, &staff, &request).await;
        if reply.outcome != Outcome::Done {
            bail!("starting competition {name}: {}", reply.text());
        }
    }
    Ok(())
}

/// What the `run` process measured.
struct Service {
    idle_rss_mb: f64,
    after_rss_mb: f64,
    hwm_mb: f64,
    per_second: f64,
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// Starts `creator-bot run --console` on the benchmark database, measures its memory idle, makes
/// `a.messages` messages due at once, waits until every one is sent, measures again and stops it
/// with SIGTERM.
async fn service(pool: &PgPool, program_id: i64, url: &str, a: &Args) -> Result<Service> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_creator-bot"));
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("creator-bot.toml");
    std::fs::write(&config, run_config())?;
    // Earlier runs' messages go, and whatever the setup queued (tier changes, competition
    // announcements) is cancelled: the process sends only what is measured.
    sqlx::query("DELETE FROM outbox WHERE program_id = $1 AND dedupe_key LIKE $2 || '%'")
        .bind(program_id)
        .bind(KEY_PREFIX)
        .execute(pool)
        .await?;
    sqlx::query(
        "UPDATE deliveries SET status = 'cancelled', last_error = 'benchmark setup'
          WHERE program_id = $1 AND status IN ('pending', 'waiting', 'sending')",
    )
    .bind(program_id)
    .execute(pool)
    .await?;
    sqlx::query(
        "UPDATE outbox SET status = 'cancelled', last_error = 'benchmark setup'
          WHERE program_id = $1 AND status IN ('pending', 'waiting', 'sending')",
    )
    .bind(program_id)
    .execute(pool)
    .await?;
    // Every run measures the same thing: each DM is its creator's first (its DM channel is opened
    // and remembered), as in a program's first campaign.
    sqlx::query(
        "UPDATE chat_identities SET dm_channel_id = NULL
          WHERE program_id = $1 AND platform = 'console' AND dm_channel_id IS NOT NULL",
    )
    .bind(program_id)
    .execute(pool)
    .await?;

    let stdout = dir.path().join("stdout.txt");
    let stderr = dir.path().join("stderr.txt");
    println!(
        "\ncreator-bot run --console ({}), 4 workers, unthrottled, scheduled jobs parked:",
        exe.display()
    );
    let started = Instant::now();
    let child = std::process::Command::new(&exe)
        .arg("--config")
        .arg(&config)
        .args(["run", "--console"])
        .env("DATABASE_URL", url)
        .env_remove("CREATOR_BOT_CONFIG")
        .env_remove("CREATOR_BOT_LOG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout)?)
        .stderr(std::fs::File::create(&stderr)?)
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let mut child = Running(child);
    let pid = child.0.id().to_string();
    let address = wait_for_listening(&mut child.0, &stderr).await?;
    let ready = get(&address, "/readyz")?;
    println!(
        "  started in {:.2} s, listening on {address}; /readyz: {}",
        started.elapsed().as_secs_f64(),
        ready.lines().next().unwrap_or("").trim()
    );
    tokio::time::sleep(Duration::from_secs(a.idle_seconds)).await;
    let idle_rss = status_kb(&pid, "VmRSS")?;
    let idle_hwm = status_kb(&pid, "VmHWM")?;
    println!(
        "  idle after {} s: VmRSS {:.1} MB, VmHWM {:.1} MB  (goal <= {MEMORY_GOAL_MB} MB: {})",
        a.idle_seconds,
        mb(idle_rss),
        mb(idle_hwm),
        yes_no(mb(idle_rss) <= MEMORY_GOAL_MB)
    );

    // The messages: half DMs to creators whose daytime lasts at least another hour, half posts
    // in #staff; queued for later, then all made due at once.
    let now = Utc::now();
    let window = bench_daytime();
    let zones: Vec<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT c.id, c.timezone, p.timezone FROM creators c JOIN programs p ON p.id = c.program_id
          WHERE c.program_id = $1 AND NOT c.opted_out ORDER BY c.id",
    )
    .bind(program_id)
    .fetch_all(pool)
    .await?;
    let awake: Vec<i64> = zones
        .into_iter()
        .filter(|(_, own, programs)| {
            let tz: Tz = own
                .as_deref()
                .unwrap_or(programs)
                .parse()
                .unwrap_or(Tz::UTC);
            window.contains(now, tz) && window.contains(now + chrono::Duration::hours(1), tz)
        })
        .map(|(id, _, _)| id)
        .collect();
    let later = now + chrono::Duration::days(3650);
    let messages: Vec<NewMessage> = (0..a.messages)
        .map(|i| {
            let dm = i % 2 == 0 && !awake.is_empty();
            NewMessage {
                program_id,
                dedupe_key: format!("{KEY_PREFIX}{i}"),
                kind: if dm {
                    MessageKind::Dm
                } else {
                    MessageKind::Channel
                },
                creator_id: dm.then(|| awake[(i / 2) % awake.len()]),
                channel: (!dm).then_some(ProgramChannel::Staff),
                template: Some("bench".into()),
                text: format!("Hello from the service benchmark, message {i}"),
                extra: serde_json::json!({}),
                due_at: later,
            }
        })
        .collect();
    let dms = messages
        .iter()
        .filter(|m| m.kind == MessageKind::Dm)
        .count();
    let mut conn = pool.acquire().await?;
    for chunk in messages.chunks(10_000) {
        outbox::enqueue_many(&mut conn, chunk).await?;
    }
    drop(conn);
    let (first, last): (i64, i64) = sqlx::query_as(
        "SELECT min(id), max(id) FROM outbox WHERE program_id = $1 AND dedupe_key LIKE $2 || '%'",
    )
    .bind(program_id)
    .bind(KEY_PREFIX)
    .fetch_one(pool)
    .await?;
    sqlx::query("ANALYZE outbox").execute(pool).await?;
    let released_at = Utc::now();
    sqlx::query("UPDATE outbox SET due_at = $3 WHERE id BETWEEN $1 AND $2")
        .bind(first)
        .bind(last)
        .bind(released_at)
        .execute(pool)
        .await?;
    let t = Instant::now();
    println!(
        "  queued {} messages ({dms} DMs to {} creators in their daytime, {} posts in #staff), all due now",
        a.messages,
        awake.len().min(dms),
        a.messages - dms
    );

    let mut peak_rss = 0;
    let mut sent = 0i64;
    let mut progress = (0i64, Instant::now());
    while sent < a.messages as i64 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Some(status) = child.0.try_wait()? {
            bail!("creator-bot run stopped while sending: {status}");
        }
        peak_rss = peak_rss.max(status_kb(&pid, "VmRSS")?);
        sent = sqlx::query_scalar(
            "SELECT count(*) FROM deliveries
              WHERE program_id = $1 AND outbox_id BETWEEN $2 AND $3 AND status = 'sent'",
        )
        .bind(program_id)
        .bind(first)
        .bind(last)
        .fetch_one(pool)
        .await?;
        if sent > progress.0 {
            progress = (sent, Instant::now());
        } else if progress.1.elapsed() > Duration::from_secs(60) {
            let stuck: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT o.status, coalesce(d.status, '-'), count(*) FROM outbox o
                   LEFT JOIN deliveries d ON d.outbox_id = o.id
                  WHERE o.id BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?;
            bail!(
                "no message was sent for a minute ({sent} sent); outbox/delivery status: {stuck:?}"
            );
        }
    }
    let detected = t.elapsed();
    let last_sent: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT max(sent_at) FROM deliveries
          WHERE program_id = $1 AND outbox_id BETWEEN $2 AND $3",
    )
    .bind(program_id)
    .bind(first)
    .bind(last)
    .fetch_one(pool)
    .await?;
    let secs = last_sent
        .map(|at| (at - released_at).num_milliseconds() as f64 / 1000.0)
        .filter(|s| *s > 0.0)
        .unwrap_or(detected.as_secs_f64());
    let per_second = a.messages as f64 / secs;
    println!(
        "  sent all {} in {secs:.2} s: {per_second:.0} messages/s from one process",
        a.messages
    );
    let after_rss = status_kb(&pid, "VmRSS")?;
    let hwm = status_kb(&pid, "VmHWM")?;
    peak_rss = peak_rss.max(after_rss);
    println!(
        "  after sending: VmRSS {:.1} MB (highest seen while sending {:.1} MB), VmHWM {:.1} MB  (goal <= {MEMORY_GOAL_MB} MB: {})",
        mb(after_rss),
        mb(peak_rss),
        mb(hwm),
        yes_no(mb(after_rss) <= MEMORY_GOAL_MB && mb(hwm) <= MEMORY_GOAL_MB)
    );
    tokio::time::sleep(Duration::from_secs(a.idle_seconds)).await;
    println!(
        "  idle again after {} s: VmRSS {:.1} MB",
        a.idle_seconds,
        mb(status_kb(&pid, "VmRSS")?)
    );

    let t = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )?;
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if t.elapsed() > Duration::from_secs(60) {
            bail!("creator-bot run did not stop within 60 s of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let printed = std::fs::read_to_string(&stdout)?;
    println!(
        "  SIGTERM: stopped in {:.2} s with {status}; it printed {} messages ({:.1} MB) on stdout",
        t.elapsed().as_secs_f64(),
        printed.matches("Hello from the service benchmark").count(),
        printed.len() as f64 / 1e6
    );
    if !status.success() {
        let log = std::fs::read_to_string(&stderr).unwrap_or_default();
        bail!("creator-bot run exited with {status}; its log:\n{log}");
    }
    Ok(Service {
        idle_rss_mb: mb(idle_rss),
        after_rss_mb: mb(after_rss),
        hwm_mb: mb(hwm),
        per_second,
    })
}

/// A child process killed if the benchmark stops early.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// DMs may go out at any hour, so that the benchmark's DMs are sent whenever it runs (the
/// daytime check itself still runs for each).
fn bench_daytime() -> Daytime {
    Daytime {
        start: NaiveTime::from_hms_opt(0, 0, 0).expect("valid"),
        end: NaiveTime::from_hms_opt(23, 59, 0).expect("valid"),
    }
}

/// The `run` process's config: the benchmark's program, unthrottled sends, DMs at any hour, and
/// every scheduled job parked on 29 February, so that nothing but the benchmark's messages is
/// sent (the jobs have benchmarks of their own).
fn run_config() -> String {
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let parked = "\"0 0 29 2 *\"";
    format!(
        r#"default_program = "bench"

[[programs]]
slug = "bench"
name = "Benchmark brand"
timezone = "America/New_York"
currency = "USD"

[lifecycle]
daytime_start = "00:00"
daytime_end = "23:59"
templates_dir = "{templates}"

[dispatch]
global_per_second = 0
discord_per_second = 0
slack_per_second = 0
console_per_second = 0

[cadences]
sequences = {parked}
tiers = {parked}
all_stars_checkin = {parked}
all_stars_checkin_report = {parked}
steady_earners_update = {parked}
weekly_pulse = {parked}
competition_standings = {parked}
competition_winners = {parked}

[run]
listen = "127.0.0.1:0"
"#,
        templates = templates.display()
    )
}

/// Waits for the process to log its HTTP address (`listening on http://…`).
async fn wait_for_listening(child: &mut Child, stderr: &Path) -> Result<String> {
    let t = Instant::now();
    loop {
        let log = std::fs::read_to_string(stderr).unwrap_or_default();
        if let Some(at) = log.find("listening on http://") {
            let rest = &log[at + "listening on http://".len()..];
            let address: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                .collect();
            return Ok(address);
        }
        if let Some(status) = child.try_wait()? {
            bail!("creator-bot run exited at start with {status}; its log:\n{log}");
        }
        if t.elapsed() > Duration::from_secs(120) {
            bail!("creator-bot run did not listen within 2 minutes; its log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A plain HTTP GET; the whole response.
fn get(address: &str, path: &str) -> Result<String> {
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}
