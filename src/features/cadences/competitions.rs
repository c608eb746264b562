//! Competitions in #competitions: staff start one (name, metric GMV / videos / views, window,
//! tier scope, prize), the bot announces it, posts standings on its cadence while it runs, and
//! announces the winners once it is over (or when staff end it early).

use crate::domain::for_user;
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::Value;
use sqlx::{PgConnection, PgPool};

use super::{Cadence, Post};
use crate::charts::ChartSpec;
use crate::chat::MessageKind;
use crate::db::cadences::{self as db, Competition};
use crate::db::programs::Program;
use crate::db::stats::leaderboard::{RankedBy, RankedRow};
use crate::domain::channels::ProgramChannel;
use crate::domain::messages::{Message, format_count, format_day};
use crate::domain::timefmt::{local_day, start_of_day};
use crate::domain::{Period, Tier, format_cents};
use crate::templates::{Templates, Vars};

/// Places shown in standings updates, and winners announced.
const STANDINGS: i64 = 10;
const WINNERS: i64 = 3;

/// What staff ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompetition {
    pub name: String,
    /// `gmv`, `videos` or `views`.
    pub metric: String,
    /// Program-local days, end exclusive.
    pub period: Period,
    pub tier: Option<Tier>,
    pub prize: String,
}

/// A refusal fit to show staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompetitionError {
    #[error("a competition needs a name")]
    NoName,
    #[error("unknown metric {0:?}: use gmv, videos or views")]
    UnknownMetric(String),
    #[error("there is already a competition called {0:?}")]
    NameTaken(String),
    #[error("there is no competition called {0:?}")]
    Unknown(String),
    #[error("{0:?} is over already")]
    AlreadyEnded(String),
    #[error("a competition must end after today ({0})")]
    EndsInThePast(String),
}

/// How a metric reads in a post: `most GMV`, `most videos`, `most views`.
pub fn metric_name(metric: &str) -> &'static str {
    match metric {
        "gmv" => "GMV",
        "videos" => "videos",
        _ => "views",
    }
}

fn ranked_by(metric: &str) -> RankedBy {
    match metric {
        "gmv" => RankedBy::Gmv,
        "videos" => RankedBy::Videos,
        _ => RankedBy::Views,
    }
}

/// Creates the competition and queues its announcement in #competitions, in one transaction.
pub async fn start(
    pool: &PgPool,
    program: &Program,
    templates: &Templates,
    new: &NewCompetition,
    created_by: &str,
    at: DateTime<Utc>,
) -> Result<Competition> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(for_user(CompetitionError::NoName));
    }
    if !["gmv", "videos", "views"].contains(&new.metric.as_str()) {
        return Err(for_user(CompetitionError::UnknownMetric(
            new.metric.clone(),
        )));
    }
    let today = local_day(at, program.timezone);
    if new.period.to <= today {
        return Err(for_user(CompetitionError::EndsInThePast(format_day(today))));
    }
    let mut tx = pool.begin().await?;
    let competition = db::create_competition(
        &mut tx,
        program.id,
        name,
        &new.metric,
        (new.period.from, new.period.to),
        new.tier.map(|t| t.as_str()),
        new.prize.trim(),
        created_by,
        at,
    )
    .await?
    .ok_or_else(|| for_user(CompetitionError::NameTaken(name.to_string())))?;
    let vars = Vars::new()
        .set("name", competition.name.clone())
        .set("metric", metric_name(&competition.metric))
        .set("starts_on", format_day(competition.starts_on))
        .set("ends_on", format_day(last_day(&competition)))
        .set("scope", new.tier.map(|t| t.display_name()))
        .set("prize", competition.prize.clone());
    let c = Cadence {
        program,
        templates,
        instant: at,
    };
    c.post(
        &mut tx,
        ProgramChannel::Competitions,
        MessageKind::Channel,
        format!("competition:{}:started", competition.id),
        Message::CompetitionStarted,
        &vars,
    )
    .await?;
    tx.commit().await.context("starting the competition")?;
    Ok(competition)
}

