//! Re-downloaded exports that overlap what the program holds: lines stored as they are are
//! recognised by their hashes and never written, changed ones are updated, new ones inserted, and
//! the result is exactly what importing the newest version of every line from scratch gives.

use crate::common;

use creator_bot::db::programs::Program;
use creator_bot::features::import::ImportReport;
use sqlx::PgPool;

const HEADER: &str = "Order ID,SKU ID,Creator Username,Product ID,Payment Amount,Order Status,\
Fully returned or refunded,Est. standard commission payment,Actual Commission Payment,Time Created\n";

async fn import(pool: &PgPool, program: &Program, name: &str, lines: &[&str]) -> ImportReport {
    let text = format!("{HEADER}{}\n", lines.join("\n"));
    crate::import_orders::import_text(pool, program, name, &text).await
}

/// Every stored line of a program, by key, as a user would read it (creator by handle).
async fn lines(pool: &PgPool, program: &Program) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT concat_ws(' ', o.order_id, o.sku_id, c.handle, COALESCE(o.product_id, '-'),
                          o.payment_amount_cents, o.status, o.refunded,
                          o.est_standard_commission_cents,
                          COALESCE(o.actual_standard_commission_cents::text, '-'),
                          o.created_at AT TIME ZONE 'UTC', o.created_on)
           FROM order_lines o JOIN creators c ON c.id = o.creator_id
          WHERE o.program_id = $1 ORDER BY o.order_id, o.sku_id",
    )
    .bind(program.id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Every rollup row of a program (creators by handle).
async fn rollups(pool: &PgPool, program: &Program) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT * FROM (
             SELECT concat_ws(' ', 'creator', c.handle, d.day, d.gross_gmv_cents,
                              d.refunded_gmv_cents, d.net_lines, d.orders, d.commission_cents,
                              d.commission_estimated_cents, d.commission_actual_cents) AS r
               FROM creator_daily d JOIN creators c ON c.id = d.creator_id
              WHERE d.program_id = $1
             UNION ALL
             SELECT concat_ws(' ', 'program', day, gross_gmv_cents, refunded_gmv_cents, orders,
                              commission_cents, commission_estimated_cents,
                              commission_actual_cents)
               FROM program_daily WHERE program_id = $1
             UNION ALL
             SELECT concat_ws(' ', 'product', day, product_id, gmv_cents, commission_gmv_cents)
               FROM product_daily WHERE program_id = $1
             UNION ALL
             SELECT concat_ws(' ', 'first sale', handle, first_sale_on)
               FROM creators WHERE program_id = $1) r
          ORDER BY r",
    )
    .bind(program.id)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// (key, xmin, ctid) of every order line of the program.
async fn versions(pool: &PgPool, program: &Program) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT order_id || '/' || sku_id, xmin::text, ctid::text FROM order_lines
          WHERE program_id = $1 ORDER BY 1",
    )
    .bind(program.id)
    .fetch_all(pool)
    .await
    .unwrap()
}

const FIRST: &[&str] = &[
    "1,a,ann,p1,10.00,Settled,No,1.00,,02/11/2026 10:00:00",
    "2,a,ann,p1,20.00,Pending,No,2.00,,02/11/2026 11:00:00",
    "2,b,ann,p2,5.00,Pending,No,0.50,,02/11/2026 11:00:00",
    "3,a,bob,p2,30.00,Pending,No,3.00,,03/11/2026 09:00:00",
    "4,a,bob,p1,40.00,Settled,No,4.00,,03/11/2026 12:00:00",
    "5,a,cat,p1,50.00,Pending,No,5.00,,04/11/2026 08:00:00",
    "6,a,cat,p2,60.00,Settled,No,6.00,,04/11/2026 09:00:00",
];

