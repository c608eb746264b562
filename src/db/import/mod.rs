//! SQL of the CSV imports: TEMP staging tables filled with COPY (text format), then set-based
//! statements that create missing creators, drop duplicate keys and upsert into the real tables.
//! One submodule per file format; this one holds the COPY encoding and the shared statements.

pub mod activity;
pub mod orders;
pub mod roster;

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use sqlx::{AssertSqlSafe, PgConnection};

use crate::domain::import_rows::ColumnMap;

/// Rows an upsert inserted and updated; the rest of the staged rows were unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    pub inserted: u64,
    pub updated: u64,
}

/// A staged line dropped because a later line of the same file has the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    pub line: u64,
    pub later_line: u64,
}

/// Creates a TEMP staging table that disappears with the transaction. `columns` is one of our
/// constants, never user input.
pub(crate) async fn create_stage(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP"
    )))
    .execute(&mut *conn)
    .await
    .with_context(|| format!("creating the staging table {table}"))?;
    Ok(())
}

/// Fresh statistics so the upsert's joins are planned for the real row count; only the join
/// columns, since sampling every column of a wide staging table costs more than it helps.
pub(crate) async fn analyze(conn: &mut PgConnection, table: &str, columns: &[&str]) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "ANALYZE {table} ({})",
        columns.join(", ")
    )))
    .execute(&mut *conn)
    .await
    .with_context(|| format!("analyzing {table}"))?;
    Ok(())
}

/// Removes every staged line whose key appears again later in the file (the later line wins),
/// and returns them. `key` lists staging columns (our constants).
pub(crate) async fn drop_duplicates(
    conn: &mut PgConnection,
    table: &str,
    key: &[&str],
) -> Result<Vec<Duplicate>> {
    let cols = key.join(", ");
    let on = key
        .iter()
        .map(|k| format!("s.{k} = d.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let rows: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(format!(
        "WITH d AS (SELECT {cols}, max(line) AS later FROM {table} GROUP BY {cols} HAVING count(*) > 1)
         DELETE FROM {table} s USING d WHERE {on} AND s.line < d.later
         RETURNING s.line, d.later"
    )))
    .fetch_all(&mut *conn)
    .await
    .context("looking for lines that repeat a key")?;
    Ok(rows
        .into_iter()
        .map(|(line, later)| Duplicate {
            line: line as u64,
            later_line: later as u64,
        })
        .collect())
}

/// Creates the creators a staging table names that the program does not know yet, in New &
/// Promising, joined on the earliest `day_column` of their lines. Existing creators are untouched
/// (and skipped before the insert: a conflict per known creator costs more than a lookup).
pub(crate) async fn create_missing_creators(
    conn: &mut PgConnection,
    program_id: i64,
    table: &str,
    day_column: &str,
) -> Result<u64> {
    let done = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO creators (program_id, handle, joined_on)
         SELECT $1, s.handle, s.day
           FROM (SELECT handle, min({day_column}) AS day FROM {table} GROUP BY handle) s
          WHERE NOT EXISTS (SELECT 1 FROM creators c WHERE c.program_id = $1 AND c.handle = s.handle)
         ON CONFLICT (program_id, handle) DO NOTHING"
    )))
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context("creating the new creators")?;
    Ok(done.rows_affected())
}

/// `SET a = EXCLUDED.a, …` and the `IS DISTINCT FROM` guard for the columns the file has: a
/// column the file lacks keeps its stored value. `columns` pairs a table column with the format
/// column it comes from (`None`: always present).
pub(crate) fn update_clause(
    table: &str,
    columns: &[(&str, Option<usize>)],
    map: &ColumnMap,
) -> String {
    let present: Vec<&str> = columns
        .iter()
        .filter(|(_, spec)| spec.is_none_or(|c| map.has(c)))
        .map(|(name, _)| *name)
        .collect();
    if present.is_empty() {
        return "NOTHING".into();
    }
    let set: Vec<String> = present
        .iter()
        .map(|c| format!("{c} = EXCLUDED.{c}"))
        .collect();
    let old: Vec<String> = present.iter().map(|c| format!("{table}.{c}")).collect();
    let new: Vec<String> = present.iter().map(|c| format!("EXCLUDED.{c}")).collect();
    format!(
        "UPDATE SET {}, updated_at = now() WHERE ({}) IS DISTINCT FROM ({})",
        set.join(", "),
        old.join(", "),
        new.join(", ")
    )
}

