//! The console workspace (`creator-bot demo`): a small synthetic program run for ten simulated
//! days on an injected clock, with commands typed from a script, checked line for line as a
//! person at the terminal reads it.

use crate::common;

use chrono::NaiveDate;
use creator_bot::chat::MessageKind;
use creator_bot::chat::console::Transcript;
use creator_bot::cli::demo_cmd::{Speed, WorkspaceOptions, run_workspace};
use creator_bot::config::Config;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::features::demo::DemoOptions;
use sqlx::PgPool;

fn options(days: u32) -> WorkspaceOptions {
    WorkspaceOptions {
        demo: DemoOptions {
            seed: 7,
            creators: 30,
            history_days: 90,
            // A Monday: the run opens with the weekly pulse and the All-Stars check-in.
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        },
        days,
        speed: Speed::Max,
        interactive: false,
    }
}

fn config() -> Config {
    let mut config = common::config();
    config.lifecycle.templates_dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    config
}

/// The whole transcript of a run of `days` days with `script` typed in. The charts the console
/// saved are checked to be PNG files where it said, and their directory is shown as `<charts>`.
async fn run(pool: &PgPool, days: u32, script: &str) -> String {
    let out = Transcript::new();
    let charts = tempfile::tempdir().unwrap();
    let mut config = config();
    config.charts.console_dir = Some(charts.path().to_path_buf());
    run_workspace(
        pool,
        &config,
        &options(days),
        std::io::Cursor::new(script.as_bytes().to_vec()),
        out.clone(),
    )
    .await
    .unwrap();
    let dir = charts.path().display().to_string();
    let text = out.text();
    for saved in text.split(&format!("saved to {dir}/")).skip(1) {
        let name = &saved[..saved.find(']').unwrap()];
        let png = std::fs::read(charts.path().join(name)).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    }
    text.replace(&dir, "<charts>")
}

/// The entries of a transcript: a `[time] …` line with the indented lines (and the blank lines
/// between them) under it.
fn entries(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with('[') {
            i += 1;
            continue;
        }
        let mut entry = format!("{}\n", lines[i]);
        i += 1;
        while i < lines.len() {
            let blank_inside =
                lines[i].is_empty() && lines.get(i + 1).is_some_and(|next| next.starts_with("  "));
            if !(lines[i].starts_with("  ") || blank_inside) {
                break;
            }
            entry.push_str(lines[i]);
            entry.push('\n');
            i += 1;
        }
        out.push(entry);
    }
    out
}

/// The entries whose first line starts with `head`.
fn starting<'a>(entries: &'a [String], head: &str) -> Vec<&'a str> {
    entries
        .iter()
        .filter(|e| e.starts_with(head))
        .map(String::as_str)
        .collect()
}

/// The `n` entries from the one starting with `head`, as one text.
fn run_of(entries: &[String], head: &str, n: usize) -> String {
    let at = entries
        .iter()
        .position(|e| e.starts_with(head))
        .unwrap_or_else(|| panic!("no entry starts with {head:?}"));
    entries[at..at + n].concat()
}

/// `lines` as printed: each ends with a newline.
fn lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

