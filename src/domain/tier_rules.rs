//! The tier rules (DOMAIN.md "Tiers"): from a creator's trailing-window numbers and the config,
//! the tier they earn and why, what a monthly review or daily check does with them, and what it
//! takes to move up. Pure: the numbers come from one SQL query, the decisions are made here.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::config::TierConfig;

use super::timefmt::{local_day, start_of_day};
use super::{Cents, Tier, format_cents};

/// Tier commands' mistakes, in words fit for the staff member who made them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TierError {
    #[error("there is no creator @{0} in this program")]
    UnknownCreator(String),
    #[error("@{0} is not pinned")]
    NotPinned(String),
    #[error("give a reason (--reason \"...\"): every tier change is kept with its reason")]
    MissingReason,
}

/// The complete program-local days a judgement at `at` looks at: order days
/// `[first_day, end_day)` for the trailing window and `[viral_first_day, end_day)` for the viral
/// one, where `end_day` is the day of `at` (never counted: it is not over yet); videos posted in
/// `[videos_from, videos_to)`, the first and end days at local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierWindow {
    pub first_day: NaiveDate,
    pub viral_first_day: NaiveDate,
    pub end_day: NaiveDate,
    pub videos_from: DateTime<Utc>,
    pub videos_to: DateTime<Utc>,
}

impl TierWindow {
    pub fn at(at: DateTime<Utc>, tz: Tz, cfg: &TierConfig) -> TierWindow {
        let end_day = local_day(at, tz);
        let first_day = end_day - Days::new(u64::from(cfg.window_days));
        TierWindow {
            first_day,
            viral_first_day: end_day - Days::new(u64::from(cfg.viral_window_days)),
            end_day,
            videos_from: start_of_day(first_day, tz),
            videos_to: start_of_day(end_day, tz),
        }
    }
}

/// One creator's numbers over the trailing windows before the instant being judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TierMetrics {
    /// Net GMV over the `window_days` complete days.
    pub gmv_cents: Cents,
    /// Videos posted in the same window.
    pub videos: i64,
    /// At least one net order line in the window.
    pub has_sale: bool,
    /// RANK() by window GMV among selling creators (ties share the better rank); `None` when the
    /// creator sold nothing.
    pub rank: Option<i64>,
    /// Creators with window GMV > 0.
    pub selling_creators: i64,
    /// Net GMV over the `viral_window_days` complete days.
    pub gmv_7d_cents: Cents,
}

/// The tier a creator's numbers earn, with the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub tier: Tier,
    pub reason: String,
}

/// Why a tier changed, as stored in `tier_history.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    MonthlyReview,
    DailyCheck,
    Viral,
    Pinned,
    Unpinned,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::MonthlyReview => "monthly_review",
            ChangeKind::DailyCheck => "daily_check",
            ChangeKind::Viral => "viral",
            ChangeKind::Pinned => "pinned",
            ChangeKind::Unpinned => "unpinned",
        }
    }
}

/// Which automatic run is judging: the review moves both ways, the check only up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    MonthlyReview,
    DailyCheck,
}

/// What a run does with one creator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Staff pinned the tier; runs leave it alone. A pinned creator below All-Stars who went
    /// viral keeps the pin, but staff are still alerted.
    PinnedSkipped {
        alert_staff: bool,
    },
    Unchanged,
    Change {
        to: Tier,
        kind: ChangeKind,
        reason: String,
        /// A viral jump: staff get an alert.
        alert_staff: bool,
    },
}

/// Number of places in the top `percent` % of `selling` creators: ceil(percent × selling / 100).
pub fn top_slots(percent: u32, selling: i64) -> i64 {
    (i64::from(percent) * selling.max(0) + 99) / 100
}

/// The tier the numbers earn. All-Stars by GMV or by a top-percent rank (or a viral week, which
/// only matters when the 7-day window is configured longer than the trailing one); Steady Earners
/// by GMV or by enough videos with a sale; New & Promising otherwise.
pub fn earned_tier(m: &TierMetrics, cfg: &TierConfig, currency: &str) -> Placement {
    let money = |c: Cents| format_cents(c, currency);
    let days = cfg.window_days;
    let placed = |tier, reason: String| Placement { tier, reason };
    if m.gmv_cents >= cfg.all_stars_min_gmv_cents {
        return placed(
            Tier::AllStars,
            format!(
                "trailing {days}-day GMV {} ≥ {}",
                money(m.gmv_cents),
                money(cfg.all_stars_min_gmv_cents)
            ),
        );
    }
    if let Some(rank) = m.rank
        && m.gmv_cents > 0
        && rank <= top_slots(cfg.all_stars_top_percent, m.selling_creators)
    {
        return placed(
            Tier::AllStars,
            format!(
                "top {}% of selling creators (rank {rank} of {})",
                cfg.all_stars_top_percent, m.selling_creators
            ),
        );
    }
    if let Some(reason) = viral_reason(m, cfg, currency) {
        return placed(Tier::AllStars, reason);
    }
    if m.gmv_cents >= cfg.steady_min_gmv_cents {
        return placed(
            Tier::SteadyEarners,
            format!(
                "trailing {days}-day GMV {} ≥ {}",
                money(m.gmv_cents),
                money(cfg.steady_min_gmv_cents)
            ),
        );
    }
    let min_videos = i64::from(cfg.steady_min_videos);
    if m.videos >= min_videos && m.has_sale {
        return placed(
            Tier::SteadyEarners,
            format!("{} and a sale in the last {days} days", videos(m.videos)),
        );
    }
    let mut reason = format!(
        "trailing {days}-day GMV {} below {}",
        money(m.gmv_cents),
        money(cfg.steady_min_gmv_cents)
    );
    if m.videos >= min_videos {
        reason.push_str(&format!(
            "; {} but no sale in the last {days} days",
            videos(m.videos)
        ));
    }
    placed(Tier::NewAndPromising, reason)
}

