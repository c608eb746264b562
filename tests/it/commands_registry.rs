//! The registry describes every command completely: each schema is valid for the platforms, the
//! text path and the typed-options path give the same command and the same reply, `/help` is
//! generated from it, and suggestions come from its sources without leaking creators' handles.

use crate::commands_fixture;
use crate::common::app::TestApp;

use commands_fixture::{Chat, chat_program, now};
use creator_bot::chat::commands::complete::Suggestion;
use creator_bot::chat::commands::export::{discord_commands, slack_manifest_commands};
use creator_bot::chat::commands::registry::{OptionKind, find};
use creator_bot::chat::commands::{
    Attachment, Caller, Command, OptionValue, Outcome, Request, complete, execute, parse, registry,
    respond,
};
use sqlx::PgPool;

#[test]
fn every_schema_is_valid() {
    let mut names: Vec<&str> = registry().iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), registry().len(), "names are unique");
    let discord_name = |n: &str| {
        !n.is_empty()
            && n.len() <= 32
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    for c in registry() {
        assert!(discord_name(c.name), "{}", c.name);
        assert!(!c.description.is_empty() && c.description.len() <= 100);
        assert!(
            c.subcommands.is_empty() || c.options.is_empty(),
            "/{}: subcommands or options",
            c.name
        );
        for (sub, options) in c.forms() {
            let form = format!("/{} {}", c.name, sub.map_or("", |s| s.name));
            if let Some(s) = sub {
                assert!(discord_name(s.name), "{form}");
                assert!(!s.description.is_empty() && s.description.len() <= 100);
            }
            assert!(options.len() <= 25, "{form}");
            let mut seen = Vec::new();
            let mut optional_seen = false;
            for o in options {
                assert!(discord_name(o.name), "{form} {}", o.name);
                assert!(!seen.contains(&o.name), "{form}: {} twice", o.name);
                seen.push(o.name);
                assert!(!o.description.is_empty() && o.description.len() <= 100);
                // Discord wants required options first.
                assert!(
                    !(o.required && optional_seen),
                    "{form}: {} after optional",
                    o.name
                );
                optional_seen |= !o.required;
                if let OptionKind::Choice(choices) = o.kind {
                    assert!(!choices.is_empty() && choices.len() <= 25, "{form}");
                    for ch in choices {
                        assert!(ch.matches(ch.value) && ch.matches(ch.label), "{}", ch.value);
                    }
                }
            }
        }
    }
    assert_eq!(find("/KPI").map(|c| c.name), Some("kpi"));
    assert_eq!(find("likes"), None);
    // What the adapters register comes from the same list.
    let discord = discord_commands();
    assert_eq!(discord.as_array().unwrap().len(), registry().len());
    let tier = discord
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tier")
        .unwrap();
    assert_eq!(tier["options"][1]["name"], "set");
    assert_eq!(tier["options"][1]["options"][0]["autocomplete"], true);
    assert_eq!(
        tier["options"][1]["options"][1]["choices"][2],
        serde_json::json!({"name": "New & Promising", "value": "new_and_promising"})
    );
    let slack = slack_manifest_commands(None);
    assert_eq!(slack[2]["command"], "/leaderboard");
    assert_eq!(slack[2]["usage_hint"], "[gmv|videos|views] [period]");
}

fn csv() -> Attachment {
    Attachment {
        file_name: "orders.csv".into(),
        bytes: b"Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created\n"
            .to_vec(),
    }
}

fn text(s: &str) -> OptionValue {
    OptionValue::Text(s.into())
}

/// A command, its text, and the same as a subcommand and typed options.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<(&'static str, OptionValue)>,
);

