//! Writing affiliate order lines. As the file is read, new lines of known creators are COPYed
//! straight into `order_lines`; every other line is COPYed into a TEMP staging table and merged
//! once the file is read: the lines whose key is stored on their day are updated in place where
//! they differ, and the rest are compared in bulk with what is stored, then inserted or updated.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, PgConnection};

use super::{Duplicate, Merged, copy_text as ct};
use crate::domain::import_rows::ColumnMap;
use crate::domain::import_rows::orders::{OrderLine, col};

pub const STAGE: &str = "import_order_lines";

const STAGE_COLUMNS: &str = "line bigint, order_id text, sku_id text, handle text, product_id text,
    product_name text, currency text, price_cents bigint, payment_amount_cents bigint,
    quantity integer, refunded boolean, payment_method text, status text, content_type text,
    content_id text, standard_rate_bp integer, est_commission_base_cents bigint,
    est_standard_commission_cents bigint, actual_standard_commission_cents bigint,
    shop_ads_rate_bp integer, est_shop_ads_commission_cents bigint,
    actual_shop_ads_commission_cents bigint, est_cofunded_bonus_cents bigint,
    actual_cofunded_bonus_cents bigint, created_at timestamptz, created_on date,
    key_hash bigint, line_hash bigint, kind text";

/// `COPY … FROM STDIN` for rows written by [`encode`].
pub const COPY_SQL: &str = "COPY import_order_lines FROM STDIN";

/// `COPY … FROM STDIN` for rows written by [`direct_row`]: new lines straight into `order_lines`,
/// in the order [`encode_fields`] writes them.
pub static DIRECT_COPY_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let names: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
    format!(
        "COPY order_lines (program_id, order_id, sku_id, {}, key_hash, line_hash) FROM STDIN",
        names.join(", ")
    )
});

/// Appends the `order_lines` row of `staged`, one whole row written by [`encode_fields`] and
/// [`finish`], for [`DIRECT_COPY_SQL`]: the program and the creator's id in place of the line
/// number and the handle, without the `kind`. The same values as the merge would insert.
pub fn direct_row(out: &mut Vec<u8>, program_id: i64, creator_id: i64, staged: &[u8]) {
    // Escaped fields hold no tab: the tabs are the field ends.
    let mut tabs = staged
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\t')
        .map(|(i, _)| i);
    let (Some(line_end), Some(_), Some(key_end), Some(handle_end)) =
        (tabs.next(), tabs.next(), tabs.next(), tabs.next())
    else {
        panic!("a staged order line has 29 fields");
    };
    // The row ends with the kind: one letter and the newline.
    let hashes_end = staged.len() - 2;
    ct::int(out, program_id);
    out.extend_from_slice(&staged[line_end + 1..key_end + 1]);
    ct::int(out, creator_id);
    out.extend_from_slice(&staged[handle_end + 1..hashes_end]);
    ct::end_row(out);
}

/// The `order_lines` columns an import sets, each with the export column it comes from.
const COLUMNS: &[(&str, Option<usize>)] = &[
    ("creator_id", None),
    ("product_id", Some(col::PRODUCT_ID)),
    ("product_name", Some(col::PRODUCT_NAME)),
    ("currency", Some(col::CURRENCY)),
    ("price_cents", Some(col::PRICE)),
    ("payment_amount_cents", None),
    ("quantity", Some(col::QUANTITY)),
    ("refunded", Some(col::REFUNDED)),
    ("payment_method", Some(col::PAYMENT_METHOD)),
    ("status", None),
    ("content_type", Some(col::CONTENT_TYPE)),
    ("content_id", Some(col::CONTENT_ID)),
    ("standard_rate_bp", Some(col::STANDARD_RATE)),
    ("est_commission_base_cents", Some(col::EST_COMMISSION_BASE)),
    (
        "est_standard_commission_cents",
        Some(col::EST_STANDARD_COMMISSION),
    ),
    (
        "actual_standard_commission_cents",
        Some(col::ACTUAL_STANDARD_COMMISSION),
    ),
    ("shop_ads_rate_bp", Some(col::SHOP_ADS_RATE)),
    (
        "est_shop_ads_commission_cents",
        Some(col::EST_SHOP_ADS_COMMISSION),
    ),
    (
        "actual_shop_ads_commission_cents",
        Some(col::ACTUAL_SHOP_ADS_COMMISSION),
    ),
    ("est_cofunded_bonus_cents", Some(col::EST_COFUNDED_BONUS)),
    (
        "actual_cofunded_bonus_cents",
        Some(col::ACTUAL_COFUNDED_BONUS),
    ),
    ("created_at", None),
    ("created_on", None),
];

