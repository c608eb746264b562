//! Slash commands through Discord, end to end on the November fixture (tests/it/stats_fixture):
//! what a creator and staff see, suggestions while typing, slow commands deferred then edited,
//! `/import` with an attached file, and usage errors typed through Discord's options.

use creator_bot::config::Config;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::{AVA, Bot, GUILD, LENA, PATIENCE, STRANGER, config, guild, start_with};
use crate::commands_fixture;
use crate::common;
use crate::discord_fake::{FakeDiscord, FakeMember, FakeRole, InteractionHandle};
use crate::stats_fixture::november_program;

const BEN: u64 = 3_004;
const STAFF_ROLE: u64 = 5_000;

/// The November program served in the fake's guild: its staff role mapped, ava and ben linked to
/// their Discord accounts, the bot's clock at noon on 30 November in New York (`30d` is
/// November).
struct Glow {
    fake: FakeDiscord,
    bot: Bot,
}

impl Glow {
    async fn start(pool: &PgPool) -> Glow {
        Glow::start_with(pool, |_| {}).await
    }

    async fn start_with(pool: &PgPool, change: impl FnOnce(&mut Config)) -> Glow {
        let (program, creators) = november_program(pool).await;
        // As the commands fixture: creators without a tier change have been in their tier since
        // they joined.
        sqlx::query(
            "UPDATE creators SET tier_since = joined_on::timestamp AT TIME ZONE $2
              WHERE program_id = $1 AND id NOT IN (SELECT creator_id FROM tier_history)",
        )
        .bind(program.id)
        .bind(program.timezone.name())
        .execute(pool)
        .await
        .unwrap();
        let fake = FakeDiscord::start(
            guild()
                .role(FakeRole::new(STAFF_ROLE, "Staff", 1))
                .member(FakeMember::new(BEN, "ben")),
        )
        .await;
        let mut config = config(&fake);
        change(&mut config);
        let now = commands_fixture::now(&program);
        let bot = start_with(pool, &fake, now, config).await;
        assert_eq!(
            bot.program.id, program.id,
            "the fixture's program is served"
        );
        let mut conn = pool.acquire().await.unwrap();
        creator_bot::db::channels::set_role(
            &mut conn,
            program.id,
            "discord",
            "staff",
            &STAFF_ROLE.to_string(),
        )
        .await
        .unwrap();
        bot.link(AVA, creators.ava).await;
        bot.link(BEN, creators.ben).await;
        bot.wait_ready().await;
        Glow { fake, bot }
    }

    fn command(&self, member: &FakeMember, name: &str, options: Value) -> InteractionHandle {
        self.fake
            .interaction_command(GUILD, member, name, options, None)
    }
}

fn ava() -> FakeMember {
    FakeMember::new(AVA, "ava")
}

fn ben() -> FakeMember {
    FakeMember::new(BEN, "ben")
}

/// Lena holds the mapped staff role.
fn lena() -> FakeMember {
    FakeMember::new(LENA, "lena")
        .nick("Lena")
        .roles([STAFF_ROLE])
}

/// The interaction callback's JSON body.
async fn callback(run: &InteractionHandle) -> Value {
    run.callback(PATIENCE)
        .await
        .expect("the bot answered")
        .json()
        .expect("a JSON callback")
        .clone()
}

/// The deferred answer's edit (JSON, or multipart's `payload_json`).
async fn edit(run: &InteractionHandle) -> Value {
    let edit = run.edit(PATIENCE).await.expect("the answer was edited in");
    edit.json().expect("a JSON edit").clone()
}

