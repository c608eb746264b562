//! Slack adapter benchmark (prints figures; not a test). The real slack-morphism client of
//! `creator-bot run` and the real dispatcher, against the fake Slack of the integration tests
//! (tests/it/slack_fake) on 127.0.0.1, with a program whose workspace is the fake's team:
//! - slash commands: `--interactions N` (200) at once, per command (staff `/help`, staff
//!   `/kpi 7d`, creator `/mystats`) and mixed, in both modes. Socket Mode: the fake pushes N
//!   envelopes at once over the bot's websockets; the time from each push to the fake reading its
//!   ack (both instants the fake's). `http` mode: N signed POSTs to `/slack/commands` on the
//!   service's own HTTP server, all in flight at once (built and signed before the clock starts);
//!   the time from sending each to its 200. Goal p99 ≤ 50 ms (Slack's deadline is 3 s). The time
//!   until the answer reaches the command's response_url is printed beside it, and every answer
//!   must be the command's own (a refusal stops the benchmark). A control row first: as many
//!   interaction envelopes, which the adapter acks and drops, so the websockets' own time shows.
//!   (The adapter opens its websockets with TCP_NODELAY, src/chat/slack/wss.rs: with Nagle's
//!   algorithm on, in a burst the acks after the first wait for the delayed TCP ACK, about 40 ms
//!   on Linux.)
//! - DMs: `--dms N` (2,000; `--quick` 500) DMs queued in the outbox for as many creators linked
//!   on Slack, sent by the dispatcher at `dispatch.slack_per_second` (`--rate N`, default the
//!   config's 10): DM channels opened, messages posted, duplicates (a DM channel with more than
//!   one message), the rate achieved and its share of the configured one (goal ≥ 0.95).
//! - channel posts: `--posts N` (300; `--quick` 60) posts queued for #competitions, mapped to one
//!   Slack channel, sent by the dispatcher: the adapter paces a channel to one message per second
//!   (Slack's limit; `Pacer` in src/chat/slack/send.rs), so N posts take about N − 1 seconds.
//!   Rate against that pace (goal ≥ 0.95), the closest two posts, duplicates.
//!
//! `cargo bench --bench slack [-- --interactions N --dms N --posts N --rate N --quick]`
//! (`--dms 0 --posts 0`: the slash commands only). Uses DATABASE_URL when set, else a private
//! cluster under target/bench-pg.

// The fake of the integration tests. Its own tests come along: cargo builds a `harness = false`
// benchmark with `--cfg test` but not `--test`, so they compile without their test functions
// (hence the unused imports) and never run here.
#[path = "../tests/it/slack_fake/mod.rs"]
#[allow(unused_imports)]
mod slack_fake;
mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::slack::{Slack, Tokens};
use creator_bot::chat::{ChatPlatform, MessageKind, Platforms};
use creator_bot::config::slack::{SlackConfig, SlackMode};
use creator_bot::config::{Config, DispatchConfig, ProgramConfig};
use creator_bot::db::outbox::NewMessage;
use creator_bot::db::programs::{self, Program};
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::Clock;
use creator_bot::jobs::dispatch::{Dispatcher, Pass};
use creator_bot::service::http::{Endpoints, router};
use creator_bot::templates::Templates;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use slack_fake::{
    APP_TOKEN, BOT_TOKEN, EnvelopeHandle, FakeChannel, FakeSlack, FakeUser, FakeWorkspace,
    HttpPayload, SlashCommand, TEAM_ID, dm_channel_id,
};
use support::dataset::{flag, ms, num_arg, percentiles};

const DATABASE: &str = "creator_bot_bench_slack";
const STAFF: usize = 10;
const PATIENCE: Duration = Duration::from_secs(60);
/// The signing secret of `http` mode.
const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// The channel the posts go to, mapped as the program's #competitions.
const POST_CHANNEL: &str = "C0COMPETE";
/// Goal of the slash commands' p99, to the ack.
const ACK_GOAL_MS: f64 = 50.0;
/// Goal of an achieved rate as a share of the configured one (or of the channel's pace).
const RATE_GOAL: f64 = 0.95;
/// The adapter's pace for one channel: one message per second (`Pacer` in send.rs).
const CHANNEL_GAP: Duration = Duration::from_secs(1);
/// Slash commands run one at a time before each burst.
const WARM_UP: usize = 20;

