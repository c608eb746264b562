//! Who may run what: every command in the registry run by a staff member, a linked creator and a
//! chat user not linked yet, with the exact refusal each one gets; and the role is settled before
//! the arguments are read or anything is written.

use crate::commands_fixture;
use crate::common::app::TestApp;

use commands_fixture::{Chat, chat_program, now, run, user};
use creator_bot::chat::Platform;
use creator_bot::chat::commands::{
    Attachment, Caller, Outcome, Request, UNKNOWN_WORKSPACE, Visibility, registry, respond,
};
use sqlx::PgPool;

/// What a role gets: data (the reply's first line), a refusal (its text), or a request it may
/// make but that cannot be carried out (its text).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Data(&'static str),
    Denied(&'static str),
    Invalid(&'static str),
}
use Expect::{Data, Denied, Invalid};

const CREATOR_REFUSAL: &str =
    "is for the program's staff only. Use /mystats to see your own numbers.";
const STRANGER_REFUSAL: &str = "is for the program's staff only. If you are a creator in the \
program, link your account first: /link <your TikTok handle>";
const LINK_FIRST: &str =
    "Your account isn't linked to a creator yet. Link it first: /link <your TikTok handle>";

/// (command, arguments, staff, creator ava, stranger)
fn matrix() -> Vec<(&'static str, &'static str, Expect, Expect, Expect)> {
    vec![
        (
            "creator",
            "@ben",
            Data("@ben, 2026-11-01 to 2026-11-30"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "kpi",
            "7d",
            Data("KPIs for glow program, 2026-11-24 to 2026-11-30"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "leaderboard",
            "",
            Data("Leaderboard by GMV, 2026-11-01 to 2026-11-30"),
            Data("Leaderboard by GMV, 2026-11-01 to 2026-11-30"),
            Denied(LINK_FIRST),
        ),
        (
            "chart",
            "pareto 7d",
            Data("Share of GMV by top creators, 2026-11-24 to 2026-11-30"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "tier",
            "why ben",
            Data("@ben: New & Promising since 2026-11-02"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "sample",
            "shipped ben p2 2026-11-29",
            Data("Recorded: p2 (Product p2) shipped to @ben on 2026-11-29."),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "competition",
            "start \"Holiday Sprint\" gmv 2026-12-01..2026-12-15 2 $500 gift card",
            Data(
                "Competition \"Holiday Sprint\" started: most GMV from 1 Dec 2026 to 14 Dec 2026, open to Steady Earners, prize: $500 gift card. Announced in #competitions.",
            ),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "report",
            "weekly",
            Data("Weekly pulse, 23 Nov 2026 – 29 Nov 2026"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "sync",
            "",
            Data("TikTok Shop sync"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "import",
            "orders",
            Data("orders.csv: 0 inserted, 0 updated, 0 unchanged, 0 rejected"),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "mystats",
            "",
            Denied("/mystats is for creators; your account belongs to the program's staff."),
            Data("Your stats (@ava), 2026-11-01 to 2026-11-30"),
            Denied(LINK_FIRST),
        ),
        (
            "checkin",
            "Filming the serum next week",
            Denied("/checkin is for creators; your account belongs to the program's staff."),
            // Ava may answer, but no check-in has been posted yet.
            Invalid("There is no check-in to answer yet"),
            Denied(LINK_FIRST),
        ),
        (
            "link",
            "dan",
            Denied(
                "Your account belongs to the program's staff, so it can't be linked to a creator",
            ),
            Denied("Your account is already linked to @ava; the program's staff can change it"),
            Data(
                "Linked: your account is now @dan in glow program. Try /mystats to see your numbers.",
            ),
        ),
        (
            "optout",
            "",
            Denied("/optout is for creators; your account belongs to the program's staff."),
            Data(
                "You're opted out: the bot won't send you direct messages any more. Use /optin whenever you want them back.",
            ),
            Denied(LINK_FIRST),
        ),
        (
            "optin",
            "",
            Denied("/optin is for creators; your account belongs to the program's staff."),
            Data(
                "Welcome back: the bot will send you direct messages again. Use /optout to stop them.",
            ),
            Denied(LINK_FIRST),
        ),
        (
            "setup",
            "",
            // Staff who may not manage the server (and the console has nothing to set up).
            Invalid(
                "/setup changes the server's channels and roles, so it needs the Manage Server \
                 permission as well: ask a server admin to run it.",
            ),
            Denied(CREATOR_REFUSAL),
            Denied(STRANGER_REFUSAL),
        ),
        (
            "help",
            "",
            Data("Commands you can use"),
            Data("Commands you can use"),
            Data("Commands you can use"),
        ),
    ]
}

async fn ask(
    pool: &PgPool,
    chat: &Chat,
    caller: &Caller,
    name: &str,
    args: &str,
) -> (Outcome, String) {
    let request = Request {
        name: name.into(),
        args: args.into(),
        // /import needs its file; the others ignore one.
        attachment: (name == "import").then(|| Attachment {
            file_name: "orders.csv".into(),
            bytes: b"Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created\n"
                .to_vec(),
        }),
    };
    let reply = respond(
        &TestApp::new(pool, now(&chat.program)).app,
        caller,
        &request,
    )
    .await;
    assert_eq!(reply.visibility, Visibility::Ephemeral, "/{name} {args}");
    (reply.outcome, reply.text())
}

fn check(expect: Expect, name: &str, (outcome, text): (Outcome, String), who: &str) {
    match expect {
        Data(first_line) => {
            assert_eq!(outcome, Outcome::Done, "{who} /{name}: {text}");
            assert_eq!(text.lines().next(), Some(first_line), "{who} /{name}");
        }
        Denied(refusal) => {
            assert_eq!(outcome, Outcome::Refused, "{who} /{name}: {text}");
            let expected = if refusal.starts_with("is for") {
                format!("/{name} {refusal}")
            } else {
                refusal.to_string()
            };
            assert_eq!(text, expected, "{who} /{name}");
        }
        Invalid(text_expected) => {
            assert_eq!(outcome, Outcome::Refused, "{who} /{name}");
            assert_eq!(text, text_expected, "{who} /{name}");
        }
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn every_command_for_staff_creators_and_strangers(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let mut names: Vec<&str> = matrix().iter().map(|m| m.0).collect();
    names.sort();
    let mut registered: Vec<&str> = registry().iter().map(|c| c.name).collect();
    registered.sort();
    assert_eq!(
        names, registered,
        "the matrix covers every registered command"
    );

    for (name, args, staff, creator, stranger) in matrix() {
        check(
            staff,
            name,
            ask(&pool, &chat, &chat.staff, name, args).await,
            "staff",
        );
        check(
            creator,
            name,
            ask(&pool, &chat, &chat.ava, name, args).await,
            "creator",
        );
        // A fresh stranger each time: /link links the one who runs it.
        let newcomer = user(&format!("u-new-{name}"));
        check(
            stranger,
            name,
            ask(&pool, &chat, &newcomer, name, args).await,
            "stranger",
        );
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_workspace_of_no_program_gets_nothing(pool: PgPool) {
    let chat = chat_program(&pool).await;
    // The same user id as staff, but in a Slack workspace no program owns.
    let elsewhere = Caller::new(Platform::Slack, "T-unknown", &chat.staff.user_id);
    for spec in registry() {
        let (outcome, text) = ask(&pool, &chat, &elsewhere, spec.name, "").await;
        assert_eq!(outcome, Outcome::Refused, "/{}", spec.name);
        assert_eq!(text, UNKNOWN_WORKSPACE);
    }
    assert_eq!(
        UNKNOWN_WORKSPACE,
        "This workspace isn't connected to a creator program yet. The program's staff can \
         connect it in the bot's config (discord_guild_id or slack_team_id)."
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_role_is_checked_before_the_arguments(pool: PgPool) {
    let chat = chat_program(&pool).await;
    // A bad period from a creator is refused as a staff command, not explained as a period.
    let (outcome, text) = ask(&pool, &chat, &chat.ava, "kpi", "2w").await;
    assert_eq!(outcome, Outcome::Refused);
    assert_eq!(text, format!("/kpi {CREATOR_REFUSAL}"));
    // A creator trying to pin their own tier writes nothing.
    let (outcome, _) = ask(&pool, &chat, &chat.ben, "tier", "set ben 1 I deserve it").await;
    assert_eq!(outcome, Outcome::Refused);
    let pins: i64 = sqlx::query_scalar("SELECT count(*) FROM tier_history WHERE kind = 'pinned'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pins, 0);
    let tier: String = sqlx::query_scalar("SELECT tier FROM creators WHERE id = $1")
        .bind(chat.creators.ben)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tier, "new_and_promising");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_unknown_command_lists_what_the_caller_may_run(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let r = run(&pool, &chat, &chat.ava, "/stats", "").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(
        r.text(),
        "Unknown command /stats. Commands you can use: /leaderboard, /mystats, /checkin, /optout, /optin, /help"
    );
    let r = run(&pool, &chat, &chat.stranger, "stats", "").await;
    assert_eq!(
        r.text(),
        "Unknown command /stats. Commands you can use: /link, /help"
    );
    let r = run(&pool, &chat, &chat.staff, "stats", "").await;
    assert_eq!(
        r.text(),
        "Unknown command /stats. Commands you can use: /creator, /kpi, /leaderboard, /chart, \
         /tier, /sample, /competition, /report, /import, /sync, /setup, /help"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn where_the_platform_knows_who_is_staff_it_decides(pool: PgPool) {
    use creator_bot::chat::commands::StaffSignal;
    let chat = chat_program(&pool).await;
    // A member holding the staff role, never linked to anything: staff, named as the platform
    // names them (the name a tier pin records).
    let lead = user("u-lead").with_staff(StaffSignal::Staff {
        name: "Lena".into(),
    });
    let r = run(&pool, &chat, &lead, "creator", "@ben").await;
    assert_eq!(r.outcome, Outcome::Done);
    let r = run(
        &pool,
        &chat,
        &lead,
        "tier",
        "set @ben all_stars launch partner",
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done, "{}", r.text());
    assert!(r.text().contains("pinned by Lena"), "{}", r.text());

    // Maya is linked as staff, but the platform says she no longer holds the role: refused as
    // anyone unlinked would be.
    let former = chat.staff.clone().with_staff(StaffSignal::NotStaff);
    let r = run(&pool, &chat, &former, "kpi", "30d").await;
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.text(), format!("/kpi {STRANGER_REFUSAL}"));

    // A creator holding the staff role is staff; without it, still the creator.
    let ava_staff = chat
        .ava
        .clone()
        .with_staff(StaffSignal::Staff { name: "Ava".into() });
    assert_eq!(
        run(&pool, &chat, &ava_staff, "kpi", "30d").await.outcome,
        Outcome::Done
    );
    let ava = chat.ava.clone().with_staff(StaffSignal::NotStaff);
    let r = run(&pool, &chat, &ava, "mystats", "").await;
    assert_eq!(r.outcome, Outcome::Done);
    assert_eq!(
        run(&pool, &chat, &ava, "kpi", "30d").await.text(),
        format!("/kpi {CREATOR_REFUSAL}")
    );
}
