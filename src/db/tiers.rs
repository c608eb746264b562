//! Tier SQL: one set-based query for every creator's trailing-window numbers, set-based writes of
//! tier changes and their history, viral staff alerts into the outbox, and pins.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use crate::domain::Tier;
use crate::domain::tier_rules::{ChangeKind, TierMetrics, TierWindow};

/// A creator's tier as stored and their numbers over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub creator_id: i64,
    pub handle: String,
    pub tier: Tier,
    pub pinned: bool,
    pub tier_since: DateTime<Utc>,
    pub metrics: TierMetrics,
}

#[derive(sqlx::FromRow)]
struct StandingRow {
    id: i64,
    handle: String,
    tier: String,
    tier_pinned: bool,
    tier_since: DateTime<Utc>,
    gmv_cents: i64,
    videos: i64,
    has_sale: bool,
    rank: Option<i64>,
    selling_creators: i64,
    gmv_7d_cents: i64,
}

fn parse_tier(raw: &str) -> Result<Tier> {
    raw.parse()
        .with_context(|| format!("unknown tier {raw:?} in the database"))
}

impl TryFrom<StandingRow> for Standing {
    type Error = anyhow::Error;
    fn try_from(r: StandingRow) -> Result<Standing> {
        Ok(Standing {
            creator_id: r.id,
            tier: parse_tier(&r.tier)?,
            handle: r.handle,
            pinned: r.tier_pinned,
            tier_since: r.tier_since,
            metrics: TierMetrics {
                gmv_cents: r.gmv_cents,
                videos: r.videos,
                has_sale: r.has_sale,
                rank: r.rank,
                selling_creators: r.selling_creators,
                gmv_7d_cents: r.gmv_7d_cents,
            },
        })
    }
}

/// Every creator's numbers in one pass (or one creator's, ranked among all): GMV and sales from
/// the `creator_daily` rollup, videos from `videos`, RANK() among creators with GMV > 0.
const STANDINGS_SQL: &str = "
WITH sales AS (
    SELECT creator_id,
           COALESCE(SUM(gross_gmv_cents - refunded_gmv_cents) FILTER (WHERE day >= $2), 0)::bigint AS gmv,
           COALESCE(SUM(gross_gmv_cents - refunded_gmv_cents) FILTER (WHERE day >= $3), 0)::bigint AS gmv_7d,
           COALESCE(bool_or(net_lines > 0) FILTER (WHERE day >= $2), false) AS has_sale
      FROM creator_daily
     WHERE program_id = $1 AND day >= LEAST($2, $3) AND day < $4
     GROUP BY creator_id
),
ranked AS (
    -- Selling creators are those with a net line in the window, as in the program KPIs.
    SELECT creator_id, RANK() OVER (ORDER BY gmv DESC) AS rank FROM sales WHERE has_sale
),
selling AS (SELECT count(*) AS n FROM ranked),
vids AS (
    SELECT creator_id, count(*) AS videos
      FROM videos
     WHERE program_id = $1 AND posted_at >= $5 AND posted_at < $6
     GROUP BY creator_id
)
SELECT c.id, c.handle, c.tier, c.tier_pinned, c.tier_since,
       COALESCE(s.gmv, 0) AS gmv_cents,
       COALESCE(v.videos, 0) AS videos,
       COALESCE(s.has_sale, false) AS has_sale,
       r.rank,
       selling.n AS selling_creators,
       COALESCE(s.gmv_7d, 0) AS gmv_7d_cents
  FROM creators c
 CROSS JOIN selling
  LEFT JOIN sales s ON s.creator_id = c.id
  LEFT JOIN ranked r ON r.creator_id = c.id
  LEFT JOIN vids v ON v.creator_id = c.id
 WHERE c.program_id = $1 AND ($7::bigint IS NULL OR c.id = $7)";

/// The standing of every creator of the program (`only = None`) or of one creator, in no
/// particular order (sorting 100k rows for a handful of changes is not worth it).
pub async fn standings(
    db: impl PgExecutor<'_>,
    program_id: i64,
    window: &TierWindow,
    only: Option<i64>,
) -> Result<Vec<Standing>> {
    let rows: Vec<StandingRow> = sqlx::query_as(STANDINGS_SQL)
        .bind(program_id)
        .bind(window.first_day)
        .bind(window.viral_first_day)
        .bind(window.end_day)
        .bind(window.videos_from)
        .bind(window.videos_to)
        .bind(only)
        .fetch_all(db)
        .await
        .context("computing tier numbers")?;
    rows.into_iter().map(Standing::try_from).collect()
}