pub async fn create_stage(conn: &mut PgConnection) -> Result<()> {
    super::create_stage(conn, STAGE, STAGE_COLUMNS).await
}

/// What the reader knew of a staged line's key before staging it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// No line of that day has its key: most likely a new line (the insert finds out for sure).
    New,
    /// A line of that day has its key, with other content.
    Stored,
    /// The reader did not look (the TikTok sync): the merge compares it with what is stored.
    Unknown,
}

impl Known {
    fn code(self) -> &'static str {
        match self {
            Known::New => "n",
            Known::Stored => "s",
            Known::Unknown => "u",
        }
    }
}

/// The two hashes a line is stored with (XXH3, 64 bits): of its key, and of the whole line as
/// encoded, seeded with the columns its file has ([`hash_seed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineHashes {
    pub key: u64,
    pub line: u64,
}

/// Bumped whenever [`encode_fields`] changes how a line is written, so that no line hashed the
/// old way can match one hashed the new way.
const HASH_VERSION: u64 = 1;

/// The seed of a file's line hashes: which of the columns an import may set the file has. Two
/// files with the same values in different sets of columns do not write the same line.
pub fn hash_seed(map: &ColumnMap) -> u64 {
    let mask = COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, (_, spec))| spec.is_none_or(|c| map.has(c)))
        .fold(0u64, |m, (i, _)| m | 1 << i);
    HASH_VERSION << 56 | mask
}

/// Appends one COPY row but for its last three fields (see [`finish`]); `currency` is the
/// program's, used when the line names none. Answers the line's hashes.
pub fn encode_fields(
    buf: &mut Vec<u8>,
    line: u64,
    o: &OrderLine<'_>,
    currency: &str,
    seed: u64,
) -> LineHashes {
    ct::int(buf, line as i64);
    let start = buf.len();
    ct::text(buf, o.order_id);
    ct::text(buf, o.sku_id);
    let key_end = buf.len();
    ct::text(buf, &o.creator);
    ct::opt_text(buf, o.product_id);
    ct::opt_text(buf, o.product_name);
    ct::text(buf, o.currency.as_deref().unwrap_or(currency));
    ct::opt_int(buf, o.price);
    ct::int(buf, o.payment_amount);
    ct::int(buf, i64::from(o.quantity));
    ct::boolean(buf, o.refunded);
    ct::opt_text(buf, o.payment_method);
    ct::text(buf, o.status.as_str());
    ct::opt_text(buf, o.content_type);
    ct::opt_text(buf, o.content_id);
    ct::opt_int(buf, o.standard_rate_bp.map(i64::from));
    ct::opt_int(buf, o.est_commission_base);
    ct::int(buf, o.est_standard_commission);
    ct::opt_int(buf, o.actual_standard_commission);
    ct::opt_int(buf, o.shop_ads_rate_bp.map(i64::from));
    ct::int(buf, o.est_shop_ads_commission);
    ct::opt_int(buf, o.actual_shop_ads_commission);
    ct::int(buf, o.est_cofunded_bonus);
    ct::opt_int(buf, o.actual_cofunded_bonus);
    ct::timestamp(buf, o.created_at);
    ct::date(buf, o.created_on);
    LineHashes {
        key: xxhash_rust::xxh3::xxh3_64(&buf[start..key_end]),
        line: xxhash_rust::xxh3::xxh3_64_with_seed(&buf[start..], seed),
    }
}