/// 15:00 UTC on a June Tuesday: daytime in New York, the program's (and its creators') zone.
fn instant() -> DateTime<Utc> {
    "2026-06-02T15:00:00Z".parse().expect("valid instant")
}

/// That instant, running: the dispatcher's retries (a channel's next turn) come due as time
/// passes, and the DMs stay in the creators' daytime.
struct RunningClock {
    from: DateTime<Utc>,
    origin: Instant,
}

impl Clock for RunningClock {
    fn now(&self) -> DateTime<Utc> {
        self.from + chrono::Duration::from_std(self.origin.elapsed()).unwrap_or_default()
    }
}

/// Creator `n` (from 1) is Slack user `UC` + `n` on 8 digits.
fn creator_user(n: usize) -> String {
    format!("UC{n:08}")
}

/// Staff member `n` (from 1) is Slack user `US` + `n` on 8 digits, listed in
/// `slack.staff_user_ids`.
fn staff_user(n: usize) -> String {
    format!("US{n:08}")
}

struct Args {
    interactions: usize,
    dms: usize,
    posts: usize,
    rate: u32,
}

fn args() -> Args {
    let quick = flag("--quick");
    Args {
        interactions: num_arg("--interactions", 200).max(1),
        dms: num_arg("--dms", if quick { 500 } else { 2_000 }),
        posts: num_arg("--posts", if quick { 60 } else { 300 }),
        rate: num_arg(
            "--rate",
            DispatchConfig::default().slack_per_second as usize,
        )
        .max(1) as u32,
    }
}

fn config(fake: &FakeSlack, mode: SlackMode) -> Result<Config> {
    let config = Config {
        default_program: "bench".into(),
        programs: vec![ProgramConfig {
            slug: "bench".into(),
            name: "Benchmark brand".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: None,
            slack_team_id: Some(TEAM_ID.to_string()),
        }],
        slack: SlackConfig {
            mode,
            api_url: fake.api_url(),
            staff_user_ids: (1..=STAFF).map(staff_user).collect(),
            welcome_new_members: false,
            ..SlackConfig::default()
        },
        ..Config::default()
    };
    config.validate()?;
    Ok(config)
}

fn tokens(mode: SlackMode) -> Tokens {
    Tokens {
        bot: BOT_TOKEN.to_string(),
        app: (mode == SlackMode::Socket).then(|| APP_TOKEN.to_string()),
        signing_secret: (mode == SlackMode::Http).then(|| SECRET.to_string()),
    }
}

/// The fake's workspace: the creators and staff as members, and the channel the posts go to.
fn workspace(creators: usize) -> FakeWorkspace {
    let mut workspace = FakeWorkspace::new();
    for n in 1..=creators {
        workspace = workspace.user(FakeUser::new(&creator_user(n), &format!("creator{n}")));
    }
    for n in 1..=STAFF {
        workspace = workspace.user(FakeUser::new(&staff_user(n), &format!("staff{n}")));
    }
    workspace.channel(FakeChannel::public(POST_CHANNEL, "competitions").with_bot())
}

/// A started adapter: its app, and in `http` mode the address of the service's HTTP server.
struct Bot {
    app: App,
    slack: Arc<Slack>,
    http: Option<String>,
}