/// `Some(reason)` when the trailing viral-window GMV reaches the viral threshold.
pub fn viral_reason(m: &TierMetrics, cfg: &TierConfig, currency: &str) -> Option<String> {
    (m.gmv_7d_cents >= cfg.viral_min_gmv_cents).then(|| {
        format!(
            "{}-day GMV {} ≥ {} (went viral)",
            cfg.viral_window_days,
            format_cents(m.gmv_7d_cents, currency),
            format_cents(cfg.viral_min_gmv_cents, currency)
        )
    })
}

/// What `run` does with a creator now in `current` (pinned or not) with numbers `m`. A creator who
/// went viral and is not yet an All-Star jumps there in either run, and staff are alerted.
pub fn decide(
    run: Run,
    current: Tier,
    pinned: bool,
    m: &TierMetrics,
    cfg: &TierConfig,
    currency: &str,
) -> Decision {
    if pinned {
        return Decision::PinnedSkipped {
            alert_staff: current != Tier::AllStars && viral_reason(m, cfg, currency).is_some(),
        };
    }
    if current != Tier::AllStars
        && let Some(reason) = viral_reason(m, cfg, currency)
    {
        return Decision::Change {
            to: Tier::AllStars,
            kind: ChangeKind::Viral,
            reason,
            alert_staff: true,
        };
    }
    let earned = earned_tier(m, cfg, currency);
    let moves = match run {
        Run::MonthlyReview => earned.tier != current,
        // Demotions wait for the monthly review.
        Run::DailyCheck => earned.tier.is_above(current),
    };
    if !moves {
        return Decision::Unchanged;
    }
    Decision::Change {
        to: earned.tier,
        kind: match run {
            Run::MonthlyReview => ChangeKind::MonthlyReview,
            Run::DailyCheck => ChangeKind::DailyCheck,
        },
        reason: earned.reason,
        alert_staff: false,
    }
}

/// What it takes to reach the tier above the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    pub tier: Tier,
    /// More trailing-window GMV needed to reach the tier by GMV alone (0 when already enough).
    pub gap_cents: Cents,
    /// For Steady Earners: more videos needed for the videos-with-a-sale route.
    pub videos_needed: Option<i64>,
    /// The ways up, as sentences.
    pub hints: Vec<String>,
}

/// The way up from `current`; `None` for All-Stars, the top tier.
pub fn next_step(
    current: Tier,
    m: &TierMetrics,
    cfg: &TierConfig,
    currency: &str,
) -> Option<NextStep> {
    let money = |c: Cents| format_cents(c, currency);
    let days = cfg.window_days;
    let target = match current {
        Tier::AllStars => return None,
        Tier::SteadyEarners => Tier::AllStars,
        Tier::NewAndPromising => Tier::SteadyEarners,
    };
    let earned = earned_tier(m, cfg, currency);
    let min_gmv = match target {
        Tier::AllStars => cfg.all_stars_min_gmv_cents,
        _ => cfg.steady_min_gmv_cents,
    };
    let gap_cents = (min_gmv - m.gmv_cents).max(0);
    let videos_needed = (target == Tier::SteadyEarners)
        .then(|| (i64::from(cfg.steady_min_videos) - m.videos).max(0));
    let mut hints = Vec::new();
    if earned.tier.is_above(current) {
        hints.push(format!(
            "already qualifies for {} ({})",
            earned.tier, earned.reason
        ));
    } else {
        hints.push(format!(
            "{} more GMV in the trailing {days} days reaches {target} ({})",
            money(gap_cents),
            money(min_gmv)
        ));
        match (target, videos_needed) {
            (Tier::SteadyEarners, Some(0)) => hints.push(format!(
                "a sale in the trailing {days} days (with {} posted) reaches {target}",
                videos(m.videos)
            )),
            (Tier::SteadyEarners, Some(n)) => hints.push(format!(
                "{n} more {} (with a sale) reaches {target}",
                if n == 1 { "video" } else { "videos" }
            )),
            _ => {}
        }
        if target == Tier::AllStars && cfg.all_stars_top_percent > 0 {
            // A creator who starts selling adds one to the count of selling creators.
            let selling = m.selling_creators + i64::from(m.rank.is_none());
            hints.push(format!(
                "a place in the top {}% of selling creators (the top {} of {selling}) reaches {target}",
                cfg.all_stars_top_percent,
                top_slots(cfg.all_stars_top_percent, selling).max(1)
            ));
        }
    }
    Some(NextStep {
        tier: target,
        gap_cents,
        videos_needed,
        hints,
    })
}

fn videos(n: i64) -> String {
    if n == 1 {
        "1 video".into()
    } else {
        format!("{n} videos")
    }
}

#[cfg(test)]
mod tests;
