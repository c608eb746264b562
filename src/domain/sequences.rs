//! The creator sequences' timing (DOMAIN.md "Lifecycle"): which steps each sequence has, when
//! each falls due, how a first post is judged, and when a due DM may actually go out.
//!
//! A sequence's first step falls due a number of days after its anchor (join date, sample
//! delivery, last video); it starts only if that was less than `catch_up_days` ago, so creators
//! imported long after the fact are not greeted with old news. Each later step falls due its gap
//! after the step before it was due to go out, so a sequence that started late keeps its spacing.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::daytime::Daytime;
use super::messages::Message;
use crate::config::SequenceConfig;

/// One step of a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The step's name in dedupe keys (`seq:onboarding:{creator_id}:{name}`).
    pub name: &'static str,
    pub message: Message,
    /// Days from the sequence's anchor to the step's on-time due date.
    pub offset_days: u32,
    /// Days after the previous step's send time (0 for the first step).
    pub gap_days: u32,
    pub previous: Option<&'static str>,
}

/// A list of steps, each after the one before it.
fn chain(steps: &[(&'static str, Message, u32)]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for &(name, message, offset_days) in steps {
        let previous = out.last().copied();
        out.push(Step {
            name,
            message,
            offset_days,
            gap_days: previous.map_or(0, |p| offset_days.saturating_sub(p.offset_days)),
            previous: previous.map(|p| p.name),
        });
    }
    out
}

/// Welcome, content guide, catalogue: days after the join date. Stops once the creator posts.
pub fn onboarding(cfg: &SequenceConfig) -> Vec<Step> {
    chain(&[
        (
            "welcome",
            Message::OnboardingWelcome,
            cfg.onboarding_welcome_day,
        ),
        (
            "content_guide",
            Message::OnboardingContentGuide,
            cfg.onboarding_content_guide_day,
        ),
        (
            "catalogue",
            Message::OnboardingCatalogue,
            cfg.onboarding_catalogue_day,
        ),
    ])
}

/// Two nudges, then dormant with a staff alert: days after the sample's delivery. Stops once a
/// video of the product appears.
pub fn activation(cfg: &SequenceConfig) -> Vec<Step> {
    let first = cfg.activation_nudge_days;
    let second = first + cfg.activation_second_nudge_days;
    chain(&[
        ("nudge1", Message::ActivationNudge1, first),
        ("nudge2", Message::ActivationNudge2, second),
        (
            "dormant",
            Message::ActivationDormantAlert,
            second + cfg.activation_dormant_days,
        ),
    ])
}

/// Two check-ins, then the dormant list with a staff alert: days after the creator's last
/// video. A new video starts a new quiet spell.
pub fn reactivation(cfg: &SequenceConfig) -> Vec<Step> {
    chain(&[
        (
            "checkin1",
            Message::ReactivationCheckin1,
            cfg.reactivation_checkin_days,
        ),
        (
            "checkin2",
            Message::ReactivationCheckin2,
            cfg.reactivation_second_checkin_days,
        ),
        (
            "dormant",
            Message::ReactivationDormantAlert,
            cfg.reactivation_dormant_days,
        ),
    ])
}

/// The longest offset of a step list.
pub fn last_offset_days(steps: &[Step]) -> u32 {
    steps.iter().map(|s| s.offset_days).max().unwrap_or(0)
}

/// How far back a sequence may still start or a milestone still be celebrated.
pub fn catch_up(cfg: &SequenceConfig) -> Duration {
    Duration::days(i64::from(cfg.catch_up_days))
}

/// The thank-you a first video earns, by its views.
pub fn first_post_message(views: i64, cfg: &SequenceConfig) -> Message {
    if views >= cfg.first_post_high_min_views {
        Message::FirstPostHigh
    } else if views >= cfg.first_post_medium_min_views {
        Message::FirstPostMedium
    } else {
        Message::FirstPostGeneral
    }
}

/// When a DM that fell due at `due` may go out, judged at `now`: never before `now`, and only
/// inside the creator's daytime in `tz` (a DM due at night waits for their morning).
pub fn dm_send_at(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    daytime: &Daytime,
    tz: Tz,
) -> DateTime<Utc> {
    daytime.next_allowed(due.max(now), tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_chain_with_gaps() {
        let cfg = SequenceConfig::default();
        let steps = activation(&cfg);
        let plan: Vec<_> = steps
            .iter()
            .map(|s| (s.name, s.offset_days, s.gap_days, s.previous))
            .collect();
        assert_eq!(
            plan,
            vec![
                ("nudge1", 7, 0, None),
                ("nudge2", 14, 7, Some("nudge1")),
                ("dormant", 21, 7, Some("nudge2")),
            ]
        );
        let r: Vec<_> = reactivation(&cfg)
            .iter()
            .map(|s| (s.offset_days, s.gap_days))
            .collect();
        assert_eq!(r, vec![(30, 0), (45, 15), (60, 15)]);
        assert_eq!(last_offset_days(&onboarding(&cfg)), 5);
    }

    #[test]
    fn first_posts_are_judged_by_views() {
        let cfg = SequenceConfig::default();
        assert_eq!(first_post_message(50_000, &cfg), Message::FirstPostHigh);
        assert_eq!(first_post_message(49_999, &cfg), Message::FirstPostMedium);
        assert_eq!(first_post_message(5_000, &cfg), Message::FirstPostMedium);
        assert_eq!(first_post_message(4_999, &cfg), Message::FirstPostGeneral);
    }

    #[test]
    fn dms_wait_for_daytime_and_never_go_back_in_time() {
        let d = Daytime::default();
        let ny: Tz = "America/New_York".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Due at local midnight, judged at midnight: 09:00 EST.
        assert_eq!(
            dm_send_at(
                at("2026-11-21T05:00:00Z"),
                at("2026-11-21T05:00:00Z"),
                &d,
                ny
            ),
            at("2026-11-21T14:00:00Z")
        );
        // Due in the morning but noticed in the afternoon: now.
        assert_eq!(
            dm_send_at(
                at("2026-11-21T14:00:00Z"),
                at("2026-11-21T19:00:00Z"),
                &d,
                ny
            ),
            at("2026-11-21T19:00:00Z")
        );
    }
}