/// `creator-bot run`'s Slack part in `mode`: the adapter started, in Socket Mode with its
/// websockets open to the fake, in `http` mode the service's endpoints served on 127.0.0.1.
async fn start(
    fake: &FakeSlack,
    pool: &PgPool,
    mode: SlackMode,
    clock: Arc<RunningClock>,
) -> Result<Bot> {
    let config = config(fake, mode)?;
    let connections = config.slack.socket_connections as usize;
    let templates = Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))?;
    let slack = Slack::new(&config, tokens(mode))?;
    let app = App::new(pool.clone(), config, templates, clock)
        .with_platforms(Platforms::default().with(slack.clone()));
    slack.start(app.clone()).await?;
    let http = if mode == SlackMode::Http {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let endpoints = Endpoints {
            app: app.clone(),
            stopping: Arc::new(AtomicBool::new(false)),
            slack: Some(slack.clone()),
        };
        tokio::spawn(async move {
            let _ = axum::serve(listener, router(endpoints)).await;
        });
        Some(format!("http://{address}/slack/commands"))
    } else {
        if !fake.wait_connected(connections, PATIENCE).await {
            bail!("the bot did not open its {connections} Socket Mode connections to the fake");
        }
        None
    };
    let deadline = Instant::now() + PATIENCE;
    while !slack.is_ready() {
        if Instant::now() > deadline {
            bail!(
                "the Slack adapter did not become ready in {} mode",
                mode.as_str()
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(Bot { app, slack, http })
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = args();
    let creators = a.dms.max(a.interactions).max(WARM_UP);
    println!(
        "creator-bot Slack benchmark: the adapter against the fake Slack on 127.0.0.1\n\
         {creators} creators linked on Slack, {STAFF} staff (slack.staff_user_ids)"
    );

    let support::BenchDb {
        options,
        pool: setup,
        program: bench,
    } = support::bench_db(DATABASE, true).await?;
    let fake = support::on_own_thread(move || FakeSlack::start(workspace(creators))).await?;
    let defaults = config(&fake, SlackMode::Socket)?;
    let program = programs::sync(&setup, &defaults.programs())
        .await?
        .remove(0);
    if program.id != bench.id {
        bail!("the configured program is not the benchmark's");
    }
    seed(&setup, &program, creators).await?;
    setup.close().await;

    // `creator-bot run`'s pool as configured; the adapter in each mode on it.
    let pool = PgPoolOptions::new()
        .max_connections(defaults.database.max_connections)
        .connect_with(options)
        .await?;
    let clock = Arc::new(RunningClock {
        from: instant(),
        origin: Instant::now(),
    });
    let socket = start(&fake, &pool, SlackMode::Socket, clock.clone()).await?;
    let http = start(&fake, &pool, SlackMode::Http, clock).await?;
    println!(
        "Socket Mode: {} connections; http mode: {}",
        defaults.slack.socket_connections,
        http.http.as_deref().unwrap_or_default()
    );

    commands(&fake, &socket, a.interactions).await?;
    commands(&fake, &http, a.interactions).await?;
    http.slack.disconnect().await;
    if a.dms > 0 {
        dms(&fake, &socket.app, &pool, &program, a.dms, a.rate).await?;
    }
    if a.posts > 0 {
        posts(&fake, &socket.app, &pool, &program, a.posts, a.rate).await?;
    }

    socket.slack.disconnect().await;
    pool.close().await;
    Ok(())
}

/// `count` creators (`creator1`…) linked to Slack users [`creator_user`]`(n)` in the fake's
/// team, and the program's #competitions mapped to [`POST_CHANNEL`].
async fn seed(pool: &PgPool, program: &Program, count: usize) -> Result<()> {
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
         SELECT c.program_id, 'slack', $2, 'UC' || lpad(substr(c.handle, 8), 8, '0'), c.id
           FROM creators c WHERE c.program_id = $1",
    )
    .bind(program.id)
    .bind(TEAM_ID)
    .execute(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    creator_bot::db::channels::set_channel(
        &mut conn,
        program.id,
        "slack",
        ProgramChannel::Competitions,
        POST_CHANNEL,
    )
    .await?;
    drop(conn);
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// One kind of slash command: who runs it, the command, its text, and how its answer starts.
#[derive(Clone, Copy)]
enum Kind {
    Help,
    Kpi,
    MyStats,
}

impl Kind {
    fn command(self, n: usize) -> SlashCommand {
        match self {
            Kind::Help => SlashCommand::new(&staff_user(1 + n % STAFF), "/help", ""),
            Kind::Kpi => SlashCommand::new(&staff_user(1 + n % STAFF), "/kpi", "7d"),
            Kind::MyStats => SlashCommand::new(&creator_user(n + 1), "/mystats", ""),
        }
    }

    /// How the answer starts (a refusal starts with its reason).
    fn title(self) -> &'static str {
        match self {
            Kind::Help => "Commands you can use",
            Kind::Kpi => "KPIs for",
            Kind::MyStats => "Your stats (@creator",
        }
    }
}

/// The first line of an answer posted to a response_url (its notification `text`), when it is
/// the command's own and private.
fn answer_title(kind: Kind, body: &Value) -> Option<String> {
    let title = body["text"].as_str()?;
    (body["response_type"] == "ephemeral"
        && body["blocks"].as_array().is_some_and(|b| !b.is_empty())
        && title.starts_with(kind.title()))
    .then(|| title.lines().next().unwrap_or_default().to_string())
}

/// One slash command on its way: when it left, when it was acked, its response_url.
enum Sent {
    Socket(EnvelopeHandle),
    Http {
        payload: HttpPayload,
        sent: Instant,
        acked: Instant,
    },
}

impl Sent {
    fn started(&self) -> Instant {
        match self {
            Sent::Socket(handle) => handle.pushed,
            Sent::Http { sent, .. } => *sent,
        }
    }

    /// When the ack arrived.
    async fn acked(&self) -> Option<Instant> {
        match self {
            Sent::Socket(handle) => handle.ack(PATIENCE).await.map(|ack| ack.at),
            Sent::Http { acked, .. } => Some(*acked),
        }
    }

    /// The first post to the response_url: when, and its body.
    async fn answer(&self) -> Option<(Instant, Value)> {
        let post = match self {
            Sent::Socket(handle) => handle.response(PATIENCE).await,
            Sent::Http { payload, .. } => payload.response(PATIENCE).await,
        }?;
        Some((post.at, post.body))
    }
}

/// Sends `commands` at once in the bot's mode: Socket Mode pushes them all; `http` mode signs
/// them all first, then has every POST in flight at once.
async fn send_all(
    fake: &FakeSlack,
    bot: &Bot,
    client: &reqwest::Client,
    commands: &[SlashCommand],
) -> Result<Vec<Sent>> {
    let Some(url) = &bot.http else {
        return Ok(commands
            .iter()
            .map(|c| Sent::Socket(fake.push_slash_command(c)))
            .collect());
    };
    let mut requests = Vec::with_capacity(commands.len());
    for command in commands {
        let payload = fake.http_slash_command(command);
        let signed = payload.sign(SECRET);
        let mut request = client.post(url).body(signed.body.clone());
        for (name, value) in &signed.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        requests.push((payload, request.build()?));
    }
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(payload, request)| {
            let client = client.clone();
            tokio::spawn(async move {
                let sent = Instant::now();
                let response = client.execute(request).await;
                let acked = Instant::now();
                (payload, sent, acked, response)
            })
        })
        .collect();
    let mut sent = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (payload, at, acked, response) = task.await?;
        let response = response.context("POST /slack/commands")?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        if status != 200 || !body.is_empty() {
            bail!("/slack/commands answered {status} {body:?}, not an empty 200");
        }
        sent.push(Sent::Http {
            payload,
            sent: at,
            acked,
        });
    }
    Ok(sent)
}

