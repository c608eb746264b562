//! Discord adapter benchmark (prints figures; not a test). The real serenity/poise client of
//! `creator-bot run` and the real dispatcher, against the fake Discord of the integration tests
//! (tests/it/discord_fake) on 127.0.0.1, with a program whose server is the fake's guild:
//! - interactions: `--interactions N` (200) slash commands pushed at once as INTERACTION_CREATE,
//!   per command (staff `/help`, staff `/kpi 7d`, creator `/mystats`) and mixed; the time from
//!   the fake pushing each one to the fake receiving its callback (both instants taken on the
//!   fake's side; the fake runs on a thread and runtime of its own, as Discord runs elsewhere),
//!   p50/p99/max. Goal p99 ≤ 50 ms (Discord's deadline is 3 s). In a burst the
//!   bot defers (callback type 5) and edits the answer in; the time until the answer is visible
//!   (the callback's message or the edit) is printed beside it.
//! - DMs: `--dms N` (10k; `BENCH_DMS=N` or `--quick` for 2,000) DMs queued in the outbox for as
//!   many creators linked on Discord, sent by the dispatcher at `dispatch.discord_per_second`
//!   (`--rate N`, 40): DM channels opened, messages created, duplicates (the same nonce twice in a
//!   channel, or more messages than DMs), wall time, the rate achieved and its share of the
//!   configured one (goal ≥ 0.95). 10k at 40/s takes about 250 s.
//!
//! The fake stands as the proxy of `discord.api_url`, spoken to in HTTP/2 without TLS
//! (`discord.api_http2`, as twilight-http-proxy accepts); `--http1` measures HTTP/1.1 instead, where
//! a burst opens a connection per request in flight.
//!
//! `cargo bench --bench discord [-- --interactions N --dms N --rate N --quick --http1]`
//! Uses DATABASE_URL when set, else a private cluster under target/bench-pg.

// The fake of the integration tests. Its own tests come along: cargo builds a `harness = false`
// benchmark with `--cfg test` but not `--test`, so they compile without their test functions
// (hence the unused imports) and never run here.
#[path = "../tests/it/discord_fake/mod.rs"]
#[allow(unused_imports)]
mod discord_fake;
mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::discord::Discord;
use creator_bot::chat::{ChatPlatform, Platforms};
use creator_bot::config::discord::DiscordConfig;
use creator_bot::config::{Config, DispatchConfig, ProgramConfig};
use creator_bot::db::programs::{self, Program};
use creator_bot::jobs::ManualClock;
use creator_bot::jobs::dispatch::{Dispatcher, Pass};
use creator_bot::templates::Templates;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use discord_fake::{
    APPLICATION_ID, FakeDiscord, FakeGuild, FakeMember, InteractionHandle, InteractionSpec,
    PreparedInteraction,
};
use support::dataset::{flag, ms, num_arg, percentiles};

const DATABASE: &str = "creator_bot_bench_discord";
const GUILD: u64 = 1_000;
/// Creator `n` (from 1) is Discord user `CREATOR_USERS + n`.
const CREATOR_USERS: u64 = 100_000_000;
/// Staff member `n` (from 1) is Discord user `STAFF_USERS + n`.
const STAFF_USERS: u64 = 200_000_000;
const STAFF: u64 = 10;
const PATIENCE: Duration = Duration::from_secs(60);
/// Goal of the interactions' p99, from push to callback.
const INTERACTION_GOAL_MS: f64 = 50.0;
/// Goal of the achieved DM rate as a share of the configured one.
const RATE_GOAL: f64 = 0.95;
/// Interactions run one at a time before each burst.
const WARM_UP: usize = 20;
/// The colour of a refusal embed: an answer of that colour did not run the command.
const REFUSAL_COLOUR: u64 = 0xE69F00;

/// 15:00 UTC on a June Tuesday: daytime in New York, the program's (and its creators') zone.
fn instant() -> DateTime<Utc> {
    "2026-06-02T15:00:00Z".parse().expect("valid instant")
}

struct Args {
    interactions: usize,
    dms: usize,
    rate: u32,
    /// `--http1`: HTTP/1.1 to the proxy (`discord.api_http2` off), a connection per request in
    /// flight.
    http1: bool,
}

fn args() -> Args {
    let default_dms = if flag("--quick") {
        2_000
    } else {
        std::env::var("BENCH_DMS")
            .ok()
            .and_then(|v| v.replace('_', "").parse().ok())
            .unwrap_or(10_000)
    };
    Args {
        interactions: num_arg("--interactions", 200).max(1),
        dms: num_arg("--dms", default_dms),
        rate: num_arg("--rate", 40).max(1) as u32,
        http1: flag("--http1"),
    }
}