/// Runs `WITH up AS (<upsert> RETURNING (xmax = 0) AS inserted)` and counts both kinds.
pub(crate) async fn count_upsert(
    conn: &mut PgConnection,
    upsert: String,
    program_id: i64,
    what: &str,
) -> Result<Merged> {
    let (inserted, updated): (i64, i64) = sqlx::query_as(AssertSqlSafe(format!(
        "WITH up AS ({upsert} RETURNING (xmax = 0) AS inserted)
         SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
    )))
    .bind(program_id)
    .fetch_one(&mut *conn)
    .await
    .with_context(|| format!("saving the {what}"))?;
    Ok(Merged {
        inserted: inserted as u64,
        updated: updated as u64,
    })
}

/// Writers of PostgreSQL's COPY text format: each field is followed by a tab, [`end_row`](copy_text::end_row) turns
/// the last one into a newline. NULL is `\N`; backslash, tab, newline and CR are escaped.
pub mod copy_text {
    use super::*;

    pub fn text(buf: &mut Vec<u8>, s: &str) {
        let bytes = s.as_bytes();
        if bytes
            .iter()
            .any(|&b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
        {
            for &b in bytes {
                match b {
                    b'\\' => buf.extend_from_slice(b"\\\\"),
                    b'\t' => buf.extend_from_slice(b"\\t"),
                    b'\n' => buf.extend_from_slice(b"\\n"),
                    b'\r' => buf.extend_from_slice(b"\\r"),
                    _ => buf.push(b),
                }
            }
        } else {
            buf.extend_from_slice(bytes);
        }
        buf.push(b'\t');
    }

    pub fn null(buf: &mut Vec<u8>) {
        buf.extend_from_slice(b"\\N\t");
    }

    pub fn opt_text(buf: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => text(buf, s),
            None => null(buf),
        }
    }

    pub fn int(buf: &mut Vec<u8>, n: i64) {
        digits(buf, n);
        buf.push(b'\t');
    }

    pub fn opt_int(buf: &mut Vec<u8>, n: Option<i64>) {
        match n {
            Some(n) => int(buf, n),
            None => null(buf),
        }
    }

    pub fn boolean(buf: &mut Vec<u8>, b: bool) {
        buf.extend_from_slice(if b { b"t\t" } else { b"f\t" });
    }

    pub fn date(buf: &mut Vec<u8>, d: NaiveDate) {
        ymd(buf, d);
        buf.push(b'\t');
    }

    pub fn opt_date(buf: &mut Vec<u8>, d: Option<NaiveDate>) {
        match d {
            Some(d) => date(buf, d),
            None => null(buf),
        }
    }

    /// `YYYY-MM-DD HH:MM:SS+00`.
    pub fn timestamp(buf: &mut Vec<u8>, t: DateTime<Utc>) {
        ymd(buf, t.date_naive());
        buf.push(b' ');
        two(buf, t.hour());
        buf.push(b':');
        two(buf, t.minute());
        buf.push(b':');
        two(buf, t.second());
        buf.extend_from_slice(b"+00\t");
    }

    pub fn end_row(buf: &mut [u8]) {
        if let Some(last) = buf.last_mut() {
            *last = b'\n';
        }
    }

    fn ymd(buf: &mut Vec<u8>, d: NaiveDate) {
        let y = d.year();
        if (0..=9999).contains(&y) {
            let y = y as u32;
            two(buf, y / 100);
            two(buf, y % 100);
        } else {
            digits(buf, i64::from(y));
        }
        buf.push(b'-');
        two(buf, d.month());
        buf.push(b'-');
        two(buf, d.day());
    }

    fn two(buf: &mut Vec<u8>, n: u32) {
        buf.push(b'0' + (n / 10 % 10) as u8);
        buf.push(b'0' + (n % 10) as u8);
    }

    fn digits(buf: &mut Vec<u8>, n: i64) {
        if n < 0 {
            buf.push(b'-');
        }
        let mut v = n.unsigned_abs();
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        buf.extend_from_slice(&tmp[i..]);
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn encodes_fields() {
            let mut buf = Vec::new();
            text(&mut buf, "a\\b\tc\nd");
            int(&mut buf, -1234);
            int(&mut buf, i64::MIN);
            opt_text(&mut buf, None);
            date(&mut buf, NaiveDate::from_ymd_opt(2026, 3, 7).unwrap());
            timestamp(
                &mut buf,
                "2026-11-21T05:03:09Z".parse::<DateTime<Utc>>().unwrap(),
            );
            boolean(&mut buf, true);
            end_row(&mut buf);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                "a\\\\b\\tc\\nd\t-1234\t-9223372036854775808\t\\N\t2026-03-07\t2026-11-21 05:03:09+00\tt\n"
            );
        }
    }
}