async fn commands(fake: &FakeSlack, bot: &Bot, count: usize) -> Result<()> {
    let (mode, ack) = match &bot.http {
        None => (
            "Socket Mode",
            "from the fake pushing the envelope to the fake reading its ack",
        ),
        Some(_) => (
            "http mode",
            "from sending the signed POST to /slack/commands to its 200",
        ),
    };
    println!(
        "\nslash commands, {mode}: {count} at once, {ack} (goal p99 ≤ {ACK_GOAL_MS:.0} ms); the \
         answer: until it reaches the response_url"
    );
    let client = reqwest::Client::new();
    let rounds: [(&str, &[Kind]); 4] = [
        ("/help (staff)", &[Kind::Help]),
        ("/kpi 7d (staff)", &[Kind::Kpi]),
        ("/mystats (creator)", &[Kind::MyStats]),
        ("mixed", &[Kind::Help, Kind::Kpi, Kind::MyStats]),
    ];
    if bot.http.is_none() {
        control(fake, count).await?;
    }
    let mut worst = Duration::ZERO;
    for (name, kinds) in rounds {
        let kind = |n: usize| kinds[n % kinds.len()];
        // One at a time first (this also opens the connections to the bot and the database).
        let mut alone = Vec::with_capacity(WARM_UP);
        for n in 0..WARM_UP {
            let sent = send_all(fake, bot, &client, &[kind(n).command(n)]).await?;
            let acked = sent[0]
                .acked()
                .await
                .context("a slash command run alone was not acknowledged")?;
            sent[0]
                .answer()
                .await
                .context("a slash command run alone was not answered")?;
            alone.push(acked.duration_since(sent[0].started()));
        }
        let (alone_p50, _, alone_max) = percentiles(&mut alone);

        let batch: Vec<SlashCommand> = (0..count).map(|n| kind(n).command(n)).collect();
        let started = Instant::now();
        let sent = send_all(fake, bot, &client, &batch).await?;
        let launched = started.elapsed();
        let mut acks = Vec::with_capacity(count);
        let mut answers = Vec::with_capacity(count);
        let mut last = started;
        let mut refused = 0;
        let mut sample = None;
        for (n, one) in sent.iter().enumerate() {
            let acked = one
                .acked()
                .await
                .with_context(|| format!("{name}: a slash command was not acknowledged"))?;
            let (at, body) = one
                .answer()
                .await
                .with_context(|| format!("{name}: a slash command was not answered"))?;
            match answer_title(kind(n), &body) {
                Some(title) => {
                    sample.get_or_insert(title);
                }
                None => {
                    if refused == 0 {
                        eprintln!("  {name}: not the command's answer: {body}");
                    }
                    refused += 1;
                }
            }
            acks.push(acked.duration_since(one.started()));
            answers.push(at.duration_since(one.started()));
            last = last.max(at);
        }
        if refused > 0 {
            bail!("{name}: {refused} slash commands were refused or answered otherwise");
        }
        let all = last.duration_since(started);
        let (p50, p99, max) = percentiles(&mut acks);
        let (answer_p50, answer_p99, _) = percentiles(&mut answers);
        worst = worst.max(p99);
        println!(
            "  {name:<20} ack p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms;  answer p50 \
             {:>7.1} ms  p99 {:>7.1} ms   ({} in {:.1} ms, all answered after {:.0} ms: \
             {:.0}/s; one at a time: ack p50 {:.1} ms, max {:.1} ms; e.g. \"{}\")",
            ms(p50),
            ms(p99),
            ms(max),
            ms(answer_p50),
            ms(answer_p99),
            if bot.http.is_some() {
                "all acked"
            } else {
                "pushed"
            },
            ms(launched),
            ms(all),
            count as f64 / all.as_secs_f64(),
            ms(alone_p50),
            ms(alone_max),
            sample.unwrap_or_default()
        );
    }
    println!(
        "  {mode}: worst p99 {:.1} ms: goal {}",
        ms(worst),
        if ms(worst) <= ACK_GOAL_MS {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

/// Socket Mode's transport alone: `count` interaction envelopes at once, which the adapter acks
/// and drops (no work spawned), push to ack. Not part of the goal: it separates the time the
/// websockets take from the time the commands' work takes.
async fn control(fake: &FakeSlack, count: usize) -> Result<()> {
    let push = || fake.interactive(json!({"type": "block_actions", "actions": []}));
    for _ in 0..WARM_UP {
        push()
            .ack(PATIENCE)
            .await
            .context("an interaction was not acknowledged")?;
    }
    let handles: Vec<EnvelopeHandle> = (0..count).map(|_| push()).collect();
    let mut acks = Vec::with_capacity(count);
    for handle in &handles {
        let ack = handle
            .ack(PATIENCE)
            .await
            .context("an interaction was not acknowledged")?;
        acks.push(ack.at.duration_since(handle.pushed));
    }
    let min = acks.iter().min().copied().unwrap_or_default();
    let (p50, p99, max) = percentiles(&mut acks);
    println!(
        "  {:<20} ack p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms;  min {:.1} ms   (control: \
         acked and dropped, no work: the websockets alone)",
        "interactions",
        ms(p50),
        ms(p99),
        ms(max),
        ms(min)
    );
    Ok(())
}

/// The dispatcher's settings: the defaults at `rate` for Slack.
fn dispatch_config(rate: u32) -> DispatchConfig {
    let defaults = DispatchConfig::default();
    DispatchConfig {
        slack_per_second: rate,
        global_per_second: defaults.global_per_second.max(rate),
        ..defaults
    }
}

/// Runs the dispatcher's workers until nothing is left to send; reports every 30 s.
async fn dispatch(
    fake: &FakeSlack,
    app: &App,
    pool: &PgPool,
    config: &DispatchConfig,
    started: Instant,
) -> Result<Pass> {
    let dispatcher = Arc::new(Dispatcher::with_config(app, config));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let before = fake.calls("chat.postMessage").len();
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
                fake.calls("chat.postMessage").len() - before
            );
            next_report += Duration::from_secs(30);
        }
    }
    stop_tx.send(true)?;
    let mut total = Pass::default();
    for h in handles {
        total += h.await?;
    }
    Ok(total)
}

