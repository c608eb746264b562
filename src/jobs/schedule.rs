//! The scheduler: one registry of the jobs the bot runs by itself, each on a cadence in the
//! program's time zone. `run_due(now)` runs every job whose latest cadence instant at or before
//! `now` has not run yet for that program — once, however many scheduler processes call it (a
//! per-job lock and the `job_runs` table) — and skips instants older than the catch-up window.
//! Jobs are idempotent: what they queue carries dedupe keys, so a run repeated after a crash adds
//! nothing.

use std::borrow::Cow;

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Duration, Utc};

use crate::app::App;
use crate::config::Config;
use crate::db::job_runs;
use crate::db::programs::{self, Program};
use crate::domain::cadence::Cadence;
use crate::domain::timefmt::local_day;
use crate::features::cadences::{
    self, checkins, competitions, pulse, staff_reports, steady_update,
};
use crate::features::{sequences, tiers};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    Sequences,
    Tiers,
    AllStarsCheckin,
    AllStarsCheckinReport,
    SteadyEarnersUpdate,
    WeeklyPulse,
    MonthlyReport,
    QuarterlyReport,
    CompetitionStandings,
    CompetitionWinners,
    TikTokOrders,
    TikTokSettlements,
    TikTokSamples,
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub description: &'static str,
    cadence: fn(&Config) -> Cow<'_, Cadence>,
    work: Work,
}

impl Job {
    /// The job's cadence as configured.
    pub fn cadence<'c>(&self, config: &'c Config) -> Cow<'c, Cadence> {
        (self.cadence)(config)
    }
}

/// Every scheduled job.
pub fn registry() -> &'static [Job] {
    &[
        Job {
            name: "sequences",
            description: "queue the creator DM sequences' due steps (onboarding, sample follow-up, reactivation, milestones, first-post thanks, promotion notes)",
            cadence: |c| Cow::Borrowed(&c.cadences.sequences),
            work: Work::Sequences,
        },
        Job {
            name: "tiers",
            description: "daily tier check (promotions, viral jumps); the monthly review on tiers.review_day_of_month",
            cadence: |c| Cow::Borrowed(&c.cadences.tiers),
            work: Work::Tiers,
        },
        Job {
            name: "all_stars_checkin",
            description: "the All-Stars weekly check-in post",
            cadence: |c| Cow::Borrowed(&c.cadences.all_stars_checkin),
            work: Work::AllStarsCheckin,
        },
        Job {
            name: "all_stars_checkin_report",
            description: "tell staff who answered the check-in and who did not",
            cadence: |c| Cow::Borrowed(&c.cadences.all_stars_checkin_report),
            work: Work::AllStarsCheckinReport,
        },
        Job {
            name: "steady_earners_update",
            description: "the Steady Earners update (every cadences.steady_earners_every_weeks weeks)",
            cadence: |c| Cow::Borrowed(&c.cadences.steady_earners_update),
            work: Work::SteadyEarnersUpdate,
        },
        Job {
            name: "weekly_pulse",
            description: "the staff weekly pulse",
            cadence: |c| Cow::Borrowed(&c.cadences.weekly_pulse),
            work: Work::WeeklyPulse,
        },
        Job {
            name: "monthly_report",
            description: "the staff monthly deep-dive, after the monthly review (cadences.monthly_report)",
            cadence: |c| c.cadences.monthly_report(&c.tiers),
            work: Work::MonthlyReport,
        },
        Job {
            name: "quarterly_report",
            description: "the staff quarterly review of the quarter before",
            cadence: |c| Cow::Borrowed(&c.cadences.quarterly_report),
            work: Work::QuarterlyReport,
        },
        Job {
            name: "competition_standings",
            description: "standings of running competitions in #competitions",
            cadence: |c| Cow::Borrowed(&c.cadences.competition_standings),
            work: Work::CompetitionStandings,
        },
        Job {
            name: "competition_winners",
            description: "announce the winners of competitions that are over",
            cadence: |c| Cow::Borrowed(&c.cadences.competition_winners),
            work: Work::CompetitionWinners,
        },
        Job {
            name: "tiktok_orders",
            description: "TikTok Shop: read the orders created since the last sync (when a shop is connected)",
            cadence: |c| Cow::Borrowed(&c.cadences.tiktok_orders),
            work: Work::TikTokOrders,
        },
        Job {
            name: "tiktok_settlements",
            description: "TikTok Shop: re-read the last tiktok.settlement_days of orders for settlements, refunds and actual commissions",
            cadence: |c| Cow::Borrowed(&c.cadences.tiktok_settlements),
            work: Work::TikTokSettlements,
        },
        Job {
            name: "tiktok_samples",
            description: "TikTok Shop: read the sample applications and stamp each new status",
            cadence: |c| Cow::Borrowed(&c.cadences.tiktok_samples),
            work: Work::TikTokSamples,
        },
    ]
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
pub async fn run_due(app: &App, now: DateTime<Utc>) -> Result<Vec<JobRun>> {
    let mut runs = Vec::new();
    for program in programs::all(&app.pool).await? {
        runs.extend(run_due_for(app, &program, now).await?);
    }
    Ok(runs)
}

