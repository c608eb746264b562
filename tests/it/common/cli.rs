//! Running the real binary against a test's database.

use sqlx::PgPool;

/// The test database's URL: `DATABASE_URL` with this test's database name.
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL (scripts/test sets it)");
    let db = pool.connect_options().get_database().unwrap().to_string();
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base.as_str(), String::new()),
    };
    let authority = head.find("://").unwrap() + 3;
    let path = head[authority..]
        .find('/')
        .map_or(head.len(), |i| i + authority);
    format!("{}/{db}{query}", &head[..path])
}

pub fn cli(pool: &PgPool, config: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("DATABASE_URL", database_url(pool))
        .env("USER", "carol")
        .env_remove("CREATOR_BOT_CONFIG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The label → value pairs a table of the command line shows, from either the old boxed tables
/// (`│ label ┆ value │`) or the reply's two columns (`label   value`), for comparing content.
pub fn shown_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            if line.contains('┆') {
                let cells: Vec<&str> = line
                    .trim_matches(|c| c == '│' || c == ' ')
                    .split('┆')
                    .map(str::trim)
                    .collect();
                return (cells.len() == 2).then(|| (cells[0].into(), cells[1].into()));
            }
            let label = line.trim_start();
            let split = label.find("  ")?;
            let (l, v) = label.split_at(split);
            Some((l.trim().into(), v.trim().into()))
        })
        .collect()
}
