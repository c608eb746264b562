//! TikTok Shop sync benchmark (prints figures; not a test). The real order sync of `creator-bot
//! run` (`orders::sync`, a backfill: the signed, paced client, the session, the merge into
//! `order_lines`) against the fake TikTok Shop of the integration tests (tests/it/tiktok_fake) on
//! 127.0.0.1, on a thread and runtime of its own, serving generated order lines in pages of 100:
//! - unlimited: `--lines N` (1,000,000) lines over `--days N` (180) days sold by `--creators N`
//!   (20,000) creators, read by a backfill of those days with the fake's rate limit off and the
//!   bot's pacing effectively off (`tiktok.requests_per_second` = 1,000,000, set in code: the
//!   config's validation, which allows at most 50, runs only when a file is loaded). Lines, pages,
//!   seconds and lines/s: the bot's own processing rate. Goal ≥ 50,000 lines/s, ten times the
//!   5,000 lines/s that TikTok's 50 requests/s of 100 lines allow, so that the API and not the
//!   bot is the bottleneck. The database must then hold exactly the lines served (a mismatch
//!   stops the benchmark). A control row follows: the same pages read by the same client alone,
//!   one after another, nothing parsed into lines or written (the fake's and the client's part).
//! - limited: `--limited-lines N` (60,000, about 12 s) lines into a second database, the fake
//!   admitting at most 50 API requests in any one-second window (TikTok's documented limit per
//!   app and shop) and the bot paced at `tiktok.requests_per_second` = 50 (the default config
//!   says 40, a margin below the limit). Requests/s achieved over the sync's wall time, its
//!   share of 50 (goal ≥ 0.9), and how many requests the fake refused with HTTP 429 (the client
//!   tries those again after a pause).
//!
//! `cargo bench --bench tiktok [-- --lines N --creators N --days N --limited-lines N]`
//! (`--lines 0` or `--limited-lines 0` skips that part). Uses DATABASE_URL when set, else a
//! private cluster under target/bench-pg.

// The fake of the integration tests. Its own tests come along: cargo builds a `harness = false`
// benchmark with `--cfg test` but not `--test`, so they compile without their test functions
// (hence the unused imports) and never run here.
mod support;
#[path = "../tests/it/tiktok_fake/mod.rs"]
#[allow(unused_imports)]
mod tiktok_fake;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use creator_bot::app::App;
use creator_bot::config::tiktok::TikTokConfig;
use creator_bot::config::{Config, ProgramConfig};
use creator_bot::db::programs::{self, Program};
use creator_bot::features::tiktok::orders::{self, MAX_WINDOW, Outcome};
use creator_bot::features::tiktok::{Credentials, SyncKind, connect};
use creator_bot::jobs::SystemClock;
use creator_bot::secret_key::SecretKey;
use creator_bot::templates::Templates;
use creator_bot::tiktok::Caller;
use creator_bot::tiktok::calls::{self, ORDERS_PATH};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use support::dataset::{num_arg, peak_rss_kb};
use tiktok_fake::{APP_KEY, APP_SECRET, FakeShop, FakeTikTok, RecordedCall, SHOP_CIPHER};

const DATABASE: &str = "creator_bot_bench_tiktok";
const LIMITED_DATABASE: &str = "creator_bot_bench_tiktok_limited";
/// The sealing key of the shop's tokens (hex).
const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/// TikTok's documented limit per app and shop, requests per second.
const TIKTOK_LIMIT: u32 = 50;
/// Order lines per page (the API's most, the config's default).
const PAGE_SIZE: u32 = 100;
/// Goal of the unlimited run: ten times what the API allows (50 requests/s of 100 lines).
const LINES_GOAL: f64 = 10.0 * TIKTOK_LIMIT as f64 * PAGE_SIZE as f64;
/// Goal of the limited run: its achieved request rate as a share of the limit.
const SHARE_GOAL: f64 = 0.9;
/// "Unlimited" pacing: far above anything the bot and the fake reach on one machine.
const UNPACED: u32 = 1_000_000;
/// The fake's generator seed.
const SEED: u64 = 1;
/// How often a long run says how far it got.
const REPORT_EVERY: Duration = Duration::from_secs(30);