/// Ends the row [`encode_fields`] began.
pub fn finish(buf: &mut Vec<u8>, hashes: LineHashes, known: Known) {
    ct::int(buf, hashes.key as i64);
    ct::int(buf, hashes.line as i64);
    ct::text(buf, known.code());
    ct::end_row(buf);
}

/// Appends one whole COPY row of a line nobody compared with the stored ones.
pub fn encode(buf: &mut Vec<u8>, line: u64, o: &OrderLine<'_>, currency: &str, seed: u64) {
    let hashes = encode_fields(buf, line, o, currency, seed);
    finish(buf, hashes, Known::Unknown);
}

/// What merging the staged lines did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersMerged {
    pub merged: Merged,
    pub new_creators: u64,
    pub duplicates: Vec<Duplicate>,
    /// Lines left in the staging table after dropping duplicates.
    pub staged: u64,
    /// Every line the reader took for new ([`Known::New`]) went in as new: none had its key
    /// stored after all.
    pub all_new_inserted: bool,
    /// Of the keys asked about, how many the merge found stored and changed.
    pub changed_among: u64,
    /// Days whose rollups the merge made stale: the days of new and changed lines, and the days
    /// a changed line moved away from (its `Time Created` changed). Unchanged lines add none.
    pub touched_days: Vec<NaiveDate>,
}

/// The staged lines to write after comparing them with the stored ones, with their creator and
/// (for a stored one) the day it had.
const CHANGES: &str = "import_order_changes";