const SCRIPT: &str = "\
/wait 2026-11-24 11:00
/leaderboard gmv 7d
/wait 2026-11-26 11:00
/as @avawellness31
/mystats 7d
/kpi
/as stranger
/mystats
/as @nobody
/as staff
/tier why @samwellness23
";

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_small_program_lives_ten_days_in_the_console(pool: PgPool) {
    let text = run(&pool, 10, SCRIPT).await;
    let e = entries(&text);

    // Maya opens the run with a competition, announced in #competitions at once.
    assert_eq!(
        run_of(&e, "[Mon 23 Nov 00:00 EST] Maya (staff): /competition", 2),
        lines(&[
            "[Mon 23 Nov 00:00 EST] Maya (staff): /competition start \"Holiday Sprint\" gmv 2026-11-23..2026-11-28 all $500 bonus",
            "  Competition \"Holiday Sprint\" started: most GMV from 23 Nov 2026 to 27 Nov 2026, open to everyone, prize: $500 bonus. Announced in #competitions.",
            "[Mon 23 Nov 00:00 EST] #competitions: 🏁 New competition: Holiday Sprint",
            "  Most GMV from 23 Nov 2026 to 27 Nov 2026 wins. Prize: $500 bonus.",
            "",
            "  Good luck, everyone!",
        ])
    );

    // The All-Stars check-in: posted on Mondays at 10:00 program time, once a week.
    assert_eq!(
        starting(&e, "[Mon 23 Nov 10:00 EST] #all-stars:"),
        vec![lines(&[
            "[Mon 23 Nov 10:00 EST] #all-stars: ☀️ Weekly check-in, week of 23 Nov 2026",
            "",
            "  All-Stars, what are you filming this week, and what do you need from the Glow Skincare (demo) team (samples, early access to new products, a brief, a rate question)? Answer with /checkin followed by a line or two, and we'll get back to each of you.",
        ])]
    );
    let checkins: Vec<&str> = e
        .iter()
        .filter(|x| x.contains("#all-stars: ☀️ Weekly check-in"))
        .map(|x| &x[..22])
        .collect();
    assert_eq!(
        checkins,
        vec!["[Mon 23 Nov 10:00 EST]", "[Mon 30 Nov 10:00 EST]"]
    );
    // All-Stars answer it with /checkin; staff see who did on Wednesday.
    assert_eq!(
        run_of(&e, "[Mon 30 Nov 15:00 EST] @hanafitness3: /checkin", 1),
        lines(&[
            "[Mon 30 Nov 15:00 EST] @hanafitness3: /checkin Re-filming my best video with the Hydra Barrier Moisturizer. All good on my side!",
            "  Thanks! Your answer to the check-in of 30 Nov 2026 is recorded; the team will get back to you.",
        ])
    );
    assert_eq!(
        run_of(&e, "[Wed 2 Dec 10:00 EST] #staff:", 1),
        lines(&[
            "[Wed 2 Dec 10:00 EST] #staff: All-Stars check-in of 30 Nov 2026: 2 answered, 1 did not.",
            "",
            "  Answered:",
            "  • @hanafitness3: Re-filming my best video with the Hydra Barrier Moisturizer. All good on my side!",
            "  • @samwellness23: Re-filming my best video with the Hydra Barrier Moisturizer. All good on my side!",
            "",
            "  No answer yet:",
            "  • @drewwellness24",
        ])
    );

    // A creator who joined during the run, in Tokyo, is welcomed at 09:00 their time, once.
    let welcomes = starting(&e, "[Wed 25 Nov 09:00 JST] DM to @avawellness31:");
    assert_eq!(welcomes.len(), 1);
    assert!(welcomes[0].starts_with(
        "[Wed 25 Nov 09:00 JST] DM to @avawellness31: Hi Ava, welcome to the Glow Skincare (demo) creator program! 🎉\n\n  \
         Here's how it works:"
    ));
    assert_eq!(
        e.iter()
            .filter(|x| x.contains("DM to @avawellness31: Hi Ava, welcome"))
            .count(),
        1
    );

    // The creator who went viral: the daily tier check moves them, their channels follow, staff
    // are told, and the creator hears about it in their own morning (Los Angeles).
    assert_eq!(
        run_of(&e, "[Thu 26 Nov 06:00 EST] @samwellness23:", 3),
        lines(&[
            "[Thu 26 Nov 06:00 EST] @samwellness23: removed from #steady-earners",
            "[Thu 26 Nov 06:00 EST] @samwellness23: granted #all-stars",
            "[Thu 26 Nov 06:00 EST] #staff: @samwellness23 went viral: $13,202.20 GMV in the last 7 days.",
        ])
    );
    assert_eq!(
        starting(&e, "[Thu 26 Nov 09:00 PST] DM to @samwellness23:"),
        vec![lines(&[
            "[Thu 26 Nov 09:00 PST] DM to @samwellness23: Sam, you went viral! 🚀 Your videos brought in $13,202.20 in sales over the last 7 days, and that makes you one of our All-Stars.",
            "",
            "  Welcome to the top tier: weekly check-ins with our team, first access to new products and exclusive commission rates. We'll be in touch very soon!",
        ])]
    );

    // A command typed as staff runs at the instant the script waited for.
    assert_eq!(
        run_of(&e, "[Tue 24 Nov 11:00 EST] Maya (staff): /leaderboard", 1),
        lines(&[
            "[Tue 24 Nov 11:00 EST] Maya (staff): /leaderboard gmv 7d",
            "  Leaderboard by GMV, 2026-11-18 to 2026-11-24",
            "   #  Creator                 GMV",
            "   1  @drewwellness24   $1,474.40",
            "   2  @hanafitness3       $674.00",
            "   3  @kirabeauty21       $422.20",
            "   4  @taylorfitness22    $281.50",
            "   5  @chloebeauty27      $248.00",
            "   6  @caseywellness10    $216.40",
            "   7  @samfitness15       $211.40",
            "   8  @emmawellness16     $209.40",
            "   9  @samwellness23      $132.20",
            "  10  @hanaskincare4      $102.00",
        ])
    );
    // /as switches who is typing: a creator sees only their own numbers and is refused staff
    // commands; a stranger must link first; an unknown handle changes nothing.
    assert_eq!(
        run_of(
            &e,
            "[Thu 26 Nov 11:00 EST] Maya (staff): /as @avawellness31",
            9
        ),
        lines(&[
            "[Thu 26 Nov 11:00 EST] Maya (staff): /as @avawellness31",
            "  You are @avawellness31 (a creator). /as staff to go back.",
            "[Thu 26 Nov 11:00 EST] @avawellness31: /mystats 7d",
            "  Your stats (@avawellness31), 2026-11-20 to 2026-11-26",
            "  Tier                        New & Promising",
            "  GMV                                   $0.00",
            "  Refunded                              $0.00",
            "  Orders                                    0",
            "  Commission                            $0.00",
            "  Rank by GMV                               —",
            "  Videos                                    0",
            "  Views                                     0",
            "  Engagement rate                           —",
            "  Lifetime GMV                          $0.00",
            "  Samples          0 received, 0 with a video",
            "  Last video                                —",
            "  Why New & Promising: trailing 30-day GMV $0.00 below $300.00",
            "  To move up: $300.00 more GMV in the trailing 30 days reaches Steady Earners ($300.00)",
            "          or: 4 more videos (with a sale) reaches Steady Earners",
            "  [chart \"@avawellness31, 2026-11-20 to 2026-11-26: $0.00 net GMV, 0 videos\" saved to <charts>/3-creator.png]",
            "[Thu 26 Nov 11:00 EST] @avawellness31: /kpi",
            "  /kpi is for the program's staff only. Use /mystats to see your own numbers.",
            "[Thu 26 Nov 11:00 EST] @avawellness31: /as stranger",
            "  You are a chat user linked to no one (try /link <handle>).",
            "[Thu 26 Nov 11:00 EST] stranger: /mystats",
            "  Your account isn't linked to a creator yet. Link it first: /link <your TikTok handle>",
            "[Thu 26 Nov 11:00 EST] stranger: /as @nobody",
            "  There is no creator @nobody in this program.",
            "[Thu 26 Nov 11:00 EST] stranger: /as staff",
            "  You are Maya again (staff).",
            "[Thu 26 Nov 11:00 EST] Maya (staff): /tier why @samwellness23",
            "  @samwellness23: All-Stars since 2026-11-26",
            "  Why: trailing 30-day GMV $13,523.00 ≥ $3,000.00",
            "  Numbers over the 30 complete days before 2026-11-26:",
            "  GMV        $13,523.00",
            "  Videos     1",
            "  Sale       yes",
            "  Rank       #1 of 18 selling creators",
            "  7-day GMV  $13,202.20",
            "  To move up: already in the top tier",
            "[Thu 26 Nov 09:00 PST] DM to @samwellness23: Sam, you went viral! 🚀 Your videos brought in $13,202.20 in sales over the last 7 days, and that makes you one of our All-Stars.",
            "",
            "  Welcome to the top tier: weekly check-ins with our team, first access to new products and exclusive commission rates. We'll be in touch very soon!",
        ])
    );

    // The competition ends with its winners; the monthly review moves creators both ways.
    assert_eq!(
        run_of(&e, "[Sat 28 Nov 01:00 EST] #competitions:", 1),
        lines(&[
            "[Sat 28 Nov 01:00 EST] #competitions: 🏆 Holiday Sprint is over!",
            "  1. @samwellness23: $21,692.00",
            "  2. @drewwellness24: $1,113.00",
            "  3. @hanafitness3: $328.00",
            "",
            "  Congratulations! Prize: $500 bonus. We'll be in touch.",
        ])
    );
    assert_eq!(
        run_of(&e, "[Tue 1 Dec 06:00 EST] @hanafitness3:", 3),
        lines(&[
            "[Tue 1 Dec 06:00 EST] @hanafitness3: removed from #all-stars",
            "[Tue 1 Dec 06:00 EST] @hanafitness3: granted #steady-earners",
            "[Tue 1 Dec 06:00 EST] @caseybeauty18: granted #steady-earners",
        ])
    );

    // The run ends after ten days with what was sent, then the summary.
    assert!(text.contains(
        &lines(&[
            "",
            "10 days simulated: the bot sent 38 DMs, 12 posts and staff alerts, 6 membership changes. The program got 979 order lines, 45 videos, 0 sample updates and 6 new creators.",
            "",
            "KPIs for Glow Skincare (demo), 2026-11-03 to 2026-12-02",
        ])
    ));
    assert!(text.contains("Tier mix\n  All-Stars             2    5.6%\n"));
    assert!(text.ends_with(&lines(&[
        "Explore it: creator-bot --program demo creator @samwellness23",
        "            creator-bot --program demo tier why @samwellness23",
        "            creator-bot --program demo leaderboard --metric views",
    ])));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_same_seed_and_script_give_the_same_transcript(pool: PgPool) {
    // Another program in the same database, with a staff alert waiting since before the run.
    let glow = common::program(&pool).await;
    let mut conn = pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: glow.id,
            dedupe_key: "alert:glow".into(),
            kind: MessageKind::StaffAlert,
            creator_id: None,
            channel: Some(creator_bot::domain::channels::ProgramChannel::Staff),
            template: None,
            text: "for glow's staff".into(),
            extra: serde_json::json!({}),
            due_at: "2026-11-20T12:00:00Z".parse().unwrap(),
        },
    )
    .await
    .unwrap();
    drop(conn);

    let script = "/kpi 7d\n/wait 2026-11-24 09:00\n/as @drewwellness24\n/mystats\n/quit\n/kpi\n";
    let first = run(&pool, 2, script).await;
    let second = run(&pool, 2, script).await;
    assert_eq!(first, second);

    // The simulated clock never reached the other program: its alert waits, its jobs never ran.
    assert!(!first.contains("for glow's staff"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM outbox WHERE dedupe_key = 'alert:glow'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "pending");
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM job_runs WHERE program_id = $1")
        .bind(glow.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(runs, 0);

    let e = entries(&first);
    // /quit stops the run where it was typed: the line after it is never run.
    assert_eq!(
        run_of(&e, "[Tue 24 Nov 09:00 EST] @drewwellness24: /quit", 1),
        "[Tue 24 Nov 09:00 EST] @drewwellness24: /quit\n  Bye.\n"
    );
    assert_eq!(
        e.iter()
            .filter(|x| x.contains(": /kpi"))
            .map(|x| &x[..40])
            .collect::<Vec<_>>(),
        vec!["[Mon 23 Nov 00:00 EST] Maya (staff): /kp"]
    );
    assert!(first.contains("\n1 day 9 hours simulated: the bot sent "));
}