struct Args {
    lines: usize,
    creators: usize,
    days: u32,
    limited_lines: usize,
}

fn args() -> Args {
    Args {
        lines: num_arg("--lines", 1_000_000),
        creators: num_arg("--creators", 20_000).max(1),
        days: num_arg("--days", 180).clamp(1, 3_650) as u32,
        limited_lines: num_arg("--limited-lines", 60_000),
    }
}

fn config(fake: &FakeTikTok, requests_per_second: u32) -> Config {
    Config {
        default_program: "bench".into(),
        programs: vec![ProgramConfig {
            slug: "bench".into(),
            name: "Benchmark brand".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: None,
            slack_team_id: None,
        }],
        tiktok: TikTokConfig {
            app_key: Some(APP_KEY.into()),
            service_id: Some("7001".into()),
            api_url: fake.url(),
            auth_url: fake.url(),
            authorize_url: format!("{}/open/authorize", fake.url()),
            requests_per_second,
            page_size: PAGE_SIZE,
            ..TikTokConfig::default()
        },
        ..Config::default()
    }
}

fn credentials() -> Credentials {
    Credentials::new(
        APP_KEY.into(),
        Some(APP_SECRET.into()),
        SecretKey::parse(KEY),
    )
}

/// A fake shop of `lines` generated lines over the `days` days before now (an hour inside each
/// end, so a backfill of `days` days started now reads every one).
fn start_fake(lines: usize, creators: usize, days: u32) -> FakeTikTok {
    let now = Utc::now();
    let from = now - chrono::Duration::days(i64::from(days)) + chrono::Duration::hours(1);
    let to = now - chrono::Duration::hours(1);
    FakeTikTok::start_on_own_thread(FakeShop::generated(lines, creators, from, to, SEED))
}

/// A fresh database with the program connected to the fake's shop, and the app the sync runs
/// in (`creator-bot run`'s: its pool as configured, the real clock, which the fake checks
/// request timestamps against).
async fn connected(database: &str, fake: &FakeTikTok, config: Config) -> Result<(App, Program)> {
    let support::BenchDb {
        options,
        pool: setup,
        program: bench,
    } = support::bench_db(database, true).await?;
    let program = programs::sync(&setup, &config.programs()).await?.remove(0);
    if program.id != bench.id {
        bail!("the configured program is not the benchmark's");
    }
    setup.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(config.database.max_connections)
        .connect_with(options)
        .await?;
    let templates = Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))?;
    let app = App::new(pool, config, templates, Arc::new(SystemClock)).with_tiktok(credentials());
    connect::exchange(&app, &credentials(), &program, &fake.issue_code())
        .await
        .context("connecting the program to the fake's shop")?;
    Ok((app, program))
}

/// A backfill of `days` days, timed; says every 30 s how many requests reached the fake.
async fn backfill(
    app: &App,
    fake: &FakeTikTok,
    program: &Program,
    days: u32,
) -> Result<(Duration, creator_bot::db::tiktok::SyncRun)> {
    let started = Instant::now();
    let before = fake.request_count();
    let creds = credentials();
    let sync = orders::sync(app, &creds, program, SyncKind::Backfill, Some(days), None);
    tokio::pin!(sync);
    let mut next_report = REPORT_EVERY;
    let outcome = loop {
        tokio::select! {
            outcome = &mut sync => break outcome?,
            _ = tokio::time::sleep_until((started + next_report).into()) => {
                println!(
                    "  … {:.0} s: {} requests",
                    started.elapsed().as_secs_f64(),
                    fake.request_count() - before
                );
                next_report += REPORT_EVERY;
            }
        }
    };
    let wall = started.elapsed();
    let run = match outcome {
        Outcome::Ran(run) => run,
        other => bail!("the backfill did not run: {}", other.summary()),
    };
    if run.status != "done" {
        bail!(
            "the backfill ended {}: {}",
            run.status,
            run.error.as_deref().unwrap_or("no error recorded")
        );
    }
    Ok((wall, *run))
}

