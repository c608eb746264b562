//! What a chart asked for by name is about: a creator by handle, a competition by name or the
//! latest one. Shared by `/chart` and `creator-bot chart`.

use anyhow::Result;
use chrono::NaiveDate;
use sqlx::PgPool;

use crate::db::cadences::Competition;
use crate::db::programs::Program;
use crate::domain::{Handle, for_user};
use crate::features::stats::UnknownCreator;

/// No competition to chart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no competition has started yet: start one with /competition start")]
pub struct NoCompetition;

/// The id of creator `handle`; an [`UnknownCreator`] error (fit to show) when there is none.
pub async fn creator_id(pool: &PgPool, program: &Program, handle: &Handle) -> Result<i64> {
    match crate::db::tiers::creator_by_handle(pool, program.id, handle.as_str()).await? {
        Some(c) => Ok(c.id),
        None => Err(for_user(UnknownCreator {
            handle: handle.clone(),
            program: program.slug.clone(),
        })),
    }
}

/// The competition named `name` (any case), or without a name the one a chart shows by default:
/// a running one (started by `today`, not ended; the one ending first), else the one that ended
/// last.
pub async fn competition(
    pool: &PgPool,
    program: &Program,
    name: Option<&str>,
    today: NaiveDate,
) -> Result<Competition> {
    match name {
        Some(name) => crate::features::cadences::competitions::find(pool, program, name).await,
        None => crate::db::charts::latest_competition(pool, program.id, today)
            .await?
            .ok_or_else(|| for_user(NoCompetition)),
    }
}