/// Moves the staged lines into `order_lines`: drops earlier duplicates (when `check_duplicates`),
/// creates new creators, then writes what changed. Lines the reader found no key for on their day
/// ([`Known::New`]) go in by the fastest path the key allows, an insert that skips any key
/// already stored; the others are sorted in bulk into new, changed and unchanged against what is
/// stored. New lines are inserted, changed ones updated in place (only the columns the file has),
/// and unchanged ones are not written at all (no new row version, no index entry, no rollup),
/// except to stamp the hashes of a line stored without them. Imports of one program wait for each
/// other here; other programs' imports run alongside.
pub async fn merge(
    conn: &mut PgConnection,
    program_id: i64,
    map: &ColumnMap,
    check_duplicates: bool,
    count_changed: &[i64],
) -> Result<OrdersMerged> {
    lock_program(&mut *conn, program_id).await?;
    plan_for_bulk(&mut *conn).await?;
    // `check_duplicates` false: the caller saw every key once (no key can repeat).
    let duplicates = if check_duplicates {
        super::drop_duplicates(conn, STAGE, &["order_id", "sku_id"]).await?
    } else {
        Vec::new()
    };
    let counts = format!(
        "SELECT count(*), count(*) FILTER (WHERE kind = 'n'), count(*) FILTER (WHERE kind = 's')
           FROM {STAGE}"
    );
    let (staged, new_staged, stored_staged): (i64, i64, i64) =
        sqlx::query_as(AssertSqlSafe(counts))
            .fetch_one(&mut *conn)
            .await?;
    if staged == 0 {
        return Ok(OrdersMerged {
            duplicates,
            all_new_inserted: true,
            ..OrdersMerged::default()
        });
    }
    super::analyze(conn, STAGE, &["handle", "order_id", "sku_id", "kind"]).await?;
    let new_creators =
        super::create_missing_creators(conn, program_id, STAGE, "created_on").await?;
    let staged_value = |c: &str| {
        if c == "creator_id" {
            "c.id".to_string()
        } else {
            format!("s.{c}")
        }
    };
    let present: Vec<&str> = COLUMNS
        .iter()
        .filter(|(_, spec)| spec.is_none_or(|c| map.has(c)))
        .map(|(name, _)| *name)
        .collect();
    let stored: Vec<String> = present.iter().map(|c| format!("o.{c}")).collect();
    let incoming: Vec<String> = present.iter().map(|c| staged_value(c)).collect();
    let names: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
    let select: Vec<String> = names
        .iter()
        .map(|c| format!("{} AS {c}", staged_value(c)))
        .collect();
    let mut inserted = 0;
    if new_staged > 0 {
        inserted = insert_new(&mut *conn, program_id, &names, &select).await?;
    }
    let all_new_inserted = inserted as i64 == new_staged;
    let mut updated = 0;
    let mut changed_among = 0;
    let mut touched: Vec<NaiveDate> = Vec::new();
    if inserted > 0 {
        touched = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT DISTINCT created_on FROM {STAGE} WHERE kind = 'n'"
        )))
        .fetch_all(&mut *conn)
        .await
        .context("listing the days of the new lines")?;
    }
    // The lines whose key the reader found stored on their own day with other content are
    // updated in place, where they differ in the columns the file has, by one statement that
    // finds each stored line through the key's index; they leave the staging table. The others
    // (the same in those columns, or stored on another day after all) are compared below.
    let mut left = staged - new_staged;
    if stored_staged > 0 {
        let set: Vec<String> = present
            .iter()
            .map(|c| format!("{c} = {}", staged_value(c)))
            .collect();
        let written = std::time::Instant::now();
        let (n, days, among): (i64, Option<Vec<NaiveDate>>, i64) =
            sqlx::query_as(AssertSqlSafe(format!(
                "WITH u AS (
                     UPDATE order_lines o
                        SET {set}, key_hash = s.key_hash, line_hash = s.line_hash,
                            updated_at = now()
                       FROM {STAGE} s
                       JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
                      WHERE s.kind = 's' AND o.program_id = $1 AND o.order_id = s.order_id
                        AND o.sku_id = s.sku_id AND o.created_on = s.created_on
                        AND ({stored}) IS DISTINCT FROM ({incoming})
                     RETURNING s.line, s.created_on, s.key_hash),
                 done AS (DELETE FROM {STAGE} s USING u WHERE s.line = u.line)
                 SELECT count(*), array_agg(DISTINCT created_on),
                        count(*) FILTER (WHERE key_hash = ANY($2))
                   FROM u",
                set = set.join(", "),
                stored = stored.join(", "),
                incoming = incoming.join(", "),
            )))
            .bind(program_id)
            .bind(count_changed)
            .fetch_one(&mut *conn)
            .await
            .context("updating the changed order lines")?;
        tracing::debug!(
            update_ms = written.elapsed().as_millis(),
            updated = n,
            "orders merge: lines updated in place"
        );
        updated += n as u64;
        changed_among += among as u64;
        touched.extend(days.unwrap_or_default());
        left -= n;
    }
    // A "new" line that was not inserted has its key stored after all (on another day, or
    // without hashes): it is compared like the others. Those just inserted compare equal.
    let compare = if (inserted as i64) < new_staged {
        "TRUE"
    } else {
        "s.kind <> 'n'"
    };
    if left > 0 || (inserted as i64) < new_staged {
        let compared = std::time::Instant::now();
        sqlx::query(AssertSqlSafe(format!(
            "CREATE TEMP TABLE {CHANGES} ON COMMIT DROP AS
             SELECT * FROM (
                 SELECT s.order_id, s.sku_id, {select}, s.key_hash, s.line_hash, o.ctid AS tid,
                        o.created_on AS old_created_on, o.order_id IS NULL AS is_new,
                        o.order_id IS NULL OR ({stored}) IS DISTINCT FROM ({incoming}) AS changed,
                        o.line_hash IS NULL AS unstamped
                   FROM {STAGE} s
                   JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
                   LEFT JOIN order_lines o ON o.program_id = $1 AND o.order_id = s.order_id
                                          AND o.sku_id = s.sku_id
                  WHERE {compare}) l
              WHERE changed OR unstamped",
            select = select.join(", "),
            stored = stored.join(", "),
            incoming = incoming.join(", "),
        )))
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("comparing the lines with those stored")?;
        super::analyze(conn, CHANGES, &["order_id", "sku_id"]).await?;
        let compared = compared.elapsed();
        let written = std::time::Instant::now();
        inserted += sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO order_lines (program_id, order_id, sku_id, {names}, key_hash, line_hash)
             SELECT $1, order_id, sku_id, {names}, key_hash, line_hash FROM {CHANGES} WHERE is_new",
            names = names.join(", "),
        )))
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("saving the new order lines")?
        .rows_affected();
        // The stored lines are found again by the row address the comparison read (this
        // import holds the program's lock, so none has moved since), not through the key's
        // index a second time; the key is checked all the same.
        let set: Vec<String> = present.iter().map(|c| format!("{c} = ch.{c}")).collect();
        updated += sqlx::query(AssertSqlSafe(format!(
            "UPDATE order_lines o
                SET {set}, key_hash = ch.key_hash, line_hash = ch.line_hash, updated_at = now()
               FROM {CHANGES} ch
              WHERE ch.changed AND NOT ch.is_new AND o.ctid = ch.tid AND o.program_id = $1
                AND o.order_id = ch.order_id AND o.sku_id = ch.sku_id",
            set = set.join(", "),
        )))
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("updating the changed order lines")?
        .rows_affected();
        // A line stored before the hashes were kept, found unchanged, takes them now.
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE order_lines o SET key_hash = ch.key_hash, line_hash = ch.line_hash
               FROM {CHANGES} ch
              WHERE NOT ch.changed AND o.ctid = ch.tid AND o.program_id = $1
                AND o.order_id = ch.order_id AND o.sku_id = ch.sku_id"
        )))
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("stamping the hashes of unchanged order lines")?;
        tracing::debug!(
            compare_ms = compared.as_millis(),
            write_ms = written.elapsed().as_millis(),
            updated,
            "orders merge steps"
        );
        let days: Option<Vec<NaiveDate>> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT array_agg(DISTINCT day) FROM (
                 SELECT created_on AS day FROM {CHANGES} WHERE changed
                 UNION ALL SELECT old_created_on FROM {CHANGES}
                  WHERE changed AND old_created_on IS NOT NULL) d"
        )))
        .fetch_one(&mut *conn)
        .await
        .context("listing the days the import changed")?;
        touched.extend(days.unwrap_or_default());
        if !count_changed.is_empty() {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT count(*) FROM {CHANGES}
                  WHERE changed AND NOT is_new AND key_hash = ANY($1)"
            )))
            .bind(count_changed)
            .fetch_one(&mut *conn)
            .await
            .context("counting the changed lines")?;
            changed_among += n as u64;
        }
    }
    touched.sort_unstable();
    touched.dedup();
    Ok(OrdersMerged {
        merged: Merged { inserted, updated },
        new_creators,
        duplicates,
        staged: staged as u64,
        all_new_inserted,
        changed_among,
        touched_days: touched,
    })
}

