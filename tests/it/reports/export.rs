//! `creator-bot report`: Markdown with its charts as PNG files beside it, Markdown or JSON on
//! stdout, and the JSON's KPIs under the keys of `kpi --format json`.

use sqlx::PgPool;

use super::two_quarters;
use crate::common::cli::cli;
use crate::outbox_cli::config_file;

fn keys(v: &serde_json::Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Needs charts that draw: `charts::draw` renders the PNG files this test expects.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn markdown_export_writes_the_report_and_its_charts_beside_it(pool: PgPool) {
    two_quarters(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let out = dir.path().join("deck");
    let (code, stdout, stderr) = cli(
        &pool,
        &config,
        &[
            "report",
            "quarterly",
            "--at",
            "2027-01-04",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    let files = ["gmv", "pareto", "tiers"].map(|k| format!("quarterly-2027-01-04-{k}.png"));
    let md = out.join("quarterly-2027-01-04.md");
    let mut listed = vec![md.display().to_string()];
    listed.extend(files.iter().map(|f| out.join(f).display().to_string()));
    assert_eq!(stdout, format!("{}\n", listed.join("\n")));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Quarterly review, Q4 2026 (1 Oct 2026 – 31 Dec 2026)\n"));
    assert!(text.ends_with(&format!(
        "## Charts\n\n![GMV per day]({})\n\n![Share of GMV by share of creators (Pareto)]({})\n\n\
         ![Tier mix]({})\n\n_Samples count in the quarter they were shipped (cost) and delivered \
         (conversion)._\n",
        files[0], files[1], files[2]
    )));
    for f in &files {
        let png = std::fs::read(out.join(f)).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{f} is not a PNG file");
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn markdown_on_stdout_says_charts_need_a_directory(pool: PgPool) {
    two_quarters(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let (code, stdout, stderr) = cli(&pool, &config, &["report", "monthly", "--at", "2026-12-01"]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            0,
            "note: charts are written only with --out DIR (2 not drawn)\n"
        )
    );
    assert!(
        stdout.starts_with(
            "# Monthly deep-dive, 1 Nov 2026 – 30 Nov 2026\n\n## KPIs\n\n\
             | KPI | Nov 2026 | Oct 2026 | Change |\n| --- | ---: | ---: | ---: |\n\
             | GMV | $610.00 | $380.00 | +60.5% |\n"
        ),
        "{stdout}"
    );
    for expected in [
        "\n**Promoted:** @eve (Steady Earners → All-Stars)\n",
        "\n**Demoted:** @ana (All-Stars → Steady Earners), @cy (Steady Earners → New & Promising)\n",
        "\n**Went dormant (1):** @dee\n",
        "\n| 1 | @ana | $400.00 |\n",
        "\n_Share of GMV by share of creators (Pareto): written as a PNG file with --out DIR_\n",
        "\n_Tier mix: written as a PNG file with --out DIR_\n",
    ] {
        assert!(stdout.contains(expected), "{expected} not in {stdout}");
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn json_export_carries_the_kpis_of_kpi_json(pool: PgPool) {
    two_quarters(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let json = |args: &[&str]| -> serde_json::Value {
        let (code, stdout, stderr) = cli(&pool, &config, args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
        serde_json::from_str(&stdout).unwrap()
    };
    let report = json(&[
        "report",
        "monthly",
        "--at",
        "2026-12-01",
        "--format",
        "json",
    ]);
    let november = json(&[
        "kpi",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "--format",
        "json",
    ]);
    let october = json(&[
        "kpi",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-01",
        "--format",
        "json",
    ]);
    assert_eq!(keys(&report["kpis"]), keys(&november));
    assert_eq!(report["kpis"], november);
    assert_eq!(report["previous_kpis"], october);
    assert_eq!(report["report"], "monthly");
    assert_eq!(report["gmv_cents"], serde_json::Value::Null);
    assert_eq!(report["changes"]["gmv_cents"], 0.6053);
    assert_eq!(report["went_dormant"], serde_json::json!(["dee"]));
    assert_eq!(
        report["charts"],
        serde_json::json!([
            {"kind": "pareto", "from": "2026-11-01", "to": "2026-12-01"},
            {"kind": "tiers", "at": "2026-12-01"}
        ])
    );

    let q = json(&[
        "report",
        "quarterly",
        "--at",
        "2027-01-04",
        "--format",
        "json",
    ]);
    let december = json(&[
        "kpi",
        "--from",
        "2026-12-01",
        "--to",
        "2027-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(q["months"][2], december);
    assert_eq!(keys(&q["kpis"]), keys(&december));
    assert_eq!(
        q["products"][0],
        serde_json::json!({
            "product_id": "p1", "name": "Glow Serum", "samples_sent": 2,
            "sample_cost_cents": 2_600, "samples_delivered": 2, "samples_posted": 1,
            "gmv_cents": 79_000, "commission_gmv_cents": 70_000,
            "sample_conversion_rate": 0.5, "sample_cost_to_gmv": 0.0371
        })
    );
    assert_eq!(
        q["niches"][2],
        serde_json::json!({
            "niche": null, "creators": 2, "gmv_cents": 7_000, "selling_creators": 1,
            "samples_delivered": 2, "samples_posted": 1, "sample_conversion_rate": 0.5
        })
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn bad_arguments_say_what_is_wrong(pool: PgPool) {
    two_quarters(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    assert_eq!(
        cli(&pool, &config, &["report", "monthly", "--at", "last week"]),
        (
            1,
            String::new(),
            "error: --at \"last week\" is not a day (YYYY-MM-DD) or an instant (YYYY-MM-DD HH:MM, RFC 3339)\n"
                .to_string()
        )
    );
    let (code, _, stderr) = cli(&pool, &config, &["report", "daily"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"daily\" is not a report: use weekly, monthly or quarterly"),
        "{stderr}"
    );
    let file = dir.path().join("taken");
    std::fs::write(&file, "").unwrap();
    let (code, _, stderr) = cli(
        &pool,
        &config,
        &["report", "weekly", "--out", file.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with(&format!(
            "error: creating the output directory {}",
            file.display()
        )),
        "{stderr}"
    );
}