/// One creator's standing without a full pass: their own numbers by index lookups, as
/// [`standings`] computes them, except `rank` (`None`) and `selling_creators` (0), which need every
/// creator and are the caller's to fill in from the window's GMV ranking.
pub async fn own_standing(
    db: impl PgExecutor<'_>,
    program_id: i64,
    window: &TierWindow,
    creator_id: i64,
) -> Result<Option<Standing>> {
    let row: Option<StandingRow> = sqlx::query_as(
        "SELECT c.id, c.handle, c.tier, c.tier_pinned, c.tier_since,
                COALESCE(s.gmv, 0) AS gmv_cents,
                (SELECT count(*) FROM videos
                  WHERE program_id = $1 AND creator_id = c.id
                    AND posted_at >= $5 AND posted_at < $6) AS videos,
                COALESCE(s.has_sale, false) AS has_sale,
                NULL::int8 AS rank,
                0::int8 AS selling_creators,
                COALESCE(s.gmv_7d, 0) AS gmv_7d_cents
           FROM creators c
          CROSS JOIN LATERAL (
                SELECT SUM(gross_gmv_cents - refunded_gmv_cents) FILTER (WHERE day >= $2)::bigint AS gmv,
                       SUM(gross_gmv_cents - refunded_gmv_cents) FILTER (WHERE day >= $3)::bigint AS gmv_7d,
                       bool_or(net_lines > 0) FILTER (WHERE day >= $2) AS has_sale
                  FROM creator_daily
                 WHERE program_id = $1 AND creator_id = c.id
                   AND day >= LEAST($2, $3) AND day < $4) s
          WHERE c.program_id = $1 AND c.id = $7",
    )
    .bind(program_id)
    .bind(window.first_day)
    .bind(window.viral_first_day)
    .bind(window.end_day)
    .bind(window.videos_from)
    .bind(window.videos_to)
    .bind(creator_id)
    .fetch_optional(db)
    .await
    .context("computing a creator's tier numbers")?;
    row.map(Standing::try_from).transpose()
}

/// Serialises tier changes of one program (review, check, set, unpin) until the transaction ends,
/// so a decision is never made on numbers another run is changing.
pub async fn lock_program(conn: &mut PgConnection, program_id: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('creator-bot:tiers', $1))")
        .bind(program_id)
        .execute(conn)
        .await
        .context("locking the program's tiers")?;
    Ok(())
}

/// One row of `tier_history` to write.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub creator_id: i64,
    pub from: Tier,
    pub to: Tier,
    pub kind: ChangeKind,
    pub reason: String,
    pub pinned: bool,
}

/// Moves creators to new tiers (tier_since = `at`) in one statement.
pub async fn update_tiers(
    conn: &mut PgConnection,
    program_id: i64,
    changes: &[(i64, Tier)],
    at: DateTime<Utc>,
) -> Result<u64> {
    if changes.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = changes.iter().map(|c| c.0).collect();
    let tiers: Vec<&str> = changes.iter().map(|c| c.1.as_str()).collect();
    let done = sqlx::query(
        "UPDATE creators c
            SET tier = ch.tier, tier_since = $4, updated_at = now()
           FROM UNNEST($2::bigint[], $3::text[]) AS ch(id, tier)
          WHERE c.program_id = $1 AND c.id = ch.id",
    )
    .bind(program_id)
    .bind(&ids)
    .bind(&tiers)
    .bind(at)
    .execute(conn)
    .await
    .context("updating creators' tiers")?;
    Ok(done.rows_affected())
}

