//! Reading slash commands: each form parses to the command meant, and each bad argument gets an
//! error that names it, with the command's usage under it.

use crate::commands_fixture;

use commands_fixture::{chat_program, run};
use creator_bot::chat::commands::parse::{CompetitionAction, ReportKind, TierAction};
use creator_bot::chat::commands::{Attachment, Command, CreatorRef, Outcome, ParseError, parse};
use creator_bot::domain::{Handle, Period, PeriodSpec, Tier};
use creator_bot::features::import::ImportKind;
use creator_bot::features::samples::SampleEvent;
use creator_bot::features::stats::Metric;
use sqlx::PgPool;

fn ok(name: &str, args: &str) -> Command {
    parse(name, args, None).unwrap_or_else(|e| panic!("/{name} {args}: {e}"))
}

fn err(name: &str, args: &str) -> String {
    match parse(name, args, None) {
        Ok(c) => panic!("/{name} {args} parsed as {c:?}"),
        Err(e) => e.to_string(),
    }
}

fn handle(h: &str) -> Handle {
    Handle::parse(h).unwrap()
}

fn days(from: &str, to: &str) -> Period {
    Period::new(from.parse().unwrap(), to.parse().unwrap()).unwrap()
}

#[test]
fn every_form_parses_to_what_it_means() {
    assert_eq!(
        ok("/leaderboard", ""),
        Command::Leaderboard {
            metric: Metric::Gmv,
            period: PeriodSpec::LastDays(30)
        }
    );
    assert_eq!(
        ok("leaderboard", "7d"),
        Command::Leaderboard {
            metric: Metric::Gmv,
            period: PeriodSpec::LastDays(7)
        }
    );
    assert_eq!(
        ok("LEADERBOARD", "Views last-month"),
        Command::Leaderboard {
            metric: Metric::Views,
            period: PeriodSpec::LastMonth
        }
    );
    assert_eq!(
        ok("kpi", "2026-11-01..2026-12-01"),
        Command::Kpi {
            period: PeriodSpec::Days(days("2026-11-01", "2026-12-01"))
        }
    );
    assert_eq!(
        ok("creator", "@Glow.Queen this-month"),
        Command::Creator {
            who: CreatorRef::Handle(handle("glow.queen")),
            period: PeriodSpec::ThisMonth
        }
    );
    // Mentions as Discord (<@id>, <@!id>) and Slack (<@U…|name>) write them.
    for (mention, id) in [
        ("<@80351110224678912>", "80351110224678912"),
        ("<@!80351110224678912>", "80351110224678912"),
        ("<@U024BE7LH|ava>", "U024BE7LH"),
    ] {
        assert_eq!(
            ok("creator", mention),
            Command::Creator {
                who: CreatorRef::ChatUser(id.into()),
                period: PeriodSpec::LastDays(30)
            }
        );
    }
    assert_eq!(
        ok("tier", "list New & Promising"),
        Command::Tier(TierAction::List(Some(Tier::NewAndPromising)))
    );
    assert_eq!(ok("tier", "list"), Command::Tier(TierAction::List(None)));
    assert_eq!(
        ok("tier", "set @ava all_stars \"top seller\""),
        Command::Tier(TierAction::Set {
            handle: handle("ava"),
            tier: Tier::AllStars,
            reason: "top seller".into()
        })
    );
    assert_eq!(
        ok("tier", "why ava"),
        Command::Tier(TierAction::Why(handle("ava")))
    );
    assert_eq!(
        ok("sample", "delivered @ava 1729384756 2026-11-20"),
        Command::Sample {
            event: SampleEvent::Delivered,
            handle: handle("ava"),
            product_id: "1729384756".into(),
            day: Some("2026-11-20".parse().unwrap())
        }
    );
    assert_eq!(
        ok(
            "competition",
            "start “Holiday Sprint” views 2026-12-01..2026-12-15 2 a $500 gift card"
        ),
        Command::Competition(CompetitionAction::Start {
            name: "Holiday Sprint".into(),
            metric: Metric::Views,
            window: days("2026-12-01", "2026-12-15"),
            tier: Some(Tier::SteadyEarners),
            prize: Some("a $500 gift card".into())
        })
    );
    assert_eq!(
        ok("competition", "start Sprint gmv 2026-12-01..2026-12-15 all"),
        Command::Competition(CompetitionAction::Start {
            name: "Sprint".into(),
            metric: Metric::Gmv,
            window: days("2026-12-01", "2026-12-15"),
            tier: None,
            prize: None
        })
    );
    assert_eq!(
        ok("competition", "end Sprint"),
        Command::Competition(CompetitionAction::End {
            name: "Sprint".into()
        })
    );
    assert_eq!(
        ok("competition", "show"),
        Command::Competition(CompetitionAction::Show { name: None })
    );
    assert_eq!(
        ok("report", "Monthly"),
        Command::Report(ReportKind::Monthly)
    );
    assert_eq!(
        ok("report", "quarterly"),
        Command::Report(ReportKind::Quarterly)
    );
    let file = Attachment {
        file_name: "affiliate_orders.csv".into(),
        bytes: b"Order ID\n".to_vec(),
    };
    assert_eq!(
        parse("import", "orders", Some(&file)),
        Ok(Command::Import {
            kind: ImportKind::Orders,
            file
        })
    );
    assert_eq!(
        ok("mystats", "90d"),
        Command::MyStats {
            period: PeriodSpec::LastDays(90)
        }
    );
    assert_eq!(
        ok("link", "@Ava"),
        Command::Link {
            handle: handle("ava")
        }
    );
    assert_eq!(ok("optout", ""), Command::OptOut);
    assert_eq!(ok("optin", " "), Command::OptIn);
}