async fn sent_count(pool: &PgPool, program: &Program) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE program_id = $1 AND status = 'sent'",
    )
    .bind(program.id)
    .fetch_one(pool)
    .await?)
}

fn goal(share: f64) -> &'static str {
    if share >= RATE_GOAL { "met" } else { "NOT met" }
}

async fn dms(
    fake: &FakeSlack,
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
    let config = dispatch_config(rate);
    println!(
        "\nDMs: {count} queued for {count} creators, dispatched at slack_per_second = {}, \
         global_per_second = {} ({} workers, batches of {}); about {:.0} s",
        config.slack_per_second,
        config.global_per_second,
        config.workers,
        config.batch_size,
        count.saturating_sub(rate as usize) as f64 / f64::from(rate)
    );
    support::messages::queue_dms(pool, program, count, "slack-bench", instant()).await?;
    let sent_before = sent_count(pool, program).await?;
    let opens_before = fake.calls("conversations.open").len();

    let started = Instant::now();
    let total = dispatch(fake, app, pool, &config, started).await?;

    let opens = fake.calls("conversations.open").len() - opens_before;
    let messages: Vec<_> = fake
        .messages()
        .into_iter()
        .filter(|m| m.at >= started && m.channel.starts_with('D'))
        .collect();
    let mut per_channel: HashMap<&str, usize> = HashMap::new();
    for m in &messages {
        *per_channel.entry(m.channel.as_str()).or_default() += 1;
    }
    let expected: HashSet<String> = (1..=count)
        .map(|n| dm_channel_id(&creator_user(n)))
        .collect();
    let missing = expected
        .iter()
        .filter(|c| !per_channel.contains_key(c.as_str()))
        .count();
    let duplicates: usize = per_channel.values().map(|n| n - 1).sum();
    let strangers = per_channel
        .keys()
        .filter(|c| !expected.contains(**c))
        .count();
    let sent = sent_count(pool, program).await? - sent_before;
    let mut posts: Vec<Instant> = messages.iter().map(|m| m.at).collect();
    posts.sort();
    let (Some(first), Some(last)) = (posts.first(), posts.last()) else {
        bail!("no DM reached the fake");
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
    println!(
        "  DM channels opened {opens} (conversations.open); messages posted {} in {} DM \
         channels; duplicates {duplicates} (a DM channel with more than one message), missing \
         {missing}, elsewhere {strangers}",
        messages.len(),
        per_channel.len()
    );
    println!(
        "  dispatcher: claimed {}, sent {} (deliveries sent {sent}), retried {}, failed {}, \
         lost {}",
        total.claimed, total.sent, total.retried, total.failed, total.lost
    );
    println!(
        "  wall {:.1} s (start to the last message at the fake; first after {:.0} ms): \
         {achieved:.2} messages/s, {share:.3} of {rate}/s: goal {}; sustained after the first \
         second's burst {sustained:.2}/s ({:.3})",
        wall.as_secs_f64(),
        ms(first.duration_since(started)),
        goal(share),
        sustained / f64::from(rate)
    );
    if duplicates > 0 || missing > 0 || strangers > 0 || sent != count as i64 {
        bail!(
            "{count} DMs gave {} messages: {duplicates} duplicates, {missing} missing, \
             {strangers} elsewhere, {sent} deliveries sent",
            messages.len()
        );
    }
    Ok(())
}

async fn posts(
    fake: &FakeSlack,
    app: &App,
    pool: &PgPool,
    program: &Program,
    count: usize,
    rate: u32,
) -> Result<()> {
    if count == 0 {
        println!("\nchannel posts: none asked for (--posts 0)");
        return Ok(());
    }
    let config = dispatch_config(rate);
    let pace = 1.0 / CHANNEL_GAP.as_secs_f64();
    println!(
        "\nchannel posts: {count} queued for #competitions (one Slack channel), dispatched at \
         slack_per_second = {} ({} workers, batches of {}); the adapter's pace is {pace:.0} \
         message/s per channel: about {:.0} s",
        config.slack_per_second,
        config.workers,
        config.batch_size,
        count.saturating_sub(1) as f64 * CHANNEL_GAP.as_secs_f64()
    );
    let batch: Vec<NewMessage> = (1..=count)
        .map(|n| NewMessage {
            program_id: program.id,
            dedupe_key: format!("slack-bench-post:{n}"),
            kind: MessageKind::Channel,
            creator_id: None,
            channel: Some(ProgramChannel::Competitions),
            template: Some("bench".into()),
            text: format!("Post {n} from the benchmark"),
            extra: json!({}),
            due_at: instant(),
        })
        .collect();
    support::messages::enqueue(pool, &batch).await?;
    let sent_before = sent_count(pool, program).await?;

    let started = Instant::now();
    let total = dispatch(fake, app, pool, &config, started).await?;

    let messages: Vec<_> = fake
        .messages_in(POST_CHANNEL)
        .into_iter()
        .filter(|m| m.at >= started)
        .collect();
    let numbers: Vec<usize> = messages
        .iter()
        .filter_map(|m| {
            m.text
                .as_deref()?
                .strip_prefix("Post ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let mut per_post: HashMap<usize, usize> = HashMap::new();
    for n in &numbers {
        *per_post.entry(*n).or_default() += 1;
    }
    let duplicates: usize =
        per_post.values().map(|n| n - 1).sum::<usize>() + (messages.len() - numbers.len());
    let missing = (1..=count).filter(|n| !per_post.contains_key(n)).count();
    let out_of_order = numbers.windows(2).filter(|w| w[1] < w[0]).count();
    let sent = sent_count(pool, program).await? - sent_before;
    let times: Vec<Instant> = messages.iter().map(|m| m.at).collect();
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        bail!("no post reached the fake");
    };
    let closest = times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .min()
        .unwrap_or_default();
    let span = last.duration_since(*first).as_secs_f64();
    // N posts paced at the gap take (N − 1) gaps from the first to the last.
    let achieved = (times.len() - 1) as f64 / span.max(f64::EPSILON);
    let share = achieved / pace;
    let wall = last.duration_since(started);
    println!(
        "  posts {} in the channel; duplicates {duplicates}, missing {missing}; {out_of_order} \
         posted before an earlier-queued one",
        messages.len()
    );
    println!(
        "  dispatcher: claimed {}, sent {} (deliveries sent {sent}), retried {} (a channel's \
         turn more than 1 s away is handed back), failed {}, lost {}",
        total.claimed, total.sent, total.retried, total.failed, total.lost
    );
    println!(
        "  wall {:.1} s (start to the last post; first after {:.0} ms); first to last {span:.1} \
         s: {achieved:.3} posts/s, {share:.3} of the pace ({pace:.0}/s): goal {}; closest two \
         posts {:.0} ms apart",
        wall.as_secs_f64(),
        ms(first.duration_since(started)),
        goal(share),
        ms(closest)
    );
    if duplicates > 0 || missing > 0 || sent != count as i64 {
        bail!(
            "{count} posts gave {} messages: {duplicates} duplicates, {missing} missing, {sent} \
             deliveries sent",
            messages.len()
        );
    }
    Ok(())
}