/// Inserts the staged lines the reader found no key for on their day; answers how many went in.
/// A plain insert is the fastest path the key allows, and when one of the lines' keys is stored
/// after all (on another day, or without hashes) it fails as a whole: then the insert skips the
/// lines whose keys are stored, which the comparison takes over.
async fn insert_new(
    conn: &mut PgConnection,
    program_id: i64,
    names: &[&str],
    select: &[String],
) -> Result<u64> {
    let sql = |on_conflict: &str| {
        format!(
            "INSERT INTO order_lines (program_id, order_id, sku_id, {names}, key_hash, line_hash)
             SELECT $1, s.order_id, s.sku_id, {select}, s.key_hash, s.line_hash
               FROM {STAGE} s
               JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
              WHERE s.kind = 'n' {on_conflict}",
            names = names.join(", "),
            select = select.join(", "),
        )
    };
    sqlx::query("SAVEPOINT import_new_lines")
        .execute(&mut *conn)
        .await?;
    let plain = sqlx::query(AssertSqlSafe(sql("")))
        .bind(program_id)
        .execute(&mut *conn)
        .await;
    let done = match plain {
        Ok(done) => done,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            sqlx::query("ROLLBACK TO SAVEPOINT import_new_lines")
                .execute(&mut *conn)
                .await?;
            sqlx::query(AssertSqlSafe(sql("ON CONFLICT DO NOTHING")))
                .bind(program_id)
                .execute(&mut *conn)
                .await
                .context("saving the new order lines")?
        }
        Err(e) => return Err(e).context("saving the new order lines"),
    };
    sqlx::query("RELEASE SAVEPOINT import_new_lines")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Plans the import's statements for what they are, until the transaction ends. Each handles up