/// Every command (each subcommand) as typed text and as Discord's typed options.
fn cases() -> Vec<Case> {
    vec![
        (
            "creator",
            "@ben 7d",
            None,
            vec![("creator", text("@ben")), ("period", text("7d"))],
        ),
        (
            "creator",
            "<@u-ben>",
            None,
            vec![("creator", OptionValue::User("u-ben".into()))],
        ),
        (
            "kpi",
            "this-month",
            None,
            vec![("period", text("this-month"))],
        ),
        (
            "leaderboard",
            "views 7d",
            None,
            vec![("metric", text("views")), ("period", text("7d"))],
        ),
        ("leaderboard", "7d", None, vec![("period", text("7d"))]),
        ("chart", "gmv 7d", Some("gmv"), vec![("period", text("7d"))]),
        (
            "chart",
            "leaderboard views 7d",
            Some("leaderboard"),
            vec![("metric", text("views")), ("period", text("7d"))],
        ),
        (
            "chart",
            "leaderboard 7d",
            Some("leaderboard"),
            vec![("period", text("7d"))],
        ),
        ("chart", "pareto", Some("pareto"), vec![]),
        (
            "chart",
            "tiers 2026-11-15",
            Some("tiers"),
            vec![("day", text("2026-11-15"))],
        ),
        (
            "chart",
            "creator @ben this-month",
            Some("creator"),
            vec![("handle", text("@ben")), ("period", text("this-month"))],
        ),
        (
            "chart",
            "competition \"Holiday Sprint\"",
            Some("competition"),
            vec![("name", text("Holiday Sprint"))],
        ),
        (
            "tier",
            "list steady_earners",
            Some("list"),
            vec![("tier", text("steady_earners"))],
        ),
        (
            "tier",
            "set nobody 1 great month",
            Some("set"),
            vec![
                ("handle", text("nobody")),
                ("tier", text("all_stars")),
                ("reason", text("great month")),
            ],
        ),
        (
            "tier",
            "why ben",
            Some("why"),
            vec![("handle", text("ben"))],
        ),
        (
            "sample",
            "shipped nobody p2 2026-11-29",
            Some("shipped"),
            vec![
                ("handle", text("nobody")),
                ("product", text("p2")),
                ("day", text("2026-11-29")),
            ],
        ),
        (
            "sample",
            "delivered nobody p2",
            Some("delivered"),
            vec![("handle", text("nobody")), ("product", text("p2"))],
        ),
        (
            "competition",
            "start Sprint gmv 2026-11-01..2026-11-15",
            Some("start"),
            vec![
                ("name", text("Sprint")),
                ("metric", text("gmv")),
                ("dates", text("2026-11-01..2026-11-15")),
            ],
        ),
        (
            "competition",
            "end \"Holiday Sprint\"",
            Some("end"),
            vec![("name", text("Holiday Sprint"))],
        ),
        ("competition", "show", Some("show"), vec![]),
        ("report", "weekly", Some("weekly"), vec![]),
        ("report", "monthly", Some("monthly"), vec![]),
        ("report", "quarterly", Some("quarterly"), vec![]),
        (
            "import",
            "orders",
            None,
            vec![
                ("kind", text("orders")),
                ("file", OptionValue::Attachment(csv())),
            ],
        ),
        ("mystats", "30d", None, vec![("period", text("30d"))]),
        ("link", "@nobody", None, vec![("handle", text("@nobody"))]),
        (
            "checkin",
            "Filming the serum",
            None,
            vec![("answer", text("Filming the serum"))],
        ),
        ("optout", "", None, vec![]),
        ("optin", "", None, vec![]),
        ("sync", "", None, vec![]),
        ("setup", "", None, vec![]),
        ("help", "tier", None, vec![("command", text("tier"))]),
    ]
}