/// The next day's download: lines 1 and 4 as they were; 2/a settled with its actual commission;
/// 2/b refunded; 3 re-credited to cat; 5 moved to the 5th (its time changed); 6 ineligible; two
/// new lines, one of a new creator.
const NEWER: &[&str] = &[
    "1,a,ann,p1,10.00,Settled,No,1.00,,02/11/2026 10:00:00",
    "2,a,ann,p1,20.00,Settled,No,2.00,1.90,02/11/2026 11:00:00",
    "2,b,ann,p2,5.00,Pending,Yes,0.50,,02/11/2026 11:00:00",
    "3,a,cat,p2,30.00,Pending,No,3.00,,03/11/2026 09:00:00",
    "4,a,bob,p1,40.00,Settled,No,4.00,,03/11/2026 12:00:00",
    "5,a,cat,p1,50.00,Pending,No,5.00,,05/11/2026 08:00:00",
    "6,a,cat,p2,60.00,Ineligible,No,6.00,,04/11/2026 09:00:00",
    "7,a,dee,p1,70.00,Pending,No,7.00,,05/11/2026 10:00:00",
    "8,a,ann,p2,80.00,Pending,No,8.00,,05/11/2026 11:00:00",
];

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_overlapping_export_of_unchanged_changed_and_new_lines_ends_as_if_imported_fresh(
    pool: PgPool,
) {
    let program = common::program(&pool).await;
    let first = import(&pool, &program, "first.csv", FIRST).await;
    assert_eq!((first.inserted, first.updated, first.unchanged), (7, 0, 0));
    let before = versions(&pool, &program).await;

    let newer = import(&pool, &program, "newer.csv", NEWER).await;
    assert_eq!(
        (
            newer.inserted,
            newer.updated,
            newer.unchanged,
            newer.new_creators,
            newer.rejected.len()
        ),
        (2, 5, 2, 1, 0)
    );
    // The two unchanged lines are the very row versions they were.
    let after = versions(&pool, &program).await;
    for key in ["1/a", "4/a"] {
        let of = |v: &Vec<(String, String, String)>| v.iter().find(|r| r.0 == key).cloned();
        assert_eq!(of(&after), of(&before), "{key} was rewritten");
    }

    // Every line and every rollup is what a program importing only the newest version of each
    // line gets.
    let fresh = common::program_in(&pool, "fresh", "America/New_York", "USD").await;
    import(&pool, &fresh, "fresh.csv", NEWER).await;
    assert_eq!(lines(&pool, &program).await, lines(&pool, &fresh).await);
    assert_eq!(rollups(&pool, &program).await, rollups(&pool, &fresh).await);
    let stored = lines(&pool, &program).await;
    assert_eq!(
        stored[1],
        "2 a ann p1 2000 settled f 200 190 2026-11-02 16:00:00 2026-11-02"
    );
    assert_eq!(
        stored[5],
        "5 a cat p1 5000 pending f 500 - 2026-11-05 13:00:00 2026-11-05"
    );
    // Nothing is left on the 4th but line 6, ineligible now.
    let fourth: (i64, i64, i32) = sqlx::query_as(
        "SELECT gross_gmv_cents, refunded_gmv_cents, orders FROM program_daily
          WHERE program_id = $1 AND day = '2026-11-04'",
    )
    .bind(program.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(fourth, (6000, 6000, 0));

    // The same download once more: every line is recognised, nothing is written.
    let before = versions(&pool, &program).await;
    let rollups_before = rollups(&pool, &program).await;
    let again = import(&pool, &program, "newer.csv", NEWER).await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 9));
    assert_eq!(versions(&pool, &program).await, before);
    assert_eq!(rollups(&pool, &program).await, rollups_before);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_key_repeated_in_the_file_keeps_its_last_line_even_when_an_earlier_one_is_stored(
    pool: PgPool,
) {
    let program = common::program(&pool).await;
    let stored_line = "1,a,ann,p1,10.00,Pending,No,1.00,,02/11/2026 10:00:00";
    let settled_line = "1,a,ann,p1,10.00,Settled,No,1.00,,02/11/2026 10:00:00";
    let other_line = "2,a,ann,p1,20.00,Pending,No,2.00,,02/11/2026 11:00:00";
    import(&pool, &program, "first.csv", &[stored_line, other_line]).await;
    let status = |pool: PgPool| async move {
        sqlx::query_scalar::<_, String>("SELECT status FROM order_lines WHERE order_id = '1'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let rejected = |r: &ImportReport| -> Vec<String> {
        r.rejected.iter().map(|x| x.describe("f.csv")).collect()
    };

    // The stored line first, then a change: the change wins.
    let r = import(
        &pool,
        &program,
        "f.csv",
        &[stored_line, other_line, settled_line],
    )
    .await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 1, 1));
    assert_eq!(
        rejected(&r),
        ["f.csv:2: line 4 has the same Order ID and SKU ID; the later line wins"]
    );
    assert_eq!(status(pool.clone()).await, "settled");

    // A change first, then the line as stored (settled now): the stored version wins, nothing
    // changes.
    let r = import(&pool, &program, "f.csv", &[stored_line, settled_line]).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 1));
    assert_eq!(
        rejected(&r),
        ["f.csv:2: line 3 has the same Order ID and SKU ID; the later line wins"]
    );
    assert_eq!(status(pool.clone()).await, "settled");
    // Two changes, the last one wins.
    let r = import(
        &pool,
        &program,
        "f.csv",
        &[stored_line, settled_line, stored_line],
    )
    .await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 1, 0));
    assert_eq!(
        rejected(&r),
        [
            "f.csv:2: line 4 has the same Order ID and SKU ID; the later line wins",
            "f.csv:3: line 4 has the same Order ID and SKU ID; the later line wins"
        ]
    );
    assert_eq!(status(pool.clone()).await, "pending");

    // The same line three times, as stored: one unchanged, two reported.
    let r = import(
        &pool,
        &program,
        "f.csv",
        &[stored_line, stored_line, stored_line],
    )
    .await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 1));
    assert_eq!(
        rejected(&r),
        [
            "f.csv:2: line 4 has the same Order ID and SKU ID; the later line wins",
            "f.csv:3: line 4 has the same Order ID and SKU ID; the later line wins"
        ]
    );
    assert_eq!(status(pool.clone()).await, "pending");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn lines_stored_without_hashes_are_compared_in_full_then_stamped(pool: PgPool) {
    let program = common::program(&pool).await;
    import(&pool, &program, "first.csv", FIRST).await;
    // As lines stored before the hashes were kept.
    sqlx::query("UPDATE order_lines SET key_hash = NULL, line_hash = NULL")
        .execute(&pool)
        .await
        .unwrap();
    let rollups_before = rollups(&pool, &program).await;
    let mut changed = FIRST.to_vec();
    changed[0] = "1,a,ann,p1,10.00,Settled,Yes,1.00,,02/11/2026 10:00:00";
    let r = import(&pool, &program, "first.csv", &changed).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 1, 6));
    let unstamped: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM order_lines WHERE key_hash IS NULL OR line_hash IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unstamped, 0);
    assert_ne!(rollups(&pool, &program).await, rollups_before);
    let fresh = common::program_in(&pool, "fresh", "America/New_York", "USD").await;
    import(&pool, &fresh, "fresh.csv", &changed).await;
    assert_eq!(lines(&pool, &program).await, lines(&pool, &fresh).await);
    assert_eq!(rollups(&pool, &program).await, rollups(&pool, &fresh).await);
    // Stamped once: the next import of the same file writes nothing.
    let before = versions(&pool, &program).await;
    let r = import(&pool, &program, "first.csv", &changed).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 7));
    assert_eq!(versions(&pool, &program).await, before);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_file_with_fewer_columns_is_compared_on_its_own_columns(pool: PgPool) {
    let program = common::program(&pool).await;
    import(&pool, &program, "first.csv", FIRST).await;
    // The same lines without the product and commission columns: nothing the file says differs.
    let text = "Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created\n\
                1,a,ann,10.00,Settled,02/11/2026 10:00:00\n\
                2,a,ann,20.00,Settled,02/11/2026 11:00:00\n";
    let run = |pool: PgPool, program: Program| async move {
        crate::import_orders::import_text(&pool, &program, "short.csv", text).await
    };
    let r = run(pool.clone(), program.clone()).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 1, 1));
    let stored = lines(&pool, &program).await;
    // 2/a settled; its product and commission, which the file lacks, are kept.
    assert_eq!(
        stored[1],
        "2 a ann p1 2000 settled f 200 - 2026-11-02 16:00:00 2026-11-02"
    );
    let before = versions(&pool, &program).await;
    let r = run(pool.clone(), program.clone()).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 2));
    assert_eq!(versions(&pool, &program).await, before);
    // 1/a twice: the first is found the same in the database (its hash is another file's), the
    // second wins; the first is reported once.
    let twice = "Order ID,SKU ID,Creator Username,Payment Amount,Order Status,Time Created\n\
                 1,a,ann,10.00,Settled,02/11/2026 10:00:00\n\
                 1,a,ann,10.00,Settled,02/11/2026 10:00:00\n";
    let r = crate::import_orders::import_text(&pool, &program, "short.csv", twice).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 1));
    let rejected: Vec<String> = r.rejected.iter().map(|x| x.describe("short.csv")).collect();
    assert_eq!(
        rejected,
        ["short.csv:2: line 3 has the same Order ID and SKU ID; the later line wins"]
    );
    assert_eq!(versions(&pool, &program).await, before);
    // The full file again: 2/a's commission columns say what they said, its status changes back.
    let r = import(&pool, &program, "first.csv", FIRST).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 1, 6));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn exports_in_either_time_order_or_none_are_recognised_over_many_weeks(pool: PgPool) {
    let program = common::program(&pool).await;
    // 90 days, three lines a day, oldest first.
    let line = |n: usize, status: &str| {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
            + chrono::Duration::days((n / 3) as i64);
        format!(
            "{n},a,c{},p1,{}.00,{status},No,1.00,,{} 12:00:00",
            n % 7,
            10 + n,
            day.format("%d/%m/%Y")
        )
    };
    let oldest_first: Vec<String> = (0..270).map(|n| line(n, "Pending")).collect();
    let first = import(&pool, &program, "a.csv", &refs(&oldest_first)).await;
    assert_eq!(
        (first.inserted, first.updated, first.unchanged),
        (270, 0, 0)
    );
    let before = versions(&pool, &program).await;

    // Newest first, as Seller Center writes it: every line recognised.
    let newest_first: Vec<String> = oldest_first.iter().rev().cloned().collect();
    let r = import(&pool, &program, "b.csv", &refs(&newest_first)).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 0, 270));
    assert_eq!(versions(&pool, &program).await, before);

    // In no order, with every tenth line settled and ten new lines.
    let mut shuffled: Vec<String> = (0..280)
        .map(|n| line(n, if n % 10 == 0 { "Settled" } else { "Pending" }))
        .collect();
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    shuffled.shuffle(&mut rand::rngs::StdRng::seed_from_u64(7));
    let r = import(&pool, &program, "c.csv", &refs(&shuffled)).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (10, 27, 243));
    let fresh = common::program_in(&pool, "fresh", "America/New_York", "USD").await;
    import(&pool, &fresh, "fresh.csv", &refs(&shuffled)).await;
    assert_eq!(lines(&pool, &program).await, lines(&pool, &fresh).await);
    assert_eq!(rollups(&pool, &program).await, rollups(&pool, &fresh).await);
}

