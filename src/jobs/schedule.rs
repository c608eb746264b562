//! The scheduler: one registry of the jobs the bot runs by itself, each on a cadence in the
//! program's time zone. `run_due(now)` runs every job whose latest cadence instant at or before
//! `now` has not run yet for that program — once, however many scheduler processes call it (a
//! per-job lock and the `job_runs` table) — and skips instants older than the catch-up window.
//! Jobs are idempotent: what they queue carries dedupe keys, so a run repeated after a crash adds
//! nothing.

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Duration, Utc};
use sqlx::PgPool;

use crate::config::Config;
use crate::db::job_runs;
use crate::db::programs::{self, Program};
use crate::domain::cadence::Cadence;
use crate::domain::timefmt::local_day;
use crate::features::tiers;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    Tiers,
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub description: &'static str,
    cadence: fn(&Config) -> &str,
    work: Work,
}

impl Job {
    /// The job's cadence expression as configured.
    pub fn cadence<'c>(&self, config: &'c Config) -> &'c str {
        (self.cadence)(config)
    }
}

/// Every scheduled job.
pub fn registry() -> &'static [Job] {
    &[Job {
        name: "tiers",
        description: "daily tier check (promotions, viral jumps); the monthly review on tiers.review_day_of_month",
        cadence: |c| &c.cadences.tiers,
        work: Work::Tiers,
    }]
}

/// One job run (or failure) for one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub program: String,
    pub job: &'static str,
    /// The cadence instant it ran for.
    pub instant: DateTime<Utc>,
    /// What it did, or why it failed (a failed run is tried again on the next call).
    pub summary: String,
    pub failed: bool,
}

/// Runs every job that is due at `now` and has not run for its instant; returns what ran.
pub async fn run_due(pool: &PgPool, config: &Config, now: DateTime<Utc>) -> Result<Vec<JobRun>> {
    let catch_up = Duration::hours(i64::from(config.cadences.catch_up_hours));
    let mut runs = Vec::new();
    for program in programs::all(pool).await? {
        for job in registry() {
            let cadence = Cadence::parse(job.cadence(config))?;
            let Some(instant) = cadence.latest(now, program.timezone) else {
                continue;
            };
            if now - instant > catch_up {
                continue;
            }
            let mut tx = pool.begin().await.context("starting a job")?;
            if job_runs::lock_and_check(&mut tx, program.id, job.name, instant).await? {
                continue;
            }
            match work(pool, config, &program, job.work, instant).await {
                Ok(summary) => {
                    job_runs::record(&mut tx, program.id, job.name, instant, now, &summary).await?;
                    tx.commit().await.context("recording a job run")?;
                    runs.push(JobRun {
                        program: program.slug.clone(),
                        job: job.name,
                        instant,
                        summary,
                        failed: false,
                    });
                }
                Err(e) => {
                    tracing::error!(program = program.slug, job = job.name, "job failed: {e:#}");
                    runs.push(JobRun {
                        program: program.slug.clone(),
                        job: job.name,
                        instant,
                        summary: format!("{e:#}"),
                        failed: true,
                    });
                }
            }
        }
    }
    Ok(runs)
}

async fn work(
    pool: &PgPool,
    config: &Config,
    program: &Program,
    work: Work,
    instant: DateTime<Utc>,
) -> Result<String> {
    match work {
        Work::Tiers => {
            let day = local_day(instant, program.timezone);
            let run = if day.day() == config.tiers.review_day_of_month {
                tiers::review(pool, program, &config.tiers, instant, false).await?
            } else {
                tiers::check(pool, program, &config.tiers, instant).await?
            };
            Ok(format!(
                "{}: {} promoted, {} demoted, {} viral alerts",
                run.run.replace('_', " "),
                run.promoted,
                run.demoted,
                run.alerts_queued
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_default_cadences_parse() {
        let config = Config::default();
        let mut names: Vec<&str> = registry().iter().map(|j| j.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        for job in registry() {
            assert!(Cadence::parse(job.cadence(&config)).is_ok(), "{}", job.name);
        }
    }
}
