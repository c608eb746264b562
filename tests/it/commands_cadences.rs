//! `/competition`, `/report`, `/checkin` and `/import` as people type them: the exact replies and
//! what they change.

use crate::commands_fixture;
use crate::common;
use crate::common::app::TestApp;

use commands_fixture::{chat_program, now, run, run_at};
use creator_bot::charts::{self, ChartSpec};
use creator_bot::chat::commands::{Attachment, Block, Outcome, Request, respond};
use creator_bot::features::cadences::{Cadence, checkins};
use sqlx::PgPool;

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_run_a_competition_from_chat(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let start = run(
        &pool,
        &chat,
        &chat.staff,
        "competition",
        "start \"Holiday Sprint\" views 2026-12-01..2026-12-15 all",
    )
    .await;
    assert_eq!(start.outcome, Outcome::Done);
    assert_eq!(
        start.text(),
        "Competition \"Holiday Sprint\" started: most views from 1 Dec 2026 to 14 Dec 2026, open to everyone. Announced in #competitions."
    );
    let again = run(
        &pool,
        &chat,
        &chat.staff,
        "competition",
        "start \"holiday sprint\" gmv 2026-12-01..2026-12-15",
    )
    .await;
    // Names are compared without case.
    assert_eq!(
        (again.outcome, again.text()),
        (
            Outcome::Refused,
            "There is already a competition called \"holiday sprint\"".to_string()
        )
    );
    let shown = run(&pool, &chat, &chat.staff, "competition", "show").await;
    assert_eq!(
        shown.text(),
        "Competitions:\n• Holiday Sprint: most views, 1 Dec 2026 to 14 Dec 2026"
    );
    let one = run(
        &pool,
        &chat,
        &chat.staff,
        "competition",
        "show \"Holiday Sprint\"",
    )
    .await;
    assert_eq!(
        one.text(),
        "Holiday Sprint (running): most views, 1 Dec 2026 to 14 Dec 2026\nNo entries yet."
    );
    let end = run(&pool, &chat, &chat.staff, "competition", "end Nope").await;
    assert_eq!(
        (end.outcome, end.text()),
        (
            Outcome::Refused,
            "There is no competition called \"Nope\"".to_string()
        )
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_monthly_report_sums_up_last_month(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let at = common::local(&chat.program, "2026-12-02 09:00");
    let reply = run_at(&pool, &chat.staff, "report", "monthly", at).await;
    assert_eq!(reply.outcome, Outcome::Done);
    let text = reply.text();
    assert_eq!(
        text.lines().next(),
        Some("Monthly deep-dive, 1 Nov 2026 – 30 Nov 2026")
    );
    // The same November numbers as `kpi` (tests/kpi.rs computes them by hand), beside October's.
    let lines: Vec<&str> = text.lines().collect();
    let row = |label: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{label}  ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(
        lines[1..3],
        [
            "KPIs",
            "KPI                    Nov 2026   Oct 2026     Change"
        ]
    );
    assert!(row("GMV").starts_with("GMV $295.00 "), "{text}");
    assert!(row("Orders").starts_with("Orders 7 "), "{text}");
    assert!(
        row("Selling creators").starts_with("Selling creators 6 "),
        "{text}"
    );
    assert!(
        row("Activated creators").starts_with("Activated creators 4 "),
        "{text}"
    );
    assert!(
        row("Commission").starts_with("Commission $31.00 "),
        "{text}"
    );
    assert!(
        row("Program cost").starts_with("Program cost $202.00 "),
        "{text}"
    );
    assert!(row("ROI").starts_with("ROI 46.0% "), "{text}");
    assert!(
        row("Sample conversion").starts_with("Sample conversion 57.1% "),
        "{text}"
    );
    for line in [
        "No monthly review has run yet.",
        "Tiers now: 1 All-Stars, 0 Steady Earners, 7 New & Promising.",
        "Went dormant (0): none",
        "1  @ava     $180.00",
    ] {
        assert!(lines.contains(&line), "{line:?} not in {text}");
    }
    // Each chart is attached when it can be drawn; otherwise the reply says so in its place.
    let config = creator_bot::config::Config::default();
    let specs = [
        ChartSpec::Pareto {
            from: "2026-11-01".parse().unwrap(),
            to: "2026-12-01".parse().unwrap(),
        },
        ChartSpec::Tiers {
            at: "2026-12-02".parse().unwrap(),
        },
    ];
    let mut expected = Vec::new();
    for (spec, title) in specs
        .iter()
        .zip(["Share of GMV by share of creators (Pareto)", "Tier mix"])
    {
        expected.push(
            match charts::draw(&pool, &config, &chat.program, spec).await {
                Ok(chart) => chart.file_name,
                Err(_) => format!("The chart \"{title}\" could not be drawn."),
            },
        );
    }
    let tail: Vec<String> = reply.blocks[reply.blocks.len() - 2..]
        .iter()
        .map(|b| match b {
            Block::Image { file_name, .. } => file_name.clone(),
            Block::Text(t) => t.text(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(tail, expected);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_all_star_answers_the_check_in(pool: PgPool) {
    let chat = chat_program(&pool).await;
    sqlx::query("UPDATE creators SET tier = 'all_stars' WHERE id = $1")
        .bind(chat.creators.ava)
        .execute(&pool)
        .await
        .unwrap();
    let templates = common::templates();
    let monday = Cadence {
        program: &chat.program,
        templates: &templates,
        instant: common::local(&chat.program, "2026-11-30 10:00"),
    };
    checkins::post(&pool, &monday).await.unwrap();
    let reply = run(
        &pool,
        &chat,
        &chat.ava,
        "checkin",
        "Filming the serum; need the SPF",
    )
    .await;
    assert_eq!(
        (reply.outcome, reply.text()),
        (
            Outcome::Done,
            "Thanks! Your answer to the check-in of 30 Nov 2026 is recorded; the team will get back to you.".to_string()
        )
    );
    let answer: String = sqlx::query_scalar("SELECT answer FROM checkin_answers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(answer, "Filming the serum; need the SPF");
    let empty = run(&pool, &chat, &chat.ava, "checkin", "").await;
    assert_eq!(empty.outcome, Outcome::Refused);
    assert!(
        empty.text().starts_with(
            "Missing what you are filming and what you need\nUsage: /checkin <answer>"
        ),
        "{}",
        empty.text()
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_import_an_attached_file(pool: PgPool) {
    let chat = chat_program(&pool).await;
    let csv = "handle,first_name,joined_on\nzoe,Zoe,2026-11-02\nbad handle!,X,2026-11-02\n";
    let request = Request {
        name: "import".into(),
        args: "creators".into(),
        attachment: Some(Attachment {
            file_name: "roster.csv".into(),
            bytes: csv.as_bytes().to_vec(),
        }),
    };
    let reply = respond(
        &TestApp::new(&pool, now(&chat.program)).app,
        &chat.staff,
        &request,
    )
    .await;
    assert_eq!(reply.outcome, Outcome::Done);
    let text = reply.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "roster.csv: 1 inserted, 0 updated, 0 unchanged, 1 rejected; 1 new creator"
    );
    assert!(
        lines[1].starts_with("roster.csv:3: column \"handle\": "),
        "{text}"
    );
    let zoe: i64 = sqlx::query_scalar("SELECT count(*) FROM creators WHERE handle = 'zoe'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(zoe, 1);
}