/// Recomputes every rollup of the program from its lines, as the database does.
async fn refresh_everything(pool: &PgPool, program: &Program) {
    let days: Vec<chrono::NaiveDate> =
        sqlx::query_scalar("SELECT DISTINCT created_on FROM order_lines WHERE program_id = $1")
            .bind(program.id)
            .fetch_all(pool)
            .await
            .unwrap();
    let mut tx = pool.begin().await.unwrap();
    creator_bot::db::rollups::refresh_days(&mut tx, program.id, &days)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn days_new_to_the_program_are_added_up_as_read_exactly_as_the_database_would(pool: PgPool) {
    let program = common::program(&pool).await;
    // Ann has sold; Bob is known but has no sale yet (his only line is unpaid).
    let mut first = FIRST[..3].to_vec();
    first.push("9,a,bob,p1,5.00,Customer Unpaid,No,0.50,,02/11/2026 12:00:00");
    import(&pool, &program, "first.csv", &first).await;
    // The 2nd is stored (the database refreshes it); the 5th to the 7th are new days: an order
    // of two lines, an order shared by two creators, refunded, ineligible and unpaid lines, an
    // actual commission, a line without product, and the 6th met again after the 7th.
    let lines = [
        "2,c,ann,p1,7.00,Settled,No,0.70,,02/11/2026 11:30:00",
        "10,a,ann,p1,10.00,Settled,No,1.00,0.90,05/11/2026 10:00:00",
        "10,b,ann,p2,15.00,Settled,No,1.50,,05/11/2026 10:00:00",
        "11,a,bob,p1,20.00,Pending,No,2.00,,05/11/2026 11:00:00",
        "11,b,cat,,25.00,Pending,No,2.50,,05/11/2026 11:00:00",
        "12,a,bob,p2,30.00,Settled,Yes,3.00,,05/11/2026 12:00:00",
        "13,a,cat,p1,40.00,Ineligible,No,4.00,0.00,06/11/2026 09:00:00",
        "14,a,dee,p2,50.00,Customer Unpaid,No,5.00,,06/11/2026 10:00:00",
        "15,a,dee,p1,60.00,Pending,No,6.00,,07/11/2026 10:00:00",
        "16,a,eve,p1,70.00,Pending,No,7.00,,06/11/2026 23:00:00",
        "17,a,eve,p2,80.00,Settled,No,0.00,,07/11/2026 11:00:00",
    ];
    let r = import(&pool, &program, "newer.csv", &lines).await;
    assert_eq!((r.inserted, r.updated, r.unchanged), (11, 0, 0));
    let read = rollups(&pool, &program).await;
    refresh_everything(&pool, &program).await;
    assert_eq!(read, rollups(&pool, &program).await);
    let fifth: (i64, i64, i32, i64) = sqlx::query_as(
        "SELECT gross_gmv_cents, refunded_gmv_cents, orders, commission_cents FROM program_daily
          WHERE program_id = $1 AND day = '2026-11-05'",
    )
    .bind(program.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    // Orders 10 and 11 (shared by bob and cat) count once each; 12 is refunded. Commission: 10/a
    // reported 0.90, 10/b 1.50, 11/a 2.00, 11/b 2.50.
    assert_eq!(fifth, (10_000, 3_000, 2, 690));
    let first_sales: Vec<(String, Option<chrono::NaiveDate>)> = sqlx::query_as(
        "SELECT handle, first_sale_on FROM creators WHERE program_id = $1 ORDER BY handle",
    )
    .bind(program.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    let day = |s: &str| Some(s.parse::<chrono::NaiveDate>().unwrap());
    assert_eq!(
        first_sales,
        [
            ("ann".to_string(), day("2026-11-02")),
            ("bob".to_string(), day("2026-11-05")),
            ("cat".to_string(), day("2026-11-05")),
            ("dee".to_string(), day("2026-11-07")),
            ("eve".to_string(), day("2026-11-06")),
        ]
    );
}

/// Imports `lines` as an orders file read in COPY chunks of two rows.
async fn import_in_pairs(pool: &PgPool, program: &Program, lines: &[&str]) -> ImportReport {
    let mut config = common::config();
    config.import.copy_chunk_rows = 2;
    creator_bot::features::import::import_reader(
        pool,
        program,
        &config,
        creator_bot::features::import::ImportKind::Orders,
        "pairs.csv",
        std::io::Cursor::new(format!("{HEADER}{}\n", lines.join("\n")).into_bytes()),
        None,
        false,
    )
    .await
    .unwrap()
}

async fn xmin(pool: &PgPool, program: &Program, order_id: &str) -> String {
    sqlx::query_scalar("SELECT xmin::text FROM order_lines WHERE program_id = $1 AND order_id = $2")
        .bind(program.id)
        .bind(order_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn new_lines_of_known_creators_go_straight_in_and_repeats_and_stored_keys_are_sorted_out(
    pool: PgPool,
) {
    let program = common::program(&pool).await;
    import(&pool, &program, "first.csv", FIRST).await;
    let rejected = |r: &ImportReport| -> Vec<String> {
        r.rejected.iter().map(|x| x.describe("pairs.csv")).collect()
    };

    // New keys of known creators (lines 2 and 3) go straight in; then both keys come again, one
    // changed, one the same; and a new creator's line is staged.
    let repeats = [
        "10,a,ann,p1,10.00,Pending,No,1.00,,06/11/2026 10:00:00",
        "11,a,bob,p2,20.00,Pending,No,2.00,,06/11/2026 11:00:00",
        "10,a,ann,p1,10.00,Settled,No,1.00,0.90,06/11/2026 10:00:00",
        "11,a,bob,p2,20.00,Pending,No,2.00,,06/11/2026 11:00:00",
        "12,a,zed,p1,30.00,Pending,No,3.00,,06/11/2026 12:00:00",
    ];
    let r = import_in_pairs(&pool, &program, &repeats).await;
    assert_eq!(
        (r.inserted, r.updated, r.unchanged, r.new_creators),
        (3, 0, 0, 1)
    );
    assert_eq!(
        rejected(&r),
        [
            "pairs.csv:2: line 4 has the same Order ID and SKU ID; the later line wins",
            "pairs.csv:3: line 5 has the same Order ID and SKU ID; the later line wins"
        ]
    );
    // Line 11 went in by a COPY of its own (under a savepoint: another transaction id than the
    // new creator's line, which the merge inserted).
    assert_ne!(
        xmin(&pool, &program, "11").await,
        xmin(&pool, &program, "12").await
    );

    // Line 5 moved to the 6th: its key is not on that day, so it looks new, but it is stored
    // (on the 4th). Its chunk is staged instead; from then on every line is. Line 11 is
    // re-credited to Ann, leaving Bob no line on the 6th.
    let moved = [
        "5,a,cat,p1,50.00,Pending,No,5.00,,06/11/2026 08:00:00",
        "20,a,ann,p2,15.00,Pending,No,1.50,,07/11/2026 10:00:00",
        "21,a,bob,p1,25.00,Settled,No,2.50,,07/11/2026 11:00:00",
        "22,a,newbie,p1,35.00,Pending,No,3.50,,07/11/2026 12:00:00",
        "11,a,ann,p2,20.00,Pending,No,2.00,,06/11/2026 11:00:00",
    ];
    let sixth = |pool: PgPool| async move {
        sqlx::query_as::<_, (String, String)>(
            "SELECT c.handle, d.xmin::text FROM creator_daily d JOIN creators c ON c.id = d.creator_id
              WHERE d.day = '2026-11-06' ORDER BY c.handle",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let before = sixth(pool.clone()).await;
    let r = import_in_pairs(&pool, &program, &moved).await;
    assert_eq!(
        (
            r.inserted,
            r.updated,
            r.unchanged,
            r.new_creators,
            r.rejected.len()
        ),
        (3, 2, 0, 1, 0)
    );
    // The 6th was refreshed: Bob's day is gone, Ann's changed, Cat's is new, and Zed's, the
    // same as before, was not written again.
    let after = sixth(pool.clone()).await;
    let handles = |v: &[(String, String)]| v.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
    assert_eq!(handles(&before), ["ann", "bob", "zed"]);
    assert_eq!(handles(&after), ["ann", "cat", "zed"]);
    assert_ne!(after[0].1, before[0].1);
    assert_eq!(after[2].1, before[2].1);

    // Every line and rollup is what importing the final version of each line from scratch gives.
    let fresh = common::program_in(&pool, "fresh", "America/New_York", "USD").await;
    let mut last: Vec<&str> = FIRST
        .iter()
        .filter(|l| !l.starts_with("5,"))
        .copied()
        .collect();
    last.extend([repeats[2], repeats[4]]);
    last.extend(moved);
    import(&pool, &fresh, "fresh.csv", &last).await;
    assert_eq!(lines(&pool, &program).await, lines(&pool, &fresh).await);
    assert_eq!(rollups(&pool, &program).await, rollups(&pool, &fresh).await);
    let stored = lines(&pool, &program).await;
    assert!(
        stored.contains(
            &"10 a ann p1 1000 settled f 100 90 2026-11-06 15:00:00 2026-11-06".to_string()
        )
    );
    assert!(
        stored.contains(
            &"5 a cat p1 5000 pending f 500 - 2026-11-06 13:00:00 2026-11-06".to_string()
        )
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn changed_lines_are_updated_in_place_and_repeated_keys_count_once(pool: PgPool) {
    let program = common::program(&pool).await;
    import(&pool, &program, "first.csv", FIRST).await;
    let before = versions(&pool, &program).await;
    // Read in chunks of two: 2/a settles, 2/b is refunded, 3 is re-credited to Cat, 6 turns
    // ineligible (each updated in place); 4 is as stored; 1 is re-credited to a creator new to
    // the program. Then 2/a comes again as it was stored, and 2/b again as just changed.
    let newer = [
        "2,a,ann,p1,20.00,Settled,No,2.00,1.90,02/11/2026 11:00:00",
        "2,b,ann,p2,5.00,Pending,Yes,0.50,,02/11/2026 11:00:00",
        "4,a,bob,p1,40.00,Settled,No,4.00,,03/11/2026 12:00:00",
        "3,a,cat,p2,30.00,Pending,No,3.00,,03/11/2026 09:00:00",
        "6,a,cat,p2,60.00,Ineligible,No,6.00,,04/11/2026 09:00:00",
        "1,a,nova,p1,10.00,Settled,No,1.00,,02/11/2026 10:00:00",
        "2,a,ann,p1,20.00,Pending,No,2.00,,02/11/2026 11:00:00",
        "2,b,ann,p2,5.00,Pending,Yes,0.50,,02/11/2026 11:00:00",
    ];
    let r = import_in_pairs(&pool, &program, &newer).await;
    // 2/a ends as it began: unchanged. 2/b counts once.
    assert_eq!(
        (r.inserted, r.updated, r.unchanged, r.new_creators),
        (0, 4, 2, 1)
    );
    let rejected: Vec<String> = r.rejected.iter().map(|x| x.describe("pairs.csv")).collect();
    assert_eq!(
        rejected,
        [
            "pairs.csv:2: line 8 has the same Order ID and SKU ID; the later line wins",
            "pairs.csv:3: line 9 has the same Order ID and SKU ID; the later line wins"
        ]
    );
    // 4/a and 5/a were not written.
    let after = versions(&pool, &program).await;
    for key in ["4/a", "5/a"] {
        let of = |v: &Vec<(String, String, String)>| v.iter().find(|r| r.0 == key).cloned();
        assert_eq!(of(&after), of(&before), "{key} was rewritten");
    }
    let stored = lines(&pool, &program).await;
    assert_eq!(
        refs(&stored),
        [
            "1 a nova p1 1000 settled f 100 - 2026-11-02 15:00:00 2026-11-02",
            "2 a ann p1 2000 pending f 200 - 2026-11-02 16:00:00 2026-11-02",
            "2 b ann p2 500 pending t 50 - 2026-11-02 16:00:00 2026-11-02",
            "3 a cat p2 3000 pending f 300 - 2026-11-03 14:00:00 2026-11-03",
            "4 a bob p1 4000 settled f 400 - 2026-11-03 17:00:00 2026-11-03",
            "5 a cat p1 5000 pending f 500 - 2026-11-04 13:00:00 2026-11-04",
            "6 a cat p2 6000 ineligible f 600 - 2026-11-04 14:00:00 2026-11-04",
        ]
    );
    // Every rollup is what importing these lines from scratch gives: Ann has only 2/a left on
    // the 2nd, Nova's first sale is the 2nd, Bob keeps the 3rd with 4 alone.
    let fresh = common::program_in(&pool, "fresh", "America/New_York", "USD").await;
    let last = [
        newer[5], newer[6], newer[7], newer[3], newer[2], FIRST[5], newer[4],
    ];
    import(&pool, &fresh, "fresh.csv", &last).await;
    assert_eq!(lines(&pool, &fresh).await, stored);
    assert_eq!(rollups(&pool, &program).await, rollups(&pool, &fresh).await);

    // The same file again: every key ends as it began, and nothing is written (2/a's first
    // line, which differs, gives way to its last).
    let before = versions(&pool, &program).await;
    let r = import_in_pairs(&pool, &program, &newer).await;
    assert_eq!(
        (r.inserted, r.updated, r.unchanged, r.rejected.len()),
        (0, 0, 6, 2)
    );
    assert_eq!(versions(&pool, &program).await, before);
}