#[test]
fn text_and_typed_options_give_the_same_command() {
    let mut covered: Vec<&str> = Vec::new();
    for (name, args, sub, options) in cases() {
        let spec = find(name).unwrap();
        let file = (name == "import").then(csv);
        let from_text = parse(name, args, file.as_ref()).unwrap();
        let from_options = Command::from_options(spec, sub, &options).unwrap();
        assert_eq!(from_text, from_options, "/{name} {args}");
        assert_eq!(from_text.name(), name);
        covered.push(name);
    }
    covered.dedup();
    let all: Vec<&str> = registry().iter().map(|c| c.name).collect();
    let mut missing: Vec<&&str> = all.iter().filter(|n| !covered.contains(n)).collect();
    missing.sort();
    assert!(missing.is_empty(), "not covered: {missing:?}");
    // Typed options are checked as the text is, in the same words.
    let spec = find("tier").unwrap();
    assert_eq!(
        Command::from_options(
            spec,
            Some("set"),
            &[("handle", text("ava")), ("tier", text("gold"))]
        )
        .unwrap_err()
        .to_string(),
        "unknown tier \"gold\": use all_stars, steady_earners or new_and_promising"
    );
    assert_eq!(
        Command::from_options(spec, Some("promote"), &[])
            .unwrap_err()
            .to_string(),
        "unknown /tier action \"promote\": use list, set or why"
    );
    assert_eq!(
        Command::from_options(find("import").unwrap(), None, &[("kind", text("orders"))])
            .unwrap_err()
            .to_string(),
        "attach the CSV file to the command"
    );
}