/// The competition's standings at `at` (its whole window once it is over).
pub async fn standings(
    pool: &PgPool,
    program: &Program,
    competition: &Competition,
    at: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<RankedRow>> {
    let today = local_day(at, program.timezone);
    let to = competition.ends_on.min(today + chrono::Duration::days(1));
    let to = to.max(competition.starts_on);
    let instants = (
        start_of_day(competition.starts_on, program.timezone),
        start_of_day(to, program.timezone)
            .min(at.max(start_of_day(competition.starts_on, program.timezone))),
    );
    let instants = if to == competition.ends_on {
        (instants.0, start_of_day(to, program.timezone))
    } else {
        instants
    };
    crate::features::stats::top_creators(
        pool,
        program.id,
        ranked_by(&competition.metric),
        ((competition.starts_on, to), instants),
        competition.tier.as_deref(),
        limit,
    )
    .await
}

/// Finds a competition by name (case does not matter).
pub async fn find(pool: &PgPool, program: &Program, name: &str) -> Result<Competition> {
    db::competition_by_name(pool, program.id, name.trim())
        .await?
        .ok_or_else(|| for_user(CompetitionError::Unknown(name.trim().to_string())))
}

/// Staff end a competition now: the standings so far are final and the winners are announced.
pub async fn end(
    pool: &PgPool,
    program: &Program,
    templates: &Templates,
    name: &str,
    at: DateTime<Utc>,
) -> Result<Vec<RankedRow>> {
    let competition = find(pool, program, name).await?;
    if competition.ended_at.is_some() {
        return Err(for_user(CompetitionError::AlreadyEnded(competition.name)));
    }
    let c = Cadence {
        program,
        templates,
        instant: at,
    };
    announce_winners(pool, &c, &competition).await
}

/// Posts the standings of every running competition (started, not over) for the cadence
/// instant; returns how many were queued.
pub async fn post_standings(pool: &PgPool, c: &Cadence<'_>) -> Result<u64> {
    let today = c.today();
    let mut queued = 0;
    for k in db::running_competitions(pool, c.program.id, today).await? {
        if k.ends_on <= today {
            continue;
        }
        let rows = standings(pool, c.program, &k, c.instant, STANDINGS).await?;
        let vars = Vars::new()
            .set("name", k.name.clone())
            .set("metric", metric_name(&k.metric))
            .set("ends_on", format_day(last_day(&k)))
            .set("standings", places(c.program, &k.metric, rows));
        let text = c.templates.render(Message::CompetitionStandings, &vars)?;
        let mut conn = pool.acquire().await?;
        // The standings chart is drawn when the post is sent, from the standings as they are then.
        let post = Post {
            channel: ProgramChannel::Competitions,
            kind: MessageKind::Channel,
            dedupe_key: format!("competition:{}:standings:{}", k.id, c.instant.to_rfc3339()),
            template: Some(Message::CompetitionStandings.name()),
            text,
            charts: &[ChartSpec::Competition {
                competition_id: k.id,
            }],
        };
        if c.queue(&mut conn, post).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Announces the winners of every competition whose last day is over by the cadence instant;
/// returns how many.
pub async fn close_finished(pool: &PgPool, c: &Cadence<'_>) -> Result<u64> {
    let mut closed = 0;
    for k in db::running_competitions(pool, c.program.id, c.today()).await? {
        if start_of_day(k.ends_on, c.program.timezone) <= c.instant {
            announce_winners(pool, c, &k).await?;
            closed += 1;
        }
    }
    Ok(closed)
}

/// Marks the competition ended and queues the winners' announcement, in one transaction.
async fn announce_winners(
    pool: &PgPool,
    c: &Cadence<'_>,
    k: &Competition,
) -> Result<Vec<RankedRow>> {
    let winners = standings(pool, c.program, k, c.instant, WINNERS).await?;
    let mut tx = pool.begin().await?;
    if !db::end_competition(&mut tx, k.id, c.instant).await? {
        return Err(for_user(CompetitionError::AlreadyEnded(k.name.clone())));
    }
    let vars = Vars::new()
        .set("name", k.name.clone())
        .set("metric", metric_name(&k.metric))
        .set("winners", places(c.program, &k.metric, winners.clone()))
        .set("prize", k.prize.clone());
    post_in(&mut tx, c, k, &vars).await?;
    tx.commit().await.context("announcing the winners")?;
    Ok(winners)
}

async fn post_in(
    tx: &mut PgConnection,
    c: &Cadence<'_>,
    k: &Competition,
    vars: &Vars,
) -> Result<bool> {
    c.post(
        tx,
        ProgramChannel::Competitions,
        MessageKind::Channel,
        format!("competition:{}:winners", k.id),
        Message::CompetitionWinners,
        vars,
    )
    .await
}

/// The competition's last day (its end is exclusive).
fn last_day(k: &Competition) -> NaiveDate {
    k.ends_on - chrono::Duration::days(1)
}

/// Standings as the templates show them: `{rank, handle, score}` with the score formatted.
fn places(program: &Program, metric: &str, rows: Vec<RankedRow>) -> Vec<Value> {
    rows.into_iter()
        .map(|r| {
            let score = if metric == "gmv" {
                format_cents(r.value, &program.currency)
            } else {
                format_count(r.value)
            };
            minijinja::context! { rank => Value::from(r.rank), handle => Value::from(r.handle), score => Value::from(score) }
        })
        .collect()
}
