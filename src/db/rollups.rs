//! Daily rollups of order lines (per creator, per program and per product) that the stats, the
//! tier rules and the reports read, so that no request scans every order. Recomputed from `order_lines` for each
//! program-local day an import touches, together with each touched creator's first sale day.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, PgConnection};

/// Net line: paid, not `Ineligible`, not fully refunded (as `OrderLine::is_net`).
pub const NET_LINE_SQL: &str = "(status NOT IN ('customer_unpaid', 'ineligible') AND NOT refunded)";

/// Recomputes `creator_daily`, `program_daily` and `product_daily` for `days`, and `creators.first_sale_on` for
/// every creator with a line on those days. Call inside the transaction that changed the lines.
pub async fn refresh_days(
    conn: &mut PgConnection,
    program_id: i64,
    days: &[NaiveDate],
) -> Result<()> {
    if days.is_empty() {
        return Ok(());
    }
    lock(&mut *conn, program_id).await?;
    // Each statement runs once over many rows: compiling it (JIT) costs more than it saves. The
    // days' lines are sorted once, in memory, for all three rollups.
    for setting in ["SET LOCAL jit = off", "SET LOCAL work_mem = '128MB'"] {
        sqlx::query(setting).execute(&mut *conn).await?;
    }
    // A table of the session's own (dropped at the end, or by the rollback of a failure).
    sqlx::query("DROP TABLE IF EXISTS pg_temp.rollup_refresh")
        .execute(&mut *conn)
        .await?;
    // The days are computed again from their lines in one pass: per creator and day (level 1),
    // per day (level 3) and per product and day (level 2). Orders are those with at least one
    // net line, counted distinct: an order whose lines belong to two creators is one order of
    // the program.
    let totals_sql = format!(
        "CREATE TEMP TABLE rollup_refresh AS
         SELECT created_on AS day, creator_id, product_id,
                GROUPING(creator_id, product_id) AS level,
                COALESCE(SUM(payment_amount_cents) FILTER (WHERE status <> 'customer_unpaid'), 0) AS gross,
                COALESCE(SUM(payment_amount_cents) FILTER (WHERE status <> 'customer_unpaid'
                                                         AND (status = 'ineligible' OR refunded)), 0) AS refunded,
                COUNT(*) FILTER (WHERE {net}) AS net_lines,
                COUNT(DISTINCT order_id) FILTER (WHERE {net}) AS orders,
                COALESCE(SUM({commission}) FILTER (WHERE {net}), 0) AS commission,
                COALESCE(SUM({estimated}) FILTER (WHERE {net}), 0) AS estimated,
                COALESCE(SUM({actual}) FILTER (WHERE {net}), 0) AS actual,
                COALESCE(SUM(payment_amount_cents) FILTER (WHERE {net}), 0) AS gmv,
                COALESCE(SUM(payment_amount_cents) FILTER (WHERE {net} AND ({commission}) > 0), 0)
                    AS commission_gmv
           FROM order_lines
          WHERE program_id = $1 AND created_on = ANY($2)
          GROUP BY GROUPING SETS ((created_on, creator_id), (created_on), (created_on, product_id))",
        net = NET_LINE_SQL,
        commission = COMMISSION_SQL,
        estimated = ESTIMATED_SQL,
        actual = ACTUAL_SQL,
    );
    sqlx::query(AssertSqlSafe(totals_sql))
        .bind(program_id)
        .bind(days)
        .execute(&mut *conn)
        .await
        .context("computing the days' rollups")?;
    // Only the creator days that differ are written, and the rows of creators left without a
    // line on a day are deleted. The creators of both, and only they, may have another first
    // sale day (a creator day that did not change leaves it as it was).
    let mut touched: Vec<i64> = sqlx::query_scalar(
        "WITH n AS MATERIALIZED (SELECT * FROM rollup_refresh WHERE level = 1),
         gone AS (
             DELETE FROM creator_daily d
              WHERE d.program_id = $1 AND d.day = ANY($2)
                AND NOT EXISTS (SELECT 1 FROM n WHERE n.creator_id = d.creator_id AND n.day = d.day)
             RETURNING d.creator_id),
         written AS (
             INSERT INTO creator_daily AS d (program_id, creator_id, day, gross_gmv_cents,
                                             refunded_gmv_cents, net_lines, orders, commission_cents,
                                             commission_estimated_cents, commission_actual_cents)
             SELECT $1, creator_id, day, gross, refunded, net_lines, orders, commission, estimated,
                    actual
               FROM n
             ON CONFLICT (program_id, creator_id, day) DO UPDATE
                SET gross_gmv_cents = EXCLUDED.gross_gmv_cents,
                    refunded_gmv_cents = EXCLUDED.refunded_gmv_cents,
                    net_lines = EXCLUDED.net_lines, orders = EXCLUDED.orders,
                    commission_cents = EXCLUDED.commission_cents,
                    commission_estimated_cents = EXCLUDED.commission_estimated_cents,
                    commission_actual_cents = EXCLUDED.commission_actual_cents
              WHERE (d.gross_gmv_cents, d.refunded_gmv_cents, d.net_lines, d.orders,
                     d.commission_cents, d.commission_estimated_cents, d.commission_actual_cents)
                    IS DISTINCT FROM
                    (EXCLUDED.gross_gmv_cents, EXCLUDED.refunded_gmv_cents, EXCLUDED.net_lines,
                     EXCLUDED.orders, EXCLUDED.commission_cents,
                     EXCLUDED.commission_estimated_cents, EXCLUDED.commission_actual_cents)
             RETURNING d.creator_id)
         SELECT creator_id FROM gone UNION SELECT creator_id FROM written",
    )
    .bind(program_id)
    .bind(days)
    .fetch_all(&mut *conn)
    .await
    .context("computing creator rollups")?;
    touched.sort_unstable();
    clear_days(
        &mut *conn,
        program_id,
        days,
        &["program_daily", "product_daily"],
    )
    .await?;
    for (sql, what) in [
        (
            program_days_from("rollup_refresh WHERE level = 3 AND day = ANY($2)"),
            "computing program rollups",
        ),
        (
            product_days_from(
                "rollup_refresh WHERE level = 2 AND product_id IS NOT NULL AND day = ANY($2)",
            ),
            "computing product rollups",
        ),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .bind(program_id)
            .bind(days)
            .execute(&mut *conn)
            .await
            .context(what)?;
    }
    sqlx::query("DROP TABLE rollup_refresh")
        .execute(&mut *conn)
        .await
        .context("dropping the days' rollups")?;
    if touched.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE creators c
            SET first_sale_on = f.first_day
           FROM (SELECT t.creator_id, MIN(d.day) FILTER (WHERE d.net_lines > 0) AS first_day
                   FROM unnest($2::bigint[]) t (creator_id)
                   LEFT JOIN creator_daily d ON d.program_id = $1 AND d.creator_id = t.creator_id
                  GROUP BY t.creator_id) f
          WHERE c.program_id = $1 AND c.id = f.creator_id
            AND c.first_sale_on IS DISTINCT FROM f.first_day",
    )
    .bind(program_id)
    .bind(&touched)
    .execute(&mut *conn)
    .await
    .context("updating first sale days")?;
    Ok(())
}