/// [`run_due`] for one program only (the console demo runs one program on a simulated clock).
pub async fn run_due_for(app: &App, program: &Program, now: DateTime<Utc>) -> Result<Vec<JobRun>> {
    let (pool, config) = (&app.pool, &*app.config);
    let catch_up = Duration::hours(i64::from(config.cadences.catch_up_hours));
    let mut runs = Vec::new();
    for job in registry() {
        // The TikTok Shop syncs run only where TikTok Shop is set up.
        let tiktok = matches!(
            job.work,
            Work::TikTokOrders | Work::TikTokSettlements | Work::TikTokSamples
        );
        if tiktok && app.tiktok.is_none() {
            continue;
        }
        let cadence = job.cadence(config);
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
        match work(app, program, job.work, instant).await {
            Ok(summary) => {
                job_runs::record(&mut tx, program.id, job.name, instant, now, &summary).await?;
                tx.commit().await.context("recording a job run")?;
                crate::metrics::record_job(job.name, "ok");
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
                crate::metrics::record_job(job.name, "failed");
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
    Ok(runs)
}

async fn work(app: &App, program: &Program, work: Work, instant: DateTime<Utc>) -> Result<String> {
    let (pool, config, templates) = (&app.pool, &*app.config, &*app.templates);
    let cadence = cadences::Cadence {
        program,
        templates,
        instant,
    };
    let posted = |queued: bool| if queued { "posted" } else { "already posted" }.to_string();
    Ok(match work {
        Work::Sequences => {
            let s = sequences::schedule(pool, program, config, templates, instant).await?;
            format!(
                "{} DMs and {} staff alerts queued, {} cancelled",
                s.onboarding
                    + s.activation
                    + s.reactivation
                    + s.first_posts
                    + s.milestones
                    + s.promotions,
                s.staff_alerts,
                s.cancelled
            )
        }
        Work::Tiers => {
            let day = local_day(instant, program.timezone);
            let run = if day.day() == config.tiers.review_day_of_month {
                tiers::review(pool, program, &config.tiers, instant, false).await?
            } else {
                tiers::check(pool, program, &config.tiers, instant).await?
            };
            format!(
                "{}: {} promoted, {} demoted, {} viral alerts",
                run.run.replace('_', " "),
                run.promoted,
                run.demoted,
                run.alerts_queued
            )
        }
        Work::AllStarsCheckin => posted(checkins::post(pool, &cadence).await?),
        Work::AllStarsCheckinReport => {
            if checkins::report(pool, &cadence).await? {
                "report posted".to_string()
            } else {
                "no check-in to report on, or reported already".to_string()
            }
        }
        Work::SteadyEarnersUpdate => {
            let every = config.cadences.steady_earners_every_weeks;
            if steady_update::cycle(cadence.today(), every).is_none() {
                "not this week".to_string()
            } else {
                posted(steady_update::post(pool, &cadence, every).await?)
            }
        }
        Work::WeeklyPulse => posted(pulse::post(pool, &cadence).await?),
        Work::MonthlyReport => posted(staff_reports::post_monthly(pool, &cadence).await?),
        Work::QuarterlyReport => posted(staff_reports::post_quarterly(pool, &cadence).await?),
        Work::CompetitionStandings => format!(
            "{} standings posted",
            competitions::post_standings(pool, &cadence).await?
        ),
        Work::CompetitionWinners => format!(
            "{} competitions closed",
            competitions::close_finished(pool, &cadence).await?
        ),
        Work::TikTokOrders | Work::TikTokSettlements | Work::TikTokSamples => {
            return tiktok_sync(app, program, work).await;
        }
    })
}

/// A scheduled TikTok Shop sync. A run that failed is logged, counted and recorded with the
/// sync (`/sync`, `tiktok status`) and tried again at the next cadence instant, not every tick:
/// an outage at TikTok is not hammered.
async fn tiktok_sync(app: &App, program: &Program, work: Work) -> Result<String> {
    use crate::features::tiktok::{SyncKind, orders, samples};
    let creds = app.tiktok()?;
    let outcome = match work {
        Work::TikTokSamples => samples::sync(app, creds, program).await?,
        Work::TikTokSettlements => {
            orders::sync(app, creds, program, SyncKind::Settlements, None, None).await?
        }
        _ => orders::sync(app, creds, program, SyncKind::Orders, None, None).await?,
    };
    Ok(outcome.summary())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = registry().iter().map(|j| j.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