/// An embed's fields as (name, value) pairs.
fn fields(embed: &Value) -> Vec<(String, String)> {
    embed["fields"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_string(),
                        f["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

const DONE: u64 = 0x009E73;
const REFUSED: u64 = 0xE69F00;

/// The one embed of an answer (`data` of a callback, or an edit's body).
fn embed(message: &Value) -> &Value {
    let embeds = message["embeds"].as_array().expect("embeds");
    assert_eq!(embeds.len(), 1, "one embed: {message}");
    &embeds[0]
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creators_mystats_shows_only_their_own_numbers_and_kpi_is_refused(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let run = glow.command(&ava(), "mystats", json!([]));
    let body = callback(&run).await;
    assert_eq!(body["type"], 4, "answered at once");
    assert_eq!(body["data"]["flags"], 64, "ephemeral");
    let card = embed(&body["data"]);
    assert_eq!(card["color"], DONE);
    // Ava's November figures from the fixture's table (tests/it/commands_stats.rs), the table in a
    // code block so its columns line up.
    assert_eq!(
        card["description"],
        "Your stats (@ava), 2026-11-01 to 2026-11-30\n\
         ```\n\
         Tier                              All-Stars\n\
         GMV                                 $180.00\n\
         Refunded                             $20.00\n\
         Orders                                    2\n\
         Commission                           $20.00\n\
         Rank by GMV                              #1\n\
         Videos                                    2\n\
         Views                                 4,000\n\
         Engagement rate                       8.65%\n\
         Lifetime GMV                        $180.00\n\
         Samples          2 received, 2 with a video\n\
         Last video         2026-11-10 (3,000 views)\n\
         ```\n\
         Why All-Stars: top 10% of selling creators (rank 1 of 6)\n\
         You're in the top tier. Keep it up!"
    );
    assert!(fields(card).is_empty());
    // Nothing of ben's (his handle, his $40.00 GMV, $15.00 refunded, 500 views) anywhere in it.
    let all = body.to_string();
    for other in ["ben", "$40.00", "$15.00", "500 views"] {
        assert!(!all.contains(other), "{other} in {all}");
    }

    // Ben asking gets his own card, with nothing of ava's.
    let body = callback(&glow.command(&ben(), "mystats", json!([]))).await;
    let description = embed(&body["data"])["description"].as_str().unwrap();
    assert_eq!(
        description.lines().take(4).collect::<Vec<_>>(),
        [
            "Your stats (@ben), 2026-11-01 to 2026-11-30",
            "```",
            "Tier                        New & Promising",
            "GMV                                  $40.00",
        ]
    );
    for other in ["ava", "$180.00", "$20.00", "4,000"] {
        assert!(!description.contains(other), "{other} in {description}");
    }

    // The staff's commands are refused to her, privately, in orange.
    for (name, options) in [
        ("kpi", json!([])),
        (
            "creator",
            json!([{ "name": "creator", "type": 3, "value": "ben" }]),
        ),
    ] {
        let body = callback(&glow.command(&ava(), name, options)).await;
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["flags"], 64);
        let refusal = embed(&body["data"]);
        assert_eq!(
            refusal["description"],
            format!(
                "/{name} is for the program's staff only. Use /mystats to see your own numbers."
            )
        );
        assert_eq!(refusal["color"], REFUSED);
        assert!(refusal.get("title").is_none());
    }
}

/// The suggestions an autocomplete interaction was answered with (type 8), as (name, value).
async fn suggested(run: &InteractionHandle) -> Vec<(String, String)> {
    let body = callback(run).await;
    assert_eq!(body["type"], 8, "an autocomplete result: {body}");
    let choices: Vec<(String, String)> = body["data"]["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(run.choices().map(|c| c.len()), Some(choices.len()));
    choices
}

fn handles(handles: &[&str]) -> Vec<(String, String)> {
    handles
        .iter()
        .map(|h| (format!("@{h}"), h.to_string()))
        .collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn typing_a_handle_suggests_exactly_the_matching_handles(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let program = &glow.bot.program;
    // dan (the fixture's), dara and dave start with "da"; dexter does not.
    for handle in ["dara", "dave", "dexter"] {
        common::creator(&pool, program, handle, "2026-11-01").await;
    }
    let typing = |member: &FakeMember, command: &str, options: Value| {
        glow.fake
            .interaction_autocomplete(GUILD, member, command, options)
    };
    let creator_option =
        |typed: &str| json!([{ "name": "creator", "type": 3, "value": typed, "focused": true }]);

    // Staff typing /creator's `creator` option (suggestions: the program's handles).
    let run = typing(&lena(), "creator", creator_option("da"));
    assert_eq!(suggested(&run).await, handles(&["dan", "dara", "dave"]));
    // Any case, with or without the @.
    let run = typing(&lena(), "creator", creator_option("@DA"));
    assert_eq!(suggested(&run).await, handles(&["dan", "dara", "dave"]));
    let run = typing(&lena(), "creator", creator_option("dx"));
    assert_eq!(suggested(&run).await, handles(&[]));
    // A subcommand's option: /tier why `handle`.
    let run = typing(
        &lena(),
        "tier",
        json!([{ "name": "why", "type": 1, "options": [
            { "name": "handle", "type": 3, "value": "de", "focused": true }
        ] }]),
    );
    assert_eq!(suggested(&run).await, handles(&["dexter"]));

    // A creator is offered no one's handle: not others' (the handle options are on staff
    // commands), and not even her own through a command she may not run.
    for typed in ["da", "av", ""] {
        let run = typing(&ava(), "creator", creator_option(typed));
        assert_eq!(suggested(&run).await, handles(&[]), "{typed}");
    }
    // What she may run is suggested to her: /help's `command` offers her commands only.
    let run = typing(
        &ava(),
        "help",
        json!([{ "name": "command", "type": 3, "value": "", "focused": true }]),
    );
    let offered: Vec<String> = suggested(&run).await.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        offered,
        [
            "leaderboard",
            "mystats",
            "checkin",
            "optout",
            "optin",
            "help"
        ]
    );
    // A stranger is offered nothing.
    let sam = FakeMember::new(STRANGER, "sam");
    let run = typing(&sam, "creator", creator_option("da"));
    assert_eq!(suggested(&run).await, handles(&[]));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_report_is_deferred_at_once_then_edited_in(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let weekly = json!([{ "name": "weekly", "type": 1, "options": [] }]);
    let run = glow.command(&lena(), "report", weekly);
    let deferred = run.callback(PATIENCE).await.expect("deferred");
    assert_eq!(deferred.status, 204, "within Discord's 3 seconds");
    let body = deferred.json().unwrap();
    assert_eq!(body["type"], 5, "deferred");
    assert_eq!(body["data"]["flags"], 64, "the answer to come is ephemeral");
    let edited = run.edit(PATIENCE).await.expect("edited in");
    assert!(edited.seq > deferred.seq, "deferred first, then edited");
    assert_eq!(edited.status, 200);
    let pulse = embed(edited.json().unwrap()).clone();
    assert_eq!(pulse["color"], DONE);
    // The week 23–29 November: gus's and hana's $10.00 against cleo's $25.00 the week before;
    // gus's first sale.
    assert_eq!(pulse["title"], "Weekly pulse, 23 Nov 2026 – 29 Nov 2026");
    let description = pulse["description"].as_str().unwrap();
    assert!(
        description.starts_with(
            "GMV: $20.00 (-20.0% vs $25.00 the week before)\n\
             Orders: 2\n\
             New activations (0): none\n\
             First sales (1): @gus\n\
             Top creators\n\
             ```\n\
             #  Creator     GMV\n\
             1  @gus     $10.00\n\
             1  @hana    $10.00\n\
             ```\n\
             Not linked to a chat account: 6 (the bot can't DM them until they /link their \
             TikTok handle)"
        ),
        "{description}"
    );
    // Only the callback and one edit: no follow-up message in the channel.
    assert_eq!(
        run.requests()
            .iter()
            .map(|r| r.method.as_str())
            .collect::<Vec<_>>(),
        ["POST", "PATCH"]
    );
    assert_eq!(
        run.original().unwrap()["embeds"][0]["description"],
        pulse["description"]
    );

    let monthly = json!([{ "name": "monthly", "type": 1, "options": [] }]);
    let run = glow.command(&lena(), "report", monthly);
    assert_eq!(callback(&run).await["type"], 5);
    let deep_dive = edit(&run).await;
    // October: dan's $70.00 and $10.00, hana's $5.00; September had none.
    let deep_dive = embed(&deep_dive);
    assert_eq!(
        deep_dive["title"],
        "Monthly deep-dive, 1 Oct 2026 – 31 Oct 2026"
    );
    let description = deep_dive["description"].as_str().unwrap();
    assert!(
        description.starts_with(
            "KPIs\n\
             ```\n\
             KPI                     Oct 2026  Sep 2026  Change\n\
             GMV                       $85.00     $0.00       –\n"
        ),
        "{description}"
    );
    assert!(
        description.contains(
            "\nNo monthly review has run yet.\n\
             Tiers now: 1 All-Stars, 0 Steady Earners, 7 New & Promising.\n"
        ),
        "{description}"
    );
}

/// A command alone is answered in one response; commands that arrive while others are being
/// answered are acknowledged at once (deferred, "thinking…") and their answer edited in when it
/// is ready. Here the database is held still (a lock on the workspaces), so nothing can be
/// answered: all three are acknowledged while it is held (the first as soon as the others came
/// in), and each gets the full answer once it is released.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn in_a_burst_the_commands_that_would_wait_are_acknowledged_at_once(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let alone = glow.command(&lena(), "help", json!([]));
    let expected = callback(&alone).await;
    assert_eq!(expected["type"], 4, "one at a time, answered directly");

    let mut hold = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE chat_workspaces IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *hold)
        .await
        .unwrap();
    let runs: Vec<InteractionHandle> = (0..3)
        .map(|_| glow.command(&lena(), "help", json!([])))
        .collect();
    for run in &runs {
        let body = run.callback(PATIENCE).await.unwrap();
        assert_eq!(
            (
                &body.json().unwrap()["type"],
                &body.json().unwrap()["data"]["flags"]
            ),
            (&json!(5), &json!(64)),
            "deferred, ephemeral, while the database is held"
        );
    }
    assert!(
        runs.iter().all(|r| r.requests().len() == 1),
        "no answer while the database is held"
    );
    hold.commit().await.unwrap();

    for run in &runs {
        assert_eq!(
            embed(&edit(run).await)["description"],
            expected["data"]["embeds"][0]["description"],
            "every one gets the full answer"
        );
    }
}

/// `/import kind:<kind> file:<attachment>` as Discord sends it: the option holds the attachment's
/// id, the attachment itself is in `resolved.attachments`.
fn import(glow: &Glow, member: &FakeMember, kind: &str, file: Value) -> InteractionHandle {
    let id = file["id"].as_str().unwrap().to_string();
    glow.fake.interaction_command(
        GUILD,
        member,
        "import",
        json!([
            { "name": "kind", "type": 3, "value": kind },
            { "name": "file", "type": 11, "value": id }
        ]),
        Some(json!({ "attachments": { id: file } })),
    )
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn import_an_attached_csv_and_hear_of_rejected_rows_by_line(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    // zoe's quoted niche spans lines 2 and 3, so yan's bad date is on line 4 (record 3).
    let csv = "handle,first_name,joined_on,niche\n\
               zoe,Zoe,2026-11-20,\"skin\ncare\"\n\
               yan,Yan,2026-13-01,fitness\n";
    let file = glow
        .fake
        .attachment("new_creators.csv", "text/csv", csv.as_bytes().to_vec());
    let url = file["url"].as_str().unwrap().to_string();
    let run = import(&glow, &lena(), "creators", file);
    let deferred = callback(&run).await;
    assert_eq!(
        (&deferred["type"], &deferred["data"]["flags"]),
        (&json!(5), &json!(64))
    );
    let answer = edit(&run).await;
    let report = embed(&answer);
    assert_eq!(report["color"], DONE);
    // The file name and the rejected value are the user's: escaped for Discord's markdown.
    assert_eq!(
        report["description"],
        "new\\_creators.csv: 1 inserted, 0 updated, 0 unchanged, 1 rejected; 1 new creator\n\
         new\\_creators.csv:4: column \"joined\\_on\": \"2026-13-01\" is not a date in YYYY-MM-DD form"
    );
    let imported: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT handle, niche FROM creators WHERE handle IN ('zoe', 'yan') ORDER BY handle",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        imported,
        [("zoe".to_string(), Some("skin\ncare".to_string()))]
    );
    // Downloaded once, after the deferral.
    let path = url.strip_prefix(&glow.fake.api_url()).unwrap();
    let downloads = glow.fake.requests_to("GET", path);
    assert_eq!(downloads.len(), 1);
    assert!(downloads[0].seq > run.callback(PATIENCE).await.unwrap().seq);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_file_over_the_upload_limit_is_refused_before_it_is_downloaded(pool: PgPool) {
    let glow = Glow::start_with(&pool, |config| config.import.max_upload_bytes = 1_000).await;
    let mut csv = String::from("handle,joined_on\n");
    while csv.len() <= 1_500 {
        csv.push_str("someone,2026-11-01\n");
    }
    let file = glow
        .fake
        .attachment("big_roster.csv", "text/csv", csv.into_bytes());
    assert_eq!(file["size"], 1_518);
    let url = file["url"].as_str().unwrap().to_string();
    let run = import(&glow, &lena(), "creators", file);
    assert_eq!(callback(&run).await["type"], 5);
    let answer = edit(&run).await;
    let refusal = embed(&answer);
    assert_eq!(refusal["color"], REFUSED);
    assert_eq!(
        refusal["description"],
        "big\\_roster.csv is 2 KB; files up to 1 KB can be imported from chat \
         (import.max_upload_bytes). Import larger files with `creator-bot import` on the server."
    );
    // Not the file's URL, nor anything else outside the API.
    let path = url.strip_prefix(&glow.fake.api_url()).unwrap();
    assert!(glow.fake.requests_to("GET", path).is_empty());
    let downloads: Vec<String> = glow
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/attachments/"))
        .map(|r| r.path)
        .collect();
    assert!(
        downloads.is_empty(),
        "nothing was downloaded: {downloads:?}"
    );
    let creators: i64 = sqlx::query_scalar("SELECT count(*) FROM creators")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(creators, 8, "the fixture's creators only");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_bad_option_value_is_answered_with_the_registrys_usage(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let run = glow.command(
        &lena(),
        "kpi",
        json!([{ "name": "period", "type": 3, "value": "fortnight" }]),
    );
    let body = callback(&run).await;
    assert_eq!(
        (&body["type"], &body["data"]["flags"]),
        (&json!(4), &json!(64))
    );
    let usage = embed(&body["data"]);
    assert_eq!(usage["color"], REFUSED);
    let expected = "Unknown period \"fortnight\": use 7d, 30d, 90d, this-month, last-month or \
                    YYYY-MM-DD..YYYY-MM-DD\n\
                    Usage: /kpi [period]\n\
                    Periods: 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD (end \
                    day not counted); default 30d.";
    assert_eq!(usage["description"], expected);
    let kpi = creator_bot::chat::commands::registry::find("kpi").unwrap();
    assert!(expected.ends_with(&format!("\n{}", kpi.usage_text())));

    // A creator's empty range: what is wrong, then /mystats's usage.
    let run = glow.command(
        &ben(),
        "mystats",
        json!([{ "name": "period", "type": 3, "value": "2026-11-30..2026-11-01" }]),
    );
    let body = callback(&run).await;
    let mystats = creator_bot::chat::commands::registry::find("mystats").unwrap();
    assert_eq!(
        embed(&body["data"])["description"],
        format!(
            "Period \"2026-11-30..2026-11-01\" is empty: the end day is not counted, so it must \
             come after the start day\n{}",
            mystats.usage_text()
        )
    );
    assert_eq!(embed(&body["data"])["color"], REFUSED);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_kpi_30d_is_a_private_embed_with_the_exact_figures(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let run = glow.command(
        &lena(),
        "kpi",
        json!([{ "name": "period", "type": 3, "value": "30d" }]),
    );
    let body = callback(&run).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    let embed = embed(&body["data"]);
    assert_eq!(
        embed["title"],
        "KPIs for Glow Creators, 2026-11-01 to 2026-11-30"
    );
    assert_eq!(embed["color"], 0x009E73);
    // The figures of the console's /kpi 30d (tests/it/commands_stats.rs), one field each.
    let expected = [
        ("GMV (net)", "$295.00"),
        ("Gross GMV", "$350.00"),
        ("Refunded GMV", "$55.00"),
        ("Orders", "7"),
        ("Average order value", "$42.14"),
        ("Commission", "$31.00"),
        ("  estimated", "$29.50"),
        ("  actual", "$14.00"),
        ("Commission / revenue", "10.51%"),
        ("Selling creators", "6"),
        ("GMV per selling creator", "$49.17"),
        ("Activated creators", "4"),
        ("Sample conversion", "57.14%"),
        ("Median days to first sale", "8.5 days"),
        ("Program cost", "$202.00"),
        ("ROI", "46.04%"),
        ("Cost per order", "$28.86"),
        ("CLV (lifetime GMV per seller)", "$63.33"),
        ("Views", "6,500"),
        ("Engagement rate", "6.94%"),
        ("Top 1% (1 creator) GMV share", "61.02%"),
        ("Top 5% (1 creator) GMV share", "61.02%"),
        ("Top 10% (1 creator) GMV share", "61.02%"),
        ("Top 20% (2 creators) GMV share", "74.58%"),
    ];
    assert_eq!(
        fields(embed),
        expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    );
}