/// Deletes the program's rows of `days` from each of `tables` (rollup tables, our names).
async fn clear_days(
    conn: &mut PgConnection,
    program_id: i64,
    days: &[NaiveDate],
    tables: &[&str],
) -> Result<()> {
    for table in tables {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE program_id = $1 AND day = ANY($2)"
        )))
        .bind(program_id)
        .bind(days)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("clearing {table} for the days"))?;
    }
    Ok(())
}

/// Inserts the `program_daily` rows of `source` (a table, or a table and a condition, of ours),
/// whose columns are day, gross, refunded, orders, commission, estimated and actual. Stamped with
/// the clock at insert time: see [`lock`].
fn program_days_from(source: &str) -> String {
    format!(
        "INSERT INTO program_daily (program_id, day, gross_gmv_cents, refunded_gmv_cents, orders,
                                    commission_cents, commission_estimated_cents,
                                    commission_actual_cents, refreshed_at)
         SELECT $1, day, gross, refunded, orders, commission, estimated, actual, clock_timestamp()
           FROM {source}"
    )
}

/// Inserts the `product_daily` rows of `source` (as [`program_days_from`]), whose columns are
/// day, product id, GMV and commission GMV.
fn product_days_from(source: &str) -> String {
    format!(
        "INSERT INTO product_daily (program_id, day, product_id, gmv_cents, commission_gmv_cents)
         SELECT $1, day, product_id, gmv, commission_gmv FROM {source}"
    )
}