#[test]
fn bad_arguments_are_named() {
    let cases = [
        (
            "kpi",
            "2w",
            "unknown period \"2w\": use 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD",
        ),
        (
            "kpi",
            "0d",
            "period \"0d\": a number of days from 1d to 730d",
        ),
        (
            "kpi",
            "2026-02-30..2026-03-01",
            "period \"2026-02-30..2026-03-01\": \"2026-02-30\" is not a date in YYYY-MM-DD form",
        ),
        (
            "kpi",
            "2026-11-08..2026-11-01",
            "period \"2026-11-08..2026-11-01\" is empty: the end day is not counted, so it must come after the start day",
        ),
        ("kpi", "30d extra", "unexpected \"extra\" at the end"),
        (
            "leaderboard",
            "likes",
            "unknown metric \"likes\": use gmv, videos or views",
        ),
        (
            "leaderboard",
            "gmv likes",
            "unknown period \"likes\": use 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD",
        ),
        (
            "creator",
            "",
            "missing the creator: their TikTok handle or @mention",
        ),
        (
            "creator",
            "\"glow queen\"",
            "\"glow queen\" is not a TikTok handle: use letters, digits, '_' and '.' (at most 64)",
        ),
        ("creator", "@", "the handle is empty"),
        ("creator", "<@>", "\"<@>\" is not a mention of a chat user"),
        ("tier", "", "missing what to do: list, set or why"),
        (
            "tier",
            "promote ava",
            "unknown /tier action \"promote\": use list, set or why",
        ),
        (
            "tier",
            "list gold",
            "unknown tier \"gold\": use all_stars, steady_earners or new_and_promising",
        ),
        (
            "tier",
            "set ava gold great month",
            "unknown tier \"gold\": use all_stars, steady_earners or new_and_promising",
        ),
        (
            "tier",
            "set ava 2",
            "missing the reason: every tier change is kept with its reason",
        ),
        (
            "tier",
            "set ava 2 \"great month",
            "a quote opened before \"great month\" is never closed",
        ),
        ("tier", "why", "missing the creator's TikTok handle"),
        (
            "sample",
            "lost ava p1",
            "unknown /sample action \"lost\": use shipped or delivered",
        ),
        ("sample", "shipped ava", "missing the product id"),
        (
            "sample",
            "shipped ava p1 21/11/2026",
            "\"21/11/2026\" is not a date: use YYYY-MM-DD",
        ),
        (
            "competition",
            "start Sprint gmv 30d",
            "\"30d\" is not a range of dates: use YYYY-MM-DD..YYYY-MM-DD",
        ),
        (
            "competition",
            "start Sprint likes 2026-12-01..2026-12-15",
            "unknown metric \"likes\": use gmv, videos or views",
        ),
        (
            "competition",
            "pause Sprint",
            "unknown /competition action \"pause\": use start, end or show",
        ),
        (
            "report",
            "daily",
            "unknown /report action \"daily\": use weekly, monthly or quarterly",
        ),
        ("import", "orders", "attach the CSV file to the command"),
        (
            "import",
            "refunds",
            "unknown kind \"refunds\": use orders, creators, samples, videos or products",
        ),
        ("link", "", "missing your TikTok handle"),
        ("link", "glow queen", "unexpected \"queen\" at the end"),
        (
            "link",
            "@glow-queen",
            "\"@glow-queen\" is not a TikTok handle: use letters, digits, '_' and '.' (at most 64)",
        ),
        ("optout", "please", "unexpected \"please\" at the end"),
    ];
    for (name, args, expected) in cases {
        assert_eq!(err(name, args), expected, "/{name} {args}");
    }
    assert_eq!(
        parse("stats", "", None),
        Err(ParseError::UnknownCommand("stats".into()))
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_reply_shows_the_error_then_the_usage(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(&pool, &chat, &chat.ava, "leaderboard", "likes").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "\
Unknown metric \"likes\": use gmv, videos or views
Usage: /leaderboard [gmv|videos|views] [period]
Periods: 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD (end day not counted); default 30d."
    );
    let r = run(
        &pool,
        &chat,
        &chat.staff,
        "tier",
        "set ava gold great month",
    )
    .await;
    assert_eq!(
        r.text(),
        "\
Unknown tier \"gold\": use all_stars, steady_earners or new_and_promising
Usage: /tier list [tier]
       /tier set <handle> <tier> <reason>
       /tier why <handle>"
    );
    let r = run(&pool, &chat, &chat.staff, "creator", "@bad!handle").await;
    assert_eq!(
        r.text(),
        "\
\"@bad!handle\" is not a TikTok handle: use letters, digits, '_' and '.' (at most 64)
Usage: /creator <creator> [period]
Periods: 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD (end day not counted); default 30d."
    );
}