async fn stored_lines(pool: &PgPool, program: &Program) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM order_lines WHERE program_id = $1")
            .bind(program.id)
            .fetch_one(pool)
            .await?,
    )
}

/// The API requests (not the token host's) that reached the fake from `seq` on.
fn api_calls(fake: &FakeTikTok, from_seq: usize) -> Vec<RecordedCall> {
    fake.calls()
        .into_iter()
        .filter(|c| c.seq >= from_seq && !c.path.starts_with("/api/v2/token/"))
        .collect()
}

fn goal(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = args();
    println!(
        "creator-bot TikTok Shop sync benchmark: the order backfill against the fake TikTok Shop \
         on 127.0.0.1, pages of {PAGE_SIZE} lines"
    );
    unlimited(&a).await?;
    limited(&a).await?;
    Ok(())
}

async fn unlimited(a: &Args) -> Result<()> {
    if a.lines == 0 {
        println!("\nunlimited: none asked for (--lines 0)");
        return Ok(());
    }
    println!(
        "\nunlimited: {} lines over {} days, {} creators; the fake without a rate limit, the \
         bot's pacing at {UNPACED} requests/s (effectively off)",
        a.lines, a.days, a.creators
    );
    let fake = start_fake(a.lines, a.creators, a.days);
    let (app, program) = connected(DATABASE, &fake, config(&fake, UNPACED)).await?;
    let from_seq = fake.request_count();

    let (wall, run) = backfill(&app, &fake, &program, a.days).await?;

    let calls = api_calls(&fake, from_seq);
    let pages = calls.iter().filter(|c| c.path == ORDERS_PATH).count();
    let products = calls
        .iter()
        .filter(|c| c.path.starts_with("/product/"))
        .count();
    let refused = calls.iter().filter(|c| c.status == 429).count();
    let stored = stored_lines(&app.pool, &program).await?;
    let rate = a.lines as f64 / wall.as_secs_f64();
    println!("  lines            {:>12}", a.lines);
    println!(
        "  pages            {:>12}   ({} order searches at the fake; {products} product \
         requests; {refused} refused with 429)",
        run.pages, pages
    );
    println!(
        "  stored           {:>12}   (order lines in the database; the run inserted {}, \
         updated {}, unchanged {}, rejected {}; new creators {})",
        stored, run.inserted, run.updated, run.unchanged, run.rejected, run.new_creators
    );
    println!("  seconds          {:>12.1}", wall.as_secs_f64());
    println!(
        "  lines/s          {:>12.0}   ({:.2} of the goal {LINES_GOAL:.0}: {})",
        rate,
        rate / LINES_GOAL,
        goal(rate >= LINES_GOAL)
    );
    println!(
        "  pages/s          {:>12.0}",
        f64::from(run.pages) / wall.as_secs_f64()
    );
    println!(
        "  peak memory      {:>12.0}   MB (this process's resident high-water mark, the fake's \
         thread included)",
        peak_rss_kb()? as f64 / 1024.0
    );
    if stored != a.lines as i64 {
        bail!(
            "the fake served {} lines, the database holds {stored}",
            a.lines
        );
    }

    // Control: the same pages, read by the same client alone.
    let (pages, lines, read) = read_alone(&app, &fake, a.days).await?;
    println!(
        "  control          {:>12.0}   lines/s reading alone: {pages} pages, {lines} lines in \
         {:.1} s, one request after another, nothing written ({:.2} ms a page)",
        lines as f64 / read.as_secs_f64(),
        read.as_secs_f64(),
        read.as_secs_f64() * 1000.0 / pages.max(1) as f64
    );
    app.pool.close().await;
    Ok(())
}

