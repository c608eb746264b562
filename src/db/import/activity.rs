//! Staging and upserting samples (by creator, product and shipped day) and videos (by content
//! id), and keeping `samples.first_video_at` in step with the videos.

use anyhow::{Context, Result};
use sqlx::{AssertSqlSafe, PgConnection};

use super::{Duplicate, Merged, copy_text as ct};
use crate::domain::import_rows::ColumnMap;
use crate::domain::import_rows::activity::{SampleRow, VideoRow, sample_col, video_col};

pub const SAMPLE_STAGE: &str = "import_samples";
pub const SAMPLE_COPY_SQL: &str = "COPY import_samples FROM STDIN";
const SAMPLE_STAGE_COLUMNS: &str = "line bigint, handle text, product_id text, shipped_on date,
    delivered_on date, cost_cents bigint";
const SAMPLE_COLUMNS: &[(&str, Option<usize>)] = &[
    ("delivered_on", Some(sample_col::DELIVERED_ON)),
    ("cost_cents", Some(sample_col::COST)),
];

pub async fn create_sample_stage(conn: &mut PgConnection) -> Result<()> {
    super::create_stage(conn, SAMPLE_STAGE, SAMPLE_STAGE_COLUMNS).await
}

pub fn encode_sample(buf: &mut Vec<u8>, line: u64, s: &SampleRow<'_>) {
    ct::int(buf, line as i64);
    ct::text(buf, &s.handle);
    ct::text(buf, s.product_id);
    ct::date(buf, s.shipped_on);
    ct::opt_date(buf, s.delivered_on);
    ct::int(buf, s.cost);
    ct::end_row(buf);
}

/// What merging a staged file did: rows, new creators, dropped duplicates, rows left staged.
pub type Outcome = (Merged, u64, Vec<Duplicate>, u64);

pub async fn merge_samples(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    map: &ColumnMap,
) -> Result<Outcome> {
    let duplicates =
        super::drop_duplicates(conn, SAMPLE_STAGE, &["handle", "product_id", "shipped_on"]).await?;
    let new_creators =
        super::create_missing_creators(conn, program_id, SAMPLE_STAGE, "shipped_on").await?;
    let staged = staged(conn, SAMPLE_STAGE).await?;
    let upsert = format!(
        "INSERT INTO samples (program_id, creator_id, product_id, shipped_on, delivered_on, cost_cents)
         SELECT $1, c.id, s.product_id, s.shipped_on, s.delivered_on, s.cost_cents
           FROM {SAMPLE_STAGE} s JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
         ON CONFLICT (program_id, creator_id, product_id, shipped_on) DO {update}",
        update = super::update_clause("samples", SAMPLE_COLUMNS, map),
    );
    let merged = super::count_upsert(conn, upsert, program_id, "samples").await?;
    refresh_first_videos(conn, program_id, timezone, SAMPLE_STAGE, &[]).await?;
    Ok((merged, new_creators, duplicates, staged))
}

pub const VIDEO_STAGE: &str = "import_videos";
pub const VIDEO_COPY_SQL: &str = "COPY import_videos FROM STDIN";
const VIDEO_STAGE_COLUMNS: &str = "line bigint, content_id text, handle text, product_id text,
    posted_at timestamptz, posted_on date, views bigint, likes bigint, comments bigint,
    shares bigint";
const VIDEO_COLUMNS: &[(&str, Option<usize>)] = &[
    ("creator_id", None),
    ("product_id", Some(video_col::PRODUCT_ID)),
    ("posted_at", None),
    ("views", Some(video_col::VIEWS)),
    ("likes", Some(video_col::LIKES)),
    ("comments", Some(video_col::COMMENTS)),
    ("shares", Some(video_col::SHARES)),
];

pub async fn create_video_stage(conn: &mut PgConnection) -> Result<()> {
    super::create_stage(conn, VIDEO_STAGE, VIDEO_STAGE_COLUMNS).await
}