/// to millions of rows once: compiling it to machine code (JIT) costs more than it saves. The
/// lines compared or updated are found one by one through the key's index (a few hundred
/// thousand among millions, their pages mostly in memory): at the default random-page cost the
/// planner would rather read every stored line of the program, and it would keep a cache of
/// lookups (memoize) that never hits, since no key is looked up twice.
async fn plan_for_bulk(conn: &mut PgConnection) -> Result<()> {
    for setting in [
        "SET LOCAL jit = off",
        "SET LOCAL random_page_cost = 1.1",
        "SET LOCAL enable_memoize = off",
    ] {
        sqlx::query(setting).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Waits for any other import or sync of the program's order lines, until the transaction ends.
pub async fn lock_program(conn: &mut PgConnection, program_id: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('creator-bot:import-orders', $1))")
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("waiting for another import of this program")?;
    Ok(())
}

/// Calls `each` with the hashes of the program's lines on `days`: (day, key hash, line hash), the
/// line hash `None` for a line stored before hashes were kept. Lines without a key hash are left
/// out. Rows are handled as they arrive, never all held at once.
pub async fn stored_hashes(
    conn: &mut PgConnection,
    program_id: i64,
    days: &[NaiveDate],
    mut each: impl FnMut(NaiveDate, u64, Option<u64>),
) -> Result<()> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query_as::<_, (NaiveDate, i64, Option<i64>)>(
        "SELECT created_on, key_hash, line_hash FROM order_lines
          WHERE program_id = $1 AND created_on = ANY($2) AND key_hash IS NOT NULL",
    )
    .bind(program_id)
    .bind(days)
    .fetch(&mut *conn);
    while let Some((day, key, line)) = rows
        .try_next()
        .await
        .context("reading the hashes of stored lines")?
    {
        each(day, key as u64, line.map(|l| l as u64));
    }
    Ok(())
}

/// Creator ids by handle, held compactly: the handles in one string, and a table from each
/// handle's hash to where it is, its id and its first sale day (about 45 bytes a creator).
#[derive(Debug, Default)]
pub struct CreatorIds {
    handles: String,
    ids: std::collections::HashMap<u64, (u32, u32, i64, Option<NaiveDate>)>,
}

/// A creator [`CreatorIds`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCreator {
    pub id: i64,
    /// As stored when the import began.
    pub first_sale: Option<NaiveDate>,
}

impl CreatorIds {
    /// The creator with `handle`, if held.
    pub fn get(&self, handle: &str) -> Option<KnownCreator> {
        let &(start, end, id, first_sale) = self
            .ids
            .get(&xxhash_rust::xxh3::xxh3_64(handle.as_bytes()))?;
        (&self.handles[start as usize..end as usize] == handle)
            .then_some(KnownCreator { id, first_sale })
    }