/// Reads the backfill's windows page after page with the sync's client and nothing else.
async fn read_alone(app: &App, fake: &FakeTikTok, days: u32) -> Result<(usize, usize, Duration)> {
    let api = credentials().api(&app.config.tiktok, 0)?;
    let token = fake
        .current_access_token()
        .context("the fake has no access token")?;
    let caller = Caller {
        access_token: &token,
        shop_cipher: Some(SHOP_CIPHER),
    };
    let to = Utc::now();
    let from = to - chrono::Duration::days(i64::from(days));
    let started = Instant::now();
    let (mut pages, mut lines) = (0, 0);
    let mut cursor = from;
    while cursor < to {
        let part_to = (cursor + MAX_WINDOW).min(to);
        let mut page_token: Option<String> = None;
        loop {
            let page = calls::orders_page(
                &api,
                caller,
                cursor,
                part_to,
                PAGE_SIZE,
                page_token.as_deref(),
            )
            .await?;
            pages += 1;
            lines += page
                .items
                .iter()
                .filter_map(|o| o.get("skus")?.as_array())
                .map(Vec::len)
                .sum::<usize>();
            match page.next_page_token {
                Some(t) => page_token = Some(t),
                None => break,
            }
        }
        cursor = part_to;
    }
    Ok((pages, lines, started.elapsed()))
}

async fn limited(a: &Args) -> Result<()> {
    if a.limited_lines == 0 {
        println!("\nlimited: none asked for (--limited-lines 0)");
        return Ok(());
    }
    let default_rate = TikTokConfig::default().requests_per_second;
    println!(
        "\nlimited: {} lines over {} days, {} creators, in a second database; the fake admits \
         {TIKTOK_LIMIT} API requests in any one second, the bot paced at requests_per_second = \
         {TIKTOK_LIMIT} (TikTok's documented limit; the default config says {default_rate})",
        a.limited_lines, a.days, a.creators
    );
    let fake = start_fake(a.limited_lines, a.creators, a.days);
    let (app, program) = connected(LIMITED_DATABASE, &fake, config(&fake, TIKTOK_LIMIT)).await?;
    fake.set_rate_limit(Some(TIKTOK_LIMIT));
    let from_seq = fake.request_count();

    let (wall, run) = backfill(&app, &fake, &program, a.days).await?;

    let calls = api_calls(&fake, from_seq);
    let refused = calls.iter().filter(|c| c.status == 429).count();
    let pages = calls.iter().filter(|c| c.path == ORDERS_PATH).count();
    let stored = stored_lines(&app.pool, &program).await?;
    let rate = calls.len() as f64 / wall.as_secs_f64();
    let share = rate / f64::from(TIKTOK_LIMIT);
    // Paced evenly, N requests take N − 1 gaps from the first to the last.
    let span = match (calls.first(), calls.last()) {
        (Some(first), Some(last)) => last.at.duration_since(first.at),
        _ => bail!("no request reached the fake"),
    };
    let paced = (calls.len() - 1) as f64 / span.as_secs_f64().max(f64::EPSILON);
    println!("  lines            {:>12}", a.limited_lines);
    println!(
        "  requests         {:>12}   ({} order searches, {} other; {} pages in the run)",
        calls.len(),
        pages,
        calls.len() - pages,
        run.pages
    );
    println!("  seconds          {:>12.1}", wall.as_secs_f64());
    println!(
        "  requests/s       {:>12.2}   (over the sync's wall time; first to last request \
         {paced:.2}/s)",
        rate
    );
    println!(
        "  share of {TIKTOK_LIMIT}/s   {:>12.3}   (goal {SHARE_GOAL}: {})",
        share,
        goal(share >= SHARE_GOAL)
    );
    println!("  refused (429)    {:>12}", refused);
    println!(
        "  lines/s          {:>12.0}   ({:.3} of the {:.0} lines/s the limit allows)",
        a.limited_lines as f64 / wall.as_secs_f64(),
        a.limited_lines as f64 / wall.as_secs_f64() / (f64::from(TIKTOK_LIMIT * PAGE_SIZE)),
        f64::from(TIKTOK_LIMIT * PAGE_SIZE)
    );
    if stored != a.limited_lines as i64 {
        bail!(
            "the fake served {} lines, the database holds {stored}",
            a.limited_lines
        );
    }
    app.pool.close().await;
    Ok(())
}