pub fn encode_video(buf: &mut Vec<u8>, line: u64, v: &VideoRow<'_>) {
    ct::int(buf, line as i64);
    ct::text(buf, v.content_id);
    ct::text(buf, &v.handle);
    ct::opt_text(buf, v.product_id);
    ct::timestamp(buf, v.posted_at);
    ct::date(buf, v.posted_on);
    ct::int(buf, v.views);
    ct::int(buf, v.likes);
    ct::int(buf, v.comments);
    ct::int(buf, v.shares);
    ct::end_row(buf);
}

pub async fn merge_videos(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    map: &ColumnMap,
) -> Result<Outcome> {
    let duplicates = super::drop_duplicates(conn, VIDEO_STAGE, &["content_id"]).await?;
    let new_creators =
        super::create_missing_creators(conn, program_id, VIDEO_STAGE, "posted_on").await?;
    let staged = staged(conn, VIDEO_STAGE).await?;
    // Creators losing a video to another creator: their samples' first video must be recomputed.
    let previous_owners: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT DISTINCT v.creator_id
           FROM {VIDEO_STAGE} s
           JOIN videos v ON v.program_id = $1 AND v.content_id = s.content_id
           JOIN creators c ON c.id = v.creator_id
          WHERE c.handle <> s.handle"
    )))
    .bind(program_id)
    .fetch_all(&mut *conn)
    .await
    .context("finding re-credited videos")?;
    let upsert = format!(
        "INSERT INTO videos (program_id, content_id, creator_id, product_id, posted_at, views,
                             likes, comments, shares)
         SELECT $1, s.content_id, c.id, s.product_id, s.posted_at, s.views, s.likes, s.comments,
                s.shares
           FROM {VIDEO_STAGE} s JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
         ON CONFLICT (program_id, content_id) DO {update}",
        update = super::update_clause("videos", VIDEO_COLUMNS, map),
    );
    let merged = super::count_upsert(conn, upsert, program_id, "videos").await?;
    refresh_first_videos(conn, program_id, timezone, VIDEO_STAGE, &previous_owners).await?;
    Ok((merged, new_creators, duplicates, staged))
}

async fn staged(conn: &mut PgConnection, table: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n as u64)
}

/// Sets `first_video_at` of the samples of every creator the staged file names (and of `also`).
async fn refresh_first_videos(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    table: &str,
    also: &[i64],
) -> Result<()> {
    let mut creators: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT c.id FROM creators c
          WHERE c.program_id = $1 AND c.handle IN (SELECT handle FROM {table})"
    )))
    .bind(program_id)
    .fetch_all(&mut *conn)
    .await
    .context("listing the creators of the staged rows")?;
    creators.extend_from_slice(also);
    refresh_first_videos_of(conn, program_id, timezone, &creators).await
}

/// Sets `first_video_at` of the samples of `creators`: the earliest video of that product by
/// that creator posted on or after the (program-local) shipped day.
pub(crate) async fn refresh_first_videos_of(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    creators: &[i64],
) -> Result<()> {
    sqlx::query(
        "UPDATE samples s
            SET first_video_at = f.first_at, updated_at = now()
           FROM (SELECT sa.id,
                        (SELECT min(v.posted_at) FROM videos v
                          WHERE v.program_id = sa.program_id AND v.creator_id = sa.creator_id
                            AND v.product_id = sa.product_id
                            AND v.posted_at >= (sa.shipped_on::timestamp AT TIME ZONE $2)) AS first_at
                   FROM samples sa
                  WHERE sa.program_id = $1 AND sa.creator_id = ANY($3)) f
          WHERE s.id = f.id AND s.first_video_at IS DISTINCT FROM f.first_at",
    )
    .bind(program_id)
    .bind(timezone)
    .bind(creators)
    .execute(&mut *conn)
    .await
    .context("updating the samples' first videos")?;
    Ok(())
}