/// Appends history rows and, for every change of tier, the membership actions that follow it —
/// revoke the old tier's role or channel, then grant the new one — as outbox rows in the same
/// statement (keyed by the history row, so each change acts once).
pub async fn insert_history(
    conn: &mut PgConnection,
    program_id: i64,
    entries: &[HistoryEntry],
    at: DateTime<Utc>,
    changed_by: &str,
) -> Result<u64> {
    if entries.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = entries.iter().map(|e| e.creator_id).collect();
    let from: Vec<&str> = entries.iter().map(|e| e.from.as_str()).collect();
    let to: Vec<&str> = entries.iter().map(|e| e.to.as_str()).collect();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    let reasons: Vec<&str> = entries.iter().map(|e| e.reason.as_str()).collect();
    let pinned: Vec<bool> = entries.iter().map(|e| e.pinned).collect();
    let inserted: i64 = sqlx::query_scalar(
        "WITH h AS (
             INSERT INTO tier_history (program_id, creator_id, from_tier, to_tier, kind, reason,
                                       changed_at, changed_by, pinned)
             SELECT $1, h.creator_id, h.from_tier, h.to_tier, h.kind, h.reason, $8, $9, h.pinned
               FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[])
                    AS h(creator_id, from_tier, to_tier, kind, reason, pinned)
             RETURNING id, creator_id, from_tier, to_tier),
         membership AS (
             INSERT INTO outbox (program_id, dedupe_key, kind, creator_id, payload, due_at)
             SELECT $1, 'membership:' || h.id || ':' || a.action, 'membership', h.creator_id,
                    jsonb_build_object('action', a.action, 'tier', a.tier, 'from', h.from_tier,
                                       'to', h.to_tier, 'text', ''), $8
               FROM h CROSS JOIN LATERAL (VALUES (1, 'revoke', h.from_tier), (2, 'grant', h.to_tier))
                    AS a(step, action, tier)
              WHERE h.from_tier IS DISTINCT FROM h.to_tier AND a.tier IS NOT NULL
              ORDER BY h.id, a.step
             ON CONFLICT (program_id, dedupe_key) DO NOTHING)
         SELECT count(*) FROM h",
    )
    .bind(program_id)
    .bind(&ids)
    .bind(&from)
    .bind(&to)
    .bind(&kinds)
    .bind(&reasons)
    .bind(&pinned)
    .bind(at)
    .bind(changed_by)
    .fetch_one(conn)
    .await
    .context("recording tier history")?;
    Ok(inserted as u64)
}

/// A staff alert for a creator who went viral.
#[derive(Debug, Clone, PartialEq)]
pub struct ViralAlert {
    pub creator_id: i64,
    pub handle: String,
    pub gmv_7d_cents: i64,
    /// `tier:viral:{creator_id}:{YYYY-MM-DD}`: one alert per creator and day at most.
    pub dedupe_key: String,
    /// The variables of its `milestone_viral_alert` text, rendered when it is sent.
    pub vars: serde_json::Value,
}

/// Queues viral staff alerts due at `at`; returns how many were new.
pub async fn queue_viral_alerts(
    conn: &mut PgConnection,
    program_id: i64,
    alerts: &[ViralAlert],
    at: DateTime<Utc>,
) -> Result<u64> {
    if alerts.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = alerts.iter().map(|a| a.creator_id).collect();
    let handles: Vec<&str> = alerts.iter().map(|a| a.handle.as_str()).collect();
    let gmv: Vec<i64> = alerts.iter().map(|a| a.gmv_7d_cents).collect();
    let keys: Vec<&str> = alerts.iter().map(|a| a.dedupe_key.as_str()).collect();
    let vars: Vec<&serde_json::Value> = alerts.iter().map(|a| &a.vars).collect();
    let done = sqlx::query(
        "INSERT INTO outbox (program_id, dedupe_key, kind, creator_id, channel, template, payload, due_at)
         SELECT $1, a.dedupe_key, 'staff_alert', a.creator_id, 'staff', 'milestone_viral_alert',
                jsonb_build_object('handle', a.handle, 'gmv_7d_cents', a.gmv_7d_cents,
                                   'vars', a.vars), $6
           FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::text[], $7::jsonb[])
                AS a(creator_id, handle, gmv_7d_cents, dedupe_key, vars)
         ON CONFLICT (program_id, dedupe_key) DO NOTHING",
    )
    .bind(program_id)
    .bind(&ids)
    .bind(&handles)
    .bind(&gmv)
    .bind(&keys)
    .bind(at)
    .bind(&vars)
    .execute(conn)
    .await
    .context("queueing viral staff alerts")?;
    Ok(done.rows_affected())
}

/// Sets one creator's tier and pin flag; tier_since moves to `at` only when the tier changes.
pub async fn set_pin(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    tier: Tier,
    pinned: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE creators
            SET tier = $3, tier_pinned = $4, updated_at = now(),
                tier_since = CASE WHEN tier = $3 THEN tier_since ELSE $5 END
          WHERE program_id = $1 AND id = $2",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(tier.as_str())
    .bind(pinned)
    .bind(at)
    .execute(conn)
    .await
    .context("pinning a creator's tier")?;
    Ok(())
}

/// A creator's id and tier, found by handle.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatorTier {
    pub id: i64,
    pub handle: String,
    pub tier: Tier,
    pub pinned: bool,
}