/// Who runs each case: staff, except the creators' and strangers' commands.
fn caller_for<'a>(chat: &'a Chat, name: &str) -> &'a Caller {
    match name {
        "mystats" | "checkin" | "optout" | "optin" => &chat.ava,
        "link" => &chat.stranger,
        _ => &chat.staff,
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn parse_then_execute_answers_as_the_text_does(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let app = TestApp::new(&pool, now(&chat.program));
    for (name, args, _, _) in cases() {
        let caller = caller_for(&chat, name);
        let mut request = Request::new(name, args);
        request.attachment = (name == "import").then(csv);
        let by_text = respond(&app.app, caller, &request).await;
        // Opting out (or in) again would answer "already": put things back first.
        match name {
            "optout" => drop(respond(&app.app, caller, &Request::new("optin", "")).await),
            "optin" => drop(respond(&app.app, caller, &Request::new("optout", "")).await),
            _ => {}
        }
        let command = parse(name, args, request.attachment.as_ref()).unwrap();
        let typed = execute(&app.app, caller, command).await;
        assert_eq!(typed, by_text, "/{name} {args}");
        assert_ne!(
            typed.outcome,
            Outcome::Failed,
            "/{name} {args}: {}",
            typed.text()
        );
    }
    // The role is checked on the typed path too, before anything runs.
    let refused = execute(&app.app, &chat.ava, parse("kpi", "", None).unwrap()).await;
    assert_eq!(refused.outcome, Outcome::Refused);
    assert_eq!(
        refused.text(),
        "/kpi is for the program's staff only. Use /mystats to see your own numbers."
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn help_lists_what_the_caller_may_use(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let app = TestApp::new(&pool, now(&chat.program));
    let staff = respond(&app.app, &chat.staff, &Request::new("help", "")).await;
    assert_eq!(staff.outcome, Outcome::Done);
    assert_eq!(
        staff.text(),
        "\
Commands you can use
/creator <creator> [period] — One creator's stats card
/kpi [period] — The program's KPIs
/leaderboard [gmv|videos|views] [period] — The top creators by GMV, videos or views
/chart gmv [period] — A chart: GMV per day, top creators, GMV share (Pareto), tiers, a creator, a competition
/chart leaderboard [gmv|videos|views] [period]
/chart pareto [period]
/chart tiers [day]
/chart creator <handle> [period]
/chart competition [name]
/tier list [tier] — Who is in which tier; pin a creator's tier; why a creator is in theirs
/tier set <handle> <tier> <reason>
/tier why <handle>
/sample shipped <handle> <product> [day] — Record a sample shipped to a creator, or delivered
/sample delivered <handle> <product> [day]
/competition start <name> <gmv|videos|views> <dates> [tier] [prize] — Run a competition in #competitions
/competition end <name>
/competition show [name]
/report weekly — The weekly pulse, the monthly deep-dive or the quarterly review
/report monthly
/report quarterly
/import <kind> (attach the CSV file) — Import a CSV file
/sync — The latest TikTok Shop syncs: what each read, and the next runs
/setup — Create or adopt the program's channels and roles here, and check the bot's permissions
/help [command] — The commands you can use, or how to use one
Type /help <command> to see its options."
    );
    let ava = respond(&app.app, &chat.ava, &Request::new("help", "")).await;
    assert_eq!(
        ava.text(),
        "\
Commands you can use
/leaderboard [gmv|videos|views] [period] — The top creators by GMV, videos or views
/mystats [period] — Your own numbers and what it takes to reach the next tier
/checkin <answer> — Answer the All-Stars weekly check-in
/optout — Stop all direct messages from the bot
/optin — Get direct messages from the bot again
/help [command] — The commands you can use, or how to use one
Type /help <command> to see its options."
    );
    // Every registered command is listed for someone.
    let stranger = respond(&app.app, &chat.stranger, &Request::new("help", "")).await;
    let all = format!("{}\n{}\n{}", staff.text(), ava.text(), stranger.text());
    for c in registry() {
        assert!(all.contains(&format!("\n/{}", c.name)), "/{}", c.name);
    }
    let tier = respond(&app.app, &chat.staff, &Request::new("help", "/tier")).await;
    assert_eq!(
        tier.text(),
        "\
/tier: Who is in which tier; pin a creator's tier; why a creator is in theirs (staff)
Usage: /tier list [tier]
       /tier set <handle> <tier> <reason>
       /tier why <handle>
list: the tier mix, or the creators of one tier
  tier: the tier (all_stars, steady_earners, new_and_promising)
set: pin a creator's tier
  handle: the creator's TikTok handle
  tier: the tier (all_stars, steady_earners, new_and_promising)
  reason: the reason: every tier change is kept with its reason
why: why a creator is in their tier, and the way up
  handle: the creator's TikTok handle"
    );
}

fn values(s: Vec<Suggestion>) -> Vec<String> {
    s.into_iter().map(|s| s.value).collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn suggestions_for_handles_and_competitions(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let app = TestApp::new(&pool, now(&chat.program));
    let app = &app.app;
    let staff = &chat.staff;
    let all = complete(app, staff, "creator", None, "creator", "").await;
    assert_eq!(
        values(all),
        ["ava", "ben", "cleo", "dan", "eve", "finn", "gus", "hana"]
    );
    let c = complete(app, staff, "tier", Some("why"), "handle", "@C").await;
    assert_eq!(
        c,
        [Suggestion {
            label: "@cleo".into(),
            value: "cleo".into()
        }]
    );
    // `_` is a handle character, not a wildcard.
    assert!(
        complete(app, staff, "creator", None, "creator", "a_")
            .await
            .is_empty()
    );
    // A creator is offered no one's handle: not through a staff command, nor by typing one.
    assert!(
        complete(app, &chat.ava, "creator", None, "creator", "")
            .await
            .is_empty()
    );
    assert!(
        complete(app, &chat.ava, "creator", None, "creator", "b")
            .await
            .is_empty()
    );
    assert!(
        complete(app, &chat.stranger, "link", None, "handle", "a")
            .await
            .is_empty()
    );

    for args in [
        "start \"Holiday Sprint\" gmv 2026-12-01..2026-12-15",
        "start \"Spring Views\" views 2026-12-02..2026-12-20",
    ] {
        let r = respond(app, staff, &Request::new("competition", args)).await;
        assert_eq!(r.outcome, Outcome::Done, "{}", r.text());
    }
    assert_eq!(
        values(complete(app, staff, "competition", Some("end"), "name", "sp").await),
        ["Spring Views", "Holiday Sprint"]
    );
    assert_eq!(
        values(complete(app, staff, "competition", Some("show"), "name", "holi").await),
        ["Holiday Sprint"]
    );
    // Fixed choices, periods and commands come from the registry.
    assert_eq!(
        values(complete(app, staff, "tier", Some("list"), "tier", "st").await),
        ["steady_earners"]
    );
    assert_eq!(
        values(complete(app, staff, "kpi", None, "period", "").await),
        ["7d", "30d", "90d", "this-month", "last-month"]
    );
    assert_eq!(
        values(complete(app, &chat.ava, "help", None, "command", "o").await),
        ["optout", "optin"]
    );
}