/// One refresh per program at a time, held until commit, and stamped with the clock at insert
/// time (not the transaction's start): a later commit always carries a later `refreshed_at`,
/// which is what tells a cached ranking that its numbers are stale.
async fn lock(conn: &mut PgConnection, program_id: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('creator-bot:rollups', $1))")
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context("locking the program's rollups")?;
    Ok(())
}

/// The daily totals of days whose every line an import has just inserted (no line of theirs was
/// stored before), added up by the import itself: COPY text rows of `creator_days` (whole
/// `creator_daily` rows, for creators whose ids the import knew), `creators` (the others, by
/// handle: handle, day, gross, refunded, net lines, orders, commission, estimated, actual),
/// `program` (day, gross, refunded, orders, commission, estimated, actual) and `products` (day,
/// product id, GMV, commission GMV), and `first_sales`, the first of these days with a net line
/// of each creator of `creator_days`. Only the rows of `days` are kept, but every row of
/// `creator_days` must be of `days`. Rows equal to what [`refresh_days`] computes for those days;
/// call inside the transaction that inserted the lines, after their creators.
pub struct DayTotals<'a> {
    pub days: &'a [NaiveDate],
    pub creator_days: Vec<u8>,
    pub first_sales: Vec<(i64, NaiveDate)>,
    pub creators: Vec<u8>,
    pub program: Vec<u8>,
    pub products: Vec<u8>,
}