pub async fn creator_by_handle(
    db: impl PgExecutor<'_>,
    program_id: i64,
    handle: &str,
) -> Result<Option<CreatorTier>> {
    let row: Option<(i64, String, String, bool)> = sqlx::query_as(
        "SELECT id, handle, tier, tier_pinned FROM creators WHERE program_id = $1 AND handle = $2",
    )
    .bind(program_id)
    .bind(handle)
    .fetch_optional(db)
    .await
    .context("looking up a creator")?;
    row.map(|(id, handle, tier, pinned)| {
        Ok(CreatorTier {
            id,
            handle,
            tier: parse_tier(&tier)?,
            pinned,
        })
    })
    .transpose()
}

/// One stored tier change.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HistoryRow {
    pub from_tier: Option<String>,
    pub to_tier: String,
    pub kind: String,
    pub reason: String,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub pinned: bool,
}

/// A creator's tier history, oldest first.
pub async fn history(
    db: impl PgExecutor<'_>,
    program_id: i64,
    creator_id: i64,
) -> Result<Vec<HistoryRow>> {
    sqlx::query_as(
        "SELECT from_tier, to_tier, kind, reason, changed_at, changed_by, pinned
           FROM tier_history WHERE program_id = $1 AND creator_id = $2
          ORDER BY changed_at, id",
    )
    .bind(program_id)
    .bind(creator_id)
    .fetch_all(db)
    .await
    .context("reading tier history")
}

/// How many creators each tier holds, top tier first (every tier listed, even when empty).
pub async fn tier_mix(db: impl PgExecutor<'_>, program_id: i64) -> Result<Vec<(Tier, i64)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT tier, count(*) FROM creators WHERE program_id = $1 GROUP BY tier")
            .bind(program_id)
            .fetch_all(db)
            .await
            .context("counting creators per tier")?;
    let mut mix: Vec<(Tier, i64)> = Tier::ALL.iter().map(|t| (*t, 0)).collect();
    for (tier, n) in rows {
        let tier = parse_tier(&tier)?;
        if let Some(slot) = mix.iter_mut().find(|(t, _)| *t == tier) {
            slot.1 = n;
        }
    }
    Ok(mix)
}

/// A creator in a tier, for the tier list.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TierMember {
    pub handle: String,
    pub pinned: bool,
    pub tier_since: DateTime<Utc>,
}

/// The first `limit` creators of `tier` by handle, and how many the tier holds in all.
pub async fn members(
    db: impl PgExecutor<'_>,
    program_id: i64,
    tier: Tier,
    limit: i64,
) -> Result<(Vec<TierMember>, i64)> {
    let rows: Vec<(String, bool, DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT handle, tier_pinned, tier_since, count(*) OVER ()
           FROM creators WHERE program_id = $1 AND tier = $2
          ORDER BY handle LIMIT $3",
    )
    .bind(program_id)
    .bind(tier.as_str())
    .bind(limit)
    .fetch_all(db)
    .await
    .context("listing a tier's creators")?;
    let total = rows.first().map_or(0, |r| r.3);
    let members = rows
        .into_iter()
        .map(|(handle, pinned, tier_since, _)| TierMember {
            handle,
            pinned,
            tier_since,
        })
        .collect();
    Ok((members, total))
}

/// What the latest monthly review changed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewSummary {
    pub at: DateTime<Utc>,
    pub promoted: i64,
    pub demoted: i64,
}

/// The latest monthly review that changed anything, with its promotions and demotions.
pub async fn last_review(
    db: impl PgExecutor<'_>,
    program_id: i64,
) -> Result<Option<ReviewSummary>> {
    sqlx::query_as(
        "WITH last AS (SELECT max(changed_at) AS at FROM tier_history
                        WHERE program_id = $1 AND kind = 'monthly_review')
         SELECT last.at,
                count(*) FILTER (WHERE h.to_tier_rank < h.from_tier_rank) AS promoted,
                count(*) FILTER (WHERE h.to_tier_rank > h.from_tier_rank) AS demoted
           FROM last
           JOIN (SELECT changed_at,
                        array_position(ARRAY['all_stars','steady_earners','new_and_promising'], to_tier) AS to_tier_rank,
                        array_position(ARRAY['all_stars','steady_earners','new_and_promising'], from_tier) AS from_tier_rank
                   FROM tier_history WHERE program_id = $1 AND kind = 'monthly_review') h
             ON h.changed_at = last.at
          GROUP BY last.at",
    )
    .bind(program_id)
    .fetch_optional(db)
    .await
    .context("summing up the last monthly review")
}