    fn insert(&mut self, handle: &str, id: i64, first_sale: Option<NaiveDate>) {
        let start = self.handles.len();
        let (Ok(start32), Ok(end32)) = (u32::try_from(start), u32::try_from(start + handle.len()))
        else {
            return;
        };
        // Two handles with one hash: the second is not held (its lines are staged).
        if let std::collections::hash_map::Entry::Vacant(v) = self
            .ids
            .entry(xxhash_rust::xxh3::xxh3_64(handle.as_bytes()))
        {
            self.handles.push_str(handle);
            v.insert((start32, end32, id, first_sale));
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Up to `limit` of the program's creators, the most recently created first.
pub async fn creator_ids(
    conn: &mut PgConnection,
    program_id: i64,
    limit: i64,
) -> Result<CreatorIds> {
    use futures_util::TryStreamExt;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM creators WHERE program_id = $1")
        .bind(program_id)
        .fetch_one(&mut *conn)
        .await
        .context("counting the program's creators")?;
    let mut ids = CreatorIds {
        handles: String::new(),
        ids: std::collections::HashMap::with_capacity(count.clamp(0, limit) as usize),
    };
    let mut rows = sqlx::query_as::<_, (String, i64, Option<NaiveDate>)>(
        "SELECT handle, id, first_sale_on FROM creators WHERE program_id = $1
          ORDER BY id DESC LIMIT $2",
    )
    .bind(program_id)
    .bind(limit)
    .fetch(&mut *conn);
    while let Some((handle, id, first_sale)) = rows
        .try_next()
        .await
        .context("reading the program's creators")?
    {
        ids.insert(&handle, id, first_sale);
    }
    ids.handles.shrink_to_fit();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import_rows::orders::OrderStatus;
    use chrono::TimeZone;

    #[test]
    fn a_direct_row_is_the_staged_row_with_the_program_and_the_creator_id() {
        // Escaped characters in the key and the text fields, NULLs and defaults.
        let line = OrderLine {
            order_id: "576\\1",
            sku_id: "s\t1",
            creator: "ann".into(),
            product_id: Some("p1"),
            product_name: Some("Glow\tOil\\ 2"),
            currency: None,
            price: Some(3200),
            payment_amount: 3200,
            quantity: 1,
            refunded: false,
            payment_method: None,
            status: OrderStatus::Pending,
            content_type: None,
            content_id: None,
            standard_rate_bp: Some(1500),
            est_commission_base: None,
            est_standard_commission: 480,
            actual_standard_commission: None,
            shop_ads_rate_bp: None,
            est_shop_ads_commission: 0,
            actual_shop_ads_commission: None,
            est_cofunded_bonus: 0,
            actual_cofunded_bonus: None,
            created_at: chrono::Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap(),
            created_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        };
        let mut staged = b"earlier row\n".to_vec();
        let start = staged.len();
        let hashes = encode_fields(&mut staged, 7, &line, "USD", 1);
        finish(&mut staged, hashes, Known::New);
        let mut direct = Vec::new();
        direct_row(&mut direct, 3, 42, &staged[start..]);
        let expected = format!(
            "3\t576\\\\1\ts\\t1\t42\tp1\tGlow\\tOil\\\\ 2\tUSD\t3200\t3200\t1\tf\t\\N\tpending\t\
             \\N\t\\N\t1500\t\\N\t480\t\\N\t\\N\t0\t\\N\t0\t\\N\t2026-11-02 15:00:00+00\t\
             2026-11-02\t{}\t{}\n",
            hashes.key as i64, hashes.line as i64
        );
        assert_eq!(String::from_utf8(direct).unwrap(), expected);
        // The staged row itself starts with its line number and the handle after the key.
        assert!(staged[start..].starts_with(b"7\t576\\\\1\ts\\t1\tann\tp1\t"));
        assert!(staged.ends_with(b"\tn\n"));
    }

    #[test]
    fn creator_ids_answer_exactly_the_handles_they_hold() {
        let mut ids = CreatorIds::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 2);
        ids.insert("ann", 1, day);
        ids.insert("annie", 2, None);
        assert_eq!(
            ids.get("ann"),
            Some(KnownCreator {
                id: 1,
                first_sale: day
            })
        );
        assert_eq!(ids.get("annie").map(|c| c.id), Some(2));
        assert_eq!(ids.get("an"), None);
        assert_eq!(ids.get("bob"), None);
        assert_eq!(ids.len(), 2);
    }
}
