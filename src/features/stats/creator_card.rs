//! A creator's stats card: their period numbers (same keys as the program KPIs), rank, tier,
//! samples, latest video and the last messages the bot sent them (or tried to).

use crate::domain::for_user;
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::{Sales, bounds, cost_kpis, ranking::ranking};
use crate::db::outbox_view::{self, Filter};
use crate::db::programs::Program;
use crate::db::stats::creator::{SampleRow, creator_samples, creator_sums};
use crate::domain::kpi::ratio;
use crate::domain::{Handle, Period, Tier};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no creator {handle} in program {program}")]
pub struct UnknownCreator {
    pub handle: Handle,
    pub program: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreatorCard {
    pub handle: String,
    pub tier: Tier,
    pub tier_pinned: bool,
    pub tier_reason: Option<String>,
    /// By period GMV among creators with GMV > 0 (ties share a rank); null without GMV.
    pub rank: Option<i64>,
    pub joined_on: NaiveDate,
    pub first_sale_on: Option<NaiveDate>,
    /// Net GMV of every day before the period's end.
    pub lifetime_gmv_cents: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    #[serde(flatten)]
    pub sales: Sales,
    pub videos: i64,
    pub views: i64,
    pub engagement_rate: Option<f64>,
    pub sample_conversion_rate: Option<f64>,
    pub program_cost_cents: i64,
    pub roi: Option<f64>,
    pub cpa_cents: Option<i64>,
    pub samples: Vec<SampleCard>,
    pub last_video: Option<LastVideo>,
    /// The latest [`LAST_MESSAGES`] DMs and membership actions for them, latest due first,
    /// whatever the period (staff look here for "why didn't they get it?").
    pub last_messages: Vec<LastMessage>,
}

/// Messages shown on a creator's card.
pub const LAST_MESSAGES: i64 = 5;

/// One message for the creator and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastMessage {
    /// The outbox id (`creator-bot outbox retry|cancel ID`).
    pub id: i64,
    pub due_at: DateTime<Utc>,
    /// `dm` or `membership`.
    pub kind: String,
    /// Its template, or a membership action (`grant #all-stars`).
    pub message: String,
    /// The message's own status.
    pub status: String,
    /// Across its platform deliveries: `sent on console`, `failed on discord: …`.
    pub state: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleStatus {
    InTransit,
    Delivered,
    /// A video of the product by the creator followed.
    Posted,
}

impl SampleStatus {
    pub fn of(delivered: bool, posted: bool) -> SampleStatus {
        match (delivered, posted) {
            (_, true) => SampleStatus::Posted,
            (true, false) => SampleStatus::Delivered,
            (false, false) => SampleStatus::InTransit,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SampleStatus::InTransit => "in_transit",
            SampleStatus::Delivered => "delivered",
            SampleStatus::Posted => "posted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleCard {
    pub product_id: String,
    pub shipped_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub first_video_at: Option<DateTime<Utc>>,
    pub status: SampleStatus,
}

impl From<SampleRow> for SampleCard {
    fn from(s: SampleRow) -> SampleCard {
        SampleCard {
            status: SampleStatus::of(s.delivered_on.is_some(), s.posted),
            product_id: s.product_id,
            shipped_on: s.shipped_on,
            delivered_on: s.delivered_on,
            first_video_at: s.first_video_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastVideo {
    pub content_id: String,
    pub posted_at: DateTime<Utc>,
    pub views: Option<i64>,
}

/// The card of `handle` for `period`; an [`UnknownCreator`] error when the program has no such
/// creator.
pub async fn creator_card(
    pool: &PgPool,
    program: &Program,
    handle: &Handle,
    period: Period,
) -> Result<CreatorCard> {
    let (days, instants) = bounds(program, period);
    let tz = program.timezone.name();
    // One snapshot for every number, so an import committing meanwhile cannot mix old and new.
    let mut tx = super::snapshot(pool).await?;
    let Some(c) = creator_sums(&mut *tx, program.id, handle.as_str(), days, instants, tz).await?
    else {
        return Err(for_user(UnknownCreator {
            handle: handle.clone(),
            program: program.slug.clone(),
        }));
    };
    let samples = creator_samples(&mut *tx, program.id, c.creator_id, tz).await?;
    let ranking = ranking(pool, &mut tx, program.id, (period.from, period.to)).await?;
    let messages = outbox_view::list(
        &mut tx,
        program.id,
        &Filter {
            creator_id: Some(c.creator_id),
            kinds: Some(vec!["dm".into(), "membership".into()]),
            ..Filter::all(LAST_MESSAGES)
        },
    )
    .await?;
    tx.commit().await?;
    let tier: Tier = c
        .tier
        .parse()
        .with_context(|| format!("creator @{} has an unknown tier", c.handle))?;
    let sales = Sales::new(
        c.gross_gmv_cents,
        c.refunded_gmv_cents,
        c.orders,
        [
            c.commission_cents,
            c.commission_estimated_cents,
            c.commission_actual_cents,
        ],
    );
    let (program_cost_cents, roi, cpa_cents) =
        cost_kpis(&sales, c.sample_cost_cents, c.other_cost_cents);
    let last_video = match (c.last_video_content_id, c.last_video_posted_at) {
        (Some(content_id), Some(posted_at)) => Some(LastVideo {
            content_id,
            posted_at,
            views: c.last_video_views,
        }),
        _ => None,
    };
    Ok(CreatorCard {
        handle: c.handle,
        tier,
        tier_pinned: c.tier_pinned,
        tier_reason: c.tier_reason,
        rank: ranking.rank_of(sales.gmv_cents),
        joined_on: c.joined_on,
        first_sale_on: c.first_sale_on,
        lifetime_gmv_cents: c.lifetime_gmv_cents,
        from: period.from,
        to: period.to,
        currency: program.currency.clone(),
        videos: c.videos,
        views: c.views,
        engagement_rate: ratio(c.interactions, c.views),
        sample_conversion_rate: ratio(c.samples_posted, c.samples_delivered),
        program_cost_cents,
        roi,
        cpa_cents,
        samples: samples.into_iter().map(SampleCard::from).collect(),
        last_video,
        last_messages: messages
            .iter()
            .map(|m| LastMessage {
                id: m.id,
                due_at: m.due_at,
                kind: m.kind.clone(),
                message: m.what(),
                status: m.status.clone(),
                state: m.state(),
            })
            .collect(),
        sales,
    })
}