/// Writes the rollups of days an import brought for the first time (see [`DayTotals`]), and
/// moves the first sale day of their creators back to them where it is earlier.
pub async fn insert_new_days(
    conn: &mut PgConnection,
    program_id: i64,
    totals: DayTotals<'_>,
) -> Result<()> {
    if totals.days.is_empty() {
        return Ok(());
    }
    lock(&mut *conn, program_id).await?;
    for (table, columns, rows) in [
        (
            "import_creator_days",
            "handle text, day date, gross bigint, refunded bigint, net_lines bigint, orders bigint,
             commission bigint, estimated bigint, actual bigint",
            totals.creators,
        ),
        (
            "import_program_days",
            "day date, gross bigint, refunded bigint, orders bigint, commission bigint,
             estimated bigint, actual bigint",
            totals.program,
        ),
        (
            "import_product_days",
            "day date, product_id text, gmv bigint, commission_gmv bigint",
            totals.products,
        ),
    ] {
        sqlx::query(AssertSqlSafe(format!(
            "CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP"
        )))
        .execute(&mut *conn)
        .await
        .with_context(|| format!("creating {table}"))?;
        copy_rows(&mut *conn, &format!("COPY {table} FROM STDIN"), rows)
            .await
            .with_context(|| format!("copying into {table}"))?;
        sqlx::query(AssertSqlSafe(format!("ANALYZE {table}")))
            .execute(&mut *conn)
            .await
            .with_context(|| format!("analyzing {table}"))?;
    }
    // No rollup row can exist for a day without lines; should one, it goes.
    clear_days(
        &mut *conn,
        program_id,
        totals.days,
        &["creator_daily", "program_daily", "product_daily"],
    )
    .await?;
    // The rows of creators whose ids the import knew go in as they are.
    if !totals.creator_days.is_empty() {
        copy_rows(
            &mut *conn,
            "COPY creator_daily (program_id, creator_id, day, gross_gmv_cents, refunded_gmv_cents,
                 net_lines, orders, commission_cents, commission_estimated_cents,
                 commission_actual_cents) FROM STDIN",
            totals.creator_days,
        )
        .await
        .context("saving the new days' creator rollups")?;
    }
    for (sql, what) in [
        (
            "INSERT INTO creator_daily (program_id, creator_id, day, gross_gmv_cents,
                                        refunded_gmv_cents, net_lines, orders, commission_cents,
                                        commission_estimated_cents, commission_actual_cents)
             SELECT $1, c.id, f.day, f.gross, f.refunded, f.net_lines, f.orders, f.commission,
                    f.estimated, f.actual
               FROM import_creator_days f
               JOIN creators c ON c.program_id = $1 AND c.handle = f.handle
              WHERE f.day = ANY($2)"
                .to_string(),
            "saving the new days' creator rollups",
        ),
        (
            program_days_from("import_program_days WHERE day = ANY($2)"),
            "saving the new days' program rollups",
        ),
        (
            product_days_from("import_product_days WHERE day = ANY($2)"),
            "saving the new days' product rollups",
        ),
        // New days only add sales: a creator's first sale is the earlier of the two.
        (
            "UPDATE creators c SET first_sale_on = f.first_day
               FROM (SELECT handle, MIN(day) AS first_day FROM import_creator_days
                      WHERE net_lines > 0 AND day = ANY($2) GROUP BY handle) f
              WHERE c.program_id = $1 AND c.handle = f.handle
                AND (c.first_sale_on IS NULL OR c.first_sale_on > f.first_day)"
                .to_string(),
            "updating first sale days",
        ),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .bind(program_id)
            .bind(totals.days)
            .execute(&mut *conn)
            .await
            .context(what)?;
    }
    if !totals.first_sales.is_empty() {
        let (ids, days): (Vec<i64>, Vec<NaiveDate>) = totals.first_sales.into_iter().unzip();
        sqlx::query(
            "UPDATE creators c SET first_sale_on = f.day
               FROM unnest($2::bigint[], $3::date[]) f (id, day)
              WHERE c.program_id = $1 AND c.id = f.id
                AND (c.first_sale_on IS NULL OR c.first_sale_on > f.day)",
        )
        .bind(program_id)
        .bind(&ids)
        .bind(&days)
        .execute(&mut *conn)
        .await
        .context("updating first sale days")?;
    }
    Ok(())
}

/// Sends COPY text `rows` through `sql` (a `COPY … FROM STDIN`).
async fn copy_rows(conn: &mut PgConnection, sql: &str, rows: Vec<u8>) -> Result<()> {
    let mut copy = conn.copy_in_raw(sql).await?;
    copy.send(rows).await?;
    copy.finish().await?;
    Ok(())
}

/// Commission of one line: the actual payments when TikTok has reported them, else the estimate.
pub const COMMISSION_SQL: &str = "CASE WHEN actual_standard_commission_cents IS NOT NULL
       OR actual_shop_ads_commission_cents IS NOT NULL
       OR actual_cofunded_bonus_cents IS NOT NULL
     THEN COALESCE(actual_standard_commission_cents, 0) + COALESCE(actual_shop_ads_commission_cents, 0)
          + COALESCE(actual_cofunded_bonus_cents, 0)
     ELSE est_standard_commission_cents + est_shop_ads_commission_cents + est_cofunded_bonus_cents END";
/// Estimated commission of one line (standard + shop ads + co-funded bonus).
pub const ESTIMATED_SQL: &str =
    "(est_standard_commission_cents + est_shop_ads_commission_cents + est_cofunded_bonus_cents)";
/// Actual commission reported so far for one line (0 when none yet).
pub const ACTUAL_SQL: &str = "(COALESCE(actual_standard_commission_cents, 0) + COALESCE(actual_shop_ads_commission_cents, 0) + COALESCE(actual_cofunded_bonus_cents, 0))";