fn config(fake: &FakeDiscord, http2: bool) -> Result<Config> {
    let config = Config {
        default_program: "bench".into(),
        programs: vec![ProgramConfig {
            slug: "bench".into(),
            name: "Benchmark brand".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: Some(GUILD.to_string()),
            slack_team_id: None,
        }],
        discord: DiscordConfig {
            application_id: Some(APPLICATION_ID.to_string()),
            api_url: Some(fake.api_url()),
            api_http2: http2,
            welcome_new_members: false,
        },
        ..Config::default()
    };
    config.validate()?;
    Ok(config)
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = args();
    let creators = a.dms.max(a.interactions).max(WARM_UP);
    println!(
        "creator-bot Discord benchmark: the adapter against the fake Discord on 127.0.0.1\n\
         {creators} creators linked on Discord, {STAFF} staff accounts"
    );

    // The program, its server the fake's guild; creators and staff linked there.
    let support::BenchDb {
        options,
        pool: setup,
        program: bench,
    } = support::bench_db(DATABASE, true).await?;
    let fake =
        support::on_own_thread(|| FakeDiscord::start(FakeGuild::new(GUILD, "Benchmark brand")))
            .await?;
    let config = config(&fake, !a.http1)?;
    println!(
        "REST to the fake as to a proxy (discord.api_url), in {}",
        if a.http1 {
            "HTTP/1.1 (--http1): one connection per request in flight"
        } else {
            "HTTP/2 without TLS (discord.api_http2), as twilight-http-proxy accepts"
        }
    );
    let program = programs::sync(&setup, &config.programs()).await?.remove(0);
    if program.id != bench.id {
        bail!("the configured program is not the benchmark's");
    }
    seed(&setup, &program, creators).await?;
    setup.close().await;

    // `creator-bot run`'s Discord part: its pool as configured, the client started.
    let pool = PgPoolOptions::new()
        .max_connections(config.database.max_connections)
        .connect_with(options)
        .await?;
    let templates = Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))?;
    let discord = Discord::new(&config, "fake-bot-token").await?;
    let app = App::new(
        pool.clone(),
        config,
        templates,
        Arc::new(ManualClock::new(instant())),
    )
    .with_platforms(Platforms::default().with(discord.clone()));
    discord.start(app.clone()).await?;
    if !fake.wait_connected(PATIENCE).await {
        bail!("the bot did not connect to the fake");
    }
    fake.wait_for_request("PUT", "/applications/*/guilds/*/commands", PATIENCE)
        .await
        .context("the commands were not registered")?;
    let deadline = Instant::now() + PATIENCE;
    while !discord.is_ready() {
        if Instant::now() > deadline {
            bail!("the bot did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    interactions(&fake, a.interactions).await?;
    dms(&fake, &app, &pool, &program, a.dms, a.rate).await?;

    discord.disconnect().await;
    pool.close().await;
    Ok(())
}

/// `count` creators (`creator1`…) linked to Discord users `CREATOR_USERS + n`, and `STAFF` staff
/// members linked to users `STAFF_USERS + n`.
async fn seed(pool: &PgPool, program: &Program, count: usize) -> Result<()> {
    let guild = GUILD.to_string();
    sqlx::query(
        "INSERT INTO creators (program_id, handle, joined_on)
         SELECT $1, 'creator' || n, DATE '2026-05-01' FROM generate_series(1, $2) n",
    )
    .bind(program.id)
    .bind(count as i64)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id)
         SELECT c.program_id, 'discord', $2, ($3 + substr(c.handle, 8)::bigint)::text, c.id
           FROM creators c WHERE c.program_id = $1",
    )
    .bind(program.id)
    .bind(&guild)
    .bind(CREATOR_USERS as i64)
    .execute(pool)
    .await?;
    for n in 1..=STAFF {
        let staff =
            creator_bot::db::chat::add_staff(pool, program.id, &format!("Staff {n}")).await?;
        let user = (STAFF_USERS + n).to_string();
        creator_bot::db::chat::link_staff(pool, program.id, "discord", &guild, &user, staff)
            .await?;
    }
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

fn staff(n: usize) -> FakeMember {
    let id = STAFF_USERS + 1 + (n as u64 % STAFF);
    FakeMember::new(id, &format!("staff{id}"))
}

fn creator(n: usize) -> FakeMember {
    let n = n as u64 + 1;
    FakeMember::new(CREATOR_USERS + n, &format!("creator{n}"))
}

/// One kind of interaction: who runs it, the command and its options.
#[derive(Clone, Copy)]
enum Kind {
    Help,
    Kpi,
    MyStats,
}

impl Kind {
    /// Interaction `n` of this kind, built (not sent yet).
    fn prepare(self, fake: &FakeDiscord, n: usize) -> PreparedInteraction {
        let spec = match self {
            Kind::Help => InteractionSpec::command(GUILD, &staff(n), "help"),
            Kind::Kpi => InteractionSpec::command(GUILD, &staff(n), "kpi")
                .options(json!([{ "name": "period", "type": 3, "value": "7d" }])),
            Kind::MyStats => InteractionSpec::command(GUILD, &creator(n), "mystats"),
        };
        fake.prepare_interaction(spec)
    }

    fn push(self, fake: &FakeDiscord, n: usize) -> InteractionHandle {
        fake.send_interaction(self.prepare(fake, n))
    }
}

async fn interactions(fake: &FakeDiscord, count: usize) -> Result<()> {
    println!(
        "\ninteractions: {count} at once, from the fake pushing INTERACTION_CREATE to the fake \
         receiving the callback (goal p99 ≤ {INTERACTION_GOAL_MS:.0} ms)"
    );
    let rounds: [(&str, &[Kind]); 4] = [
        ("/help (staff)", &[Kind::Help]),
        ("/kpi 7d (staff)", &[Kind::Kpi]),
        ("/mystats (creator)", &[Kind::MyStats]),
        ("mixed", &[Kind::Help, Kind::Kpi, Kind::MyStats]),
    ];
    let mut worst = Duration::ZERO;
    for (name, kinds) in rounds {
        // One at a time first (this also opens the connections to the fake and the database).
        let mut alone = Vec::with_capacity(WARM_UP);
        for n in 0..WARM_UP {
            let handle = kinds[n % kinds.len()].push(fake, n);
            let callback = handle
                .callback(PATIENCE)
                .await
                .context("an interaction run alone was not answered")?;
            alone.push(callback.at.duration_since(handle.pushed));
        }
        let (alone_p50, _, alone_max) = percentiles(&mut alone);
        // The burst is built before the clock starts (Discord builds its payloads elsewhere).
        let burst: Vec<PreparedInteraction> = (0..count)
            .map(|n| kinds[n % kinds.len()].prepare(fake, n))
            .collect();
        let started = Instant::now();
        let handles: Vec<InteractionHandle> = burst
            .into_iter()
            .map(|prepared| fake.send_interaction(prepared))
            .collect();
        let pushed = started.elapsed();
        let mut times = Vec::with_capacity(count);
        let mut answers = Vec::with_capacity(count);
        let mut deferred = 0;
        let mut last = started;
        let mut refused = 0;
        let mut sample = None;
        for handle in &handles {
            if handle.delivered == 0 {
                bail!("an interaction reached no gateway session");
            }
            let callback = handle
                .callback(PATIENCE)
                .await
                .with_context(|| format!("{name}: an interaction was not answered"))?;
            if !(200..300).contains(&callback.status) {
                bail!(
                    "{name}: the fake refused a callback: {:?}",
                    callback.response
                );
            }
            let body = callback.json().cloned().unwrap_or(Value::Null);
            // The answer: the callback's message, or (deferred) the original response edited in.
            let (message, answered) = match body["type"].as_u64() {
                Some(4) => (body["data"].clone(), callback.at),
                Some(5) => {
                    deferred += 1;
                    let edit = handle
                        .edit(PATIENCE)
                        .await
                        .with_context(|| format!("{name}: a deferred answer was not edited in"))?;
                    (edit.json().cloned().unwrap_or(Value::Null), edit.at)
                }
                _ => (Value::Null, callback.at),
            };
            let embed = &message["embeds"][0];
            if embed.is_null() || embed["color"] == REFUSAL_COLOUR {
                refused += 1;
            }
            sample.get_or_insert_with(|| {
                embed["title"]
                    .as_str()
                    .or(embed["description"].as_str())
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string()
            });
            times.push(callback.at.duration_since(handle.pushed));
            answers.push(answered.duration_since(handle.pushed));
            last = last.max(answered);
        }
        if refused > 0 {
            bail!("{name}: {refused} interactions were refused or not answered with a message");
        }
        let all = last.duration_since(started);
        let (p50, p99, max) = percentiles(&mut times);
        let (answer_p50, answer_p99, _) = percentiles(&mut answers);
        worst = worst.max(p99);
        println!(
            "  {name:<20} callback p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms;  answer p50 \
             {:>6.1} ms  p99 {:>6.1} ms;  {deferred} deferred   (pushed in {:.1} ms, all \
             answered after {:.0} ms: {:.0}/s; one at a time: p50 {:.1} ms, max {:.1} ms; e.g. \
             \"{}\")",
            ms(p50),
            ms(p99),
            ms(max),
            ms(answer_p50),
            ms(answer_p99),
            ms(pushed),
            ms(all),
            count as f64 / all.as_secs_f64(),
            ms(alone_p50),
            ms(alone_max),
            sample.unwrap_or_default()
        );
    }
    println!(
        "  worst p99 {:.1} ms: goal {}",
        ms(worst),
        if ms(worst) <= INTERACTION_GOAL_MS {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

async fn dms(
    fake: &FakeDiscord,
    app: &App,
    pool: &PgPool,
    program: &Program,
    count: usize,
    rate: u32,
) -> Result<()> {
    if count == 0 {
        println!("\nDMs: none asked for (--dms 0)");
        return Ok(());
    }
    let defaults = DispatchConfig::default();
    let config = DispatchConfig {
        discord_per_second: rate,
        global_per_second: defaults.global_per_second.max(rate),
        ..defaults
    };
    println!(
        "\nDMs: {count} queued for {count} creators, dispatched at discord_per_second = {}, \
         global_per_second = {} ({} workers, batches of {}); about {:.0} s",
        config.discord_per_second,
        config.global_per_second,
        config.workers,
        config.batch_size,
        count.saturating_sub(rate as usize) as f64 / f64::from(rate)
    );
    support::messages::queue_dms(pool, program, count, "discord-bench", instant()).await?;
    let before = fake.requests().len();

    let dispatcher = Arc::new(Dispatcher::with_config(app, &config));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let handles = dispatcher.spawn("bench", stop);
    let mut next_report = Duration::from_secs(30);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let open: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending')
                  + (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending'))",
        )
        .fetch_one(pool)
        .await?;
        if open == 0 {
            break;
        }
        if started.elapsed() >= next_report {
            println!(
                "  … {:.0} s: {} messages",
                started.elapsed().as_secs_f64(),
                fake.messages().len()
            );
            next_report += Duration::from_secs(30);
        }
    }
    stop_tx.send(true)?;
    let mut total = Pass::default();
    for h in handles {
        total += h.await?;
    }

    let requests: Vec<_> = fake.requests().into_iter().skip(before).collect();
    let opens = requests
        .iter()
        .filter(|r| r.is("POST", "/users/@me/channels"))
        .count();
    let mut posts: Vec<Instant> = requests
        .iter()
        .filter(|r| r.is("POST", "/channels/*/messages"))
        .map(|r| r.at)
        .collect();
    posts.sort();
    let messages = fake.messages();
    let channels: HashSet<u64> = messages.iter().map(|(c, _)| *c).collect();
    let mut by_nonce: HashMap<(u64, String), u32> = HashMap::new();
    for (channel, message) in &messages {
        let nonce = message["nonce"].as_str().unwrap_or_default().to_string();
        *by_nonce.entry((*channel, nonce)).or_default() += 1;
    }
    let same_nonce: u32 = by_nonce.values().map(|n| n - 1).sum();
    let extra = messages.len().saturating_sub(count);
    let duplicates = (same_nonce as usize).max(extra);
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE program_id = $1 AND status = 'sent'",
    )
    .bind(program.id)
    .fetch_one(pool)
    .await?;

    let (Some(first), Some(last)) = (posts.first(), posts.last()) else {
        bail!("no message reached the fake");
    };
    let wall = last.duration_since(started);
    let achieved = posts.len() as f64 / wall.as_secs_f64();
    let share = achieved / f64::from(rate);
    // After the limiter's initial burst (one second's worth), the sustained rate.
    let burst = (rate as usize).min(posts.len() - 1);
    let sustained = (posts.len() - 1 - burst) as f64
        / posts[posts.len() - 1]
            .duration_since(posts[burst])
            .as_secs_f64()
            .max(f64::EPSILON);
    let request_rate = requests.len() as f64 / last.duration_since(*first).as_secs_f64();
    println!(
        "  DM channels opened {opens} ({} channels with messages); messages created {}; \
         duplicates {duplicates} (same nonce in a channel {same_nonce}, beyond the DMs {extra})",
        channels.len(),
        messages.len()
    );
    println!(
        "  dispatcher: claimed {}, sent {} (deliveries sent {sent}), retried {}, failed {}, \
         lost {}",
        total.claimed, total.sent, total.retried, total.failed, total.lost
    );
    println!(
        "  wall {:.1} s (start to the last message at the fake): {achieved:.2} messages/s, \
         {share:.3} of {rate}/s: goal {}; sustained after the first second's burst \
         {sustained:.2}/s ({:.3})",
        wall.as_secs_f64(),
        if share >= RATE_GOAL { "met" } else { "NOT met" },
        sustained / f64::from(rate)
    );
    println!(
        "  requests to the fake while sending: {:.1}/s (each new DM channel is opened once, \
         unthrottled, besides its message)",
        request_rate
    );
    if duplicates > 0 || messages.len() < count || sent != count as i64 {
        bail!(
            "{count} DMs gave {} messages, {duplicates} duplicates, {sent} deliveries sent",
            messages.len()
        );
    }
    Ok(())
}
