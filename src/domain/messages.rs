//! Every message the bot writes from a template: its file under `templates/` and the variables
//! the template may use. A template using anything else is refused when the bot starts.

use chrono::NaiveDate;

/// One message, one template file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Message {
    OnboardingWelcome,
    OnboardingContentGuide,
    OnboardingCatalogue,
    ActivationNudge1,
    ActivationNudge2,
    ActivationDormantAlert,
    ReactivationCheckin1,
    ReactivationCheckin2,
    ReactivationDormantAlert,
    MilestoneFirstSale,
    MilestoneCommission,
    MilestoneViral,
    MilestoneViralAlert,
    FirstPostHigh,
    FirstPostMedium,
    FirstPostGeneral,
    TierPromotionSteadyEarners,
    TierPromotionAllStars,
    AllStarsCheckin,
    AllStarsCheckinReport,
    SteadyEarnersUpdate,
    WeeklyPulse,
    CompetitionStarted,
    CompetitionStandings,
    CompetitionWinners,
    DeliveryFailedAlert,
    /// A new member of the program's server, not linked to a creator yet.
    MemberWelcome,
    /// The TikTok Shop authorization stopped working: the sync waits for a new connect.
    TikTokDisconnectedAlert,
    /// The TikTok Shop sync failed several times in a row.
    TikTokSyncFailingAlert,
}

impl Message {
    pub const ALL: [Message; 29] = [
        Message::OnboardingWelcome,
        Message::OnboardingContentGuide,
        Message::OnboardingCatalogue,
        Message::ActivationNudge1,
        Message::ActivationNudge2,
        Message::ActivationDormantAlert,
        Message::ReactivationCheckin1,
        Message::ReactivationCheckin2,
        Message::ReactivationDormantAlert,
        Message::MilestoneFirstSale,
        Message::MilestoneCommission,
        Message::MilestoneViral,
        Message::MilestoneViralAlert,
        Message::FirstPostHigh,
        Message::FirstPostMedium,
        Message::FirstPostGeneral,
        Message::TierPromotionSteadyEarners,
        Message::TierPromotionAllStars,
        Message::AllStarsCheckin,
        Message::AllStarsCheckinReport,
        Message::SteadyEarnersUpdate,
        Message::WeeklyPulse,
        Message::CompetitionStarted,
        Message::CompetitionStandings,
        Message::CompetitionWinners,
        Message::DeliveryFailedAlert,
        Message::MemberWelcome,
        Message::TikTokDisconnectedAlert,
        Message::TikTokSyncFailingAlert,
    ];

    /// The template's name, as stored in the outbox's `template` column; the file is
    /// `{name}.txt`.
    pub fn name(self) -> &'static str {
        match self {
            Message::OnboardingWelcome => "onboarding_welcome",
            Message::OnboardingContentGuide => "onboarding_content_guide",
            Message::OnboardingCatalogue => "onboarding_catalogue",
            Message::ActivationNudge1 => "activation_nudge_1",
            Message::ActivationNudge2 => "activation_nudge_2",
            Message::ActivationDormantAlert => "activation_dormant_alert",
            Message::ReactivationCheckin1 => "reactivation_checkin_1",
            Message::ReactivationCheckin2 => "reactivation_checkin_2",
            Message::ReactivationDormantAlert => "reactivation_dormant_alert",
            Message::MilestoneFirstSale => "milestone_first_sale",
            Message::MilestoneCommission => "milestone_commission",
            Message::MilestoneViral => "milestone_viral",
            Message::MilestoneViralAlert => "milestone_viral_alert",
            Message::FirstPostHigh => "first_post_high",
            Message::FirstPostMedium => "first_post_medium",
            Message::FirstPostGeneral => "first_post_general",
            Message::TierPromotionSteadyEarners => "tier_promotion_steady_earners",
            Message::TierPromotionAllStars => "tier_promotion_all_stars",
            Message::AllStarsCheckin => "all_stars_checkin",
            Message::AllStarsCheckinReport => "all_stars_checkin_report",
            Message::SteadyEarnersUpdate => "steady_earners_update",
            Message::WeeklyPulse => "weekly_pulse",
            Message::CompetitionStarted => "competition_started",
            Message::CompetitionStandings => "competition_standings",
            Message::CompetitionWinners => "competition_winners",
            Message::DeliveryFailedAlert => "delivery_failed_alert",
            Message::MemberWelcome => "member_welcome",
            Message::TikTokDisconnectedAlert => "tiktok_disconnected_alert",
            Message::TikTokSyncFailingAlert => "tiktok_sync_failing_alert",
        }
    }

    pub fn file_name(self) -> String {
        format!("{}.txt", self.name())
    }

    /// The variables the template may use. Money arrives formatted in the program's currency,
    /// counts with thousands separators, dates as `12 Mar 2026`; a variable that may be empty
    /// (`new_product`) is `none` and wants an `{% if %}`.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Message::OnboardingWelcome => &["first_name", "handle", "program", "tier"],
            Message::OnboardingContentGuide => &["first_name", "program"],
            Message::OnboardingCatalogue => &["first_name", "program", "products"],
            Message::ActivationNudge1 => &["first_name", "product"],
            Message::ActivationNudge2 => &["first_name", "product", "days"],
            Message::ActivationDormantAlert => &[
                "handle",
                "product",
                "delivered_on",
                "days",
                "moved_to_dormant",
            ],
            Message::ReactivationCheckin1 => &["first_name", "days", "new_product"],
            Message::ReactivationCheckin2 => &["first_name", "days", "new_product"],
            Message::ReactivationDormantAlert => &["handle", "days", "last_video_on"],
            Message::MilestoneFirstSale => &["first_name", "program"],
            Message::MilestoneCommission => &["first_name", "commission", "milestone"],
            Message::MilestoneViral => &["first_name", "gmv", "days", "tier"],
            Message::MilestoneViralAlert => &["handle", "gmv", "days"],
            Message::FirstPostHigh | Message::FirstPostMedium => {
                &["first_name", "views", "product", "new_product"]
            }
            Message::FirstPostGeneral => &["first_name", "views", "product"],
            Message::TierPromotionSteadyEarners => &["first_name", "tier", "next_tier_gap"],
            Message::TierPromotionAllStars => &["first_name", "tier"],
            Message::AllStarsCheckin => &["program", "week_of"],
            // `answered`: [{handle, answer}]; `missing`: [handle].
            Message::AllStarsCheckinReport => &["week_of", "answered", "missing"],
            // `top_videos`: [{handle, views, product}]; `leaderboard`: [{rank, handle, gmv}];
            // `new_products`: [name]; `competitions`: [{name, metric, ends_on}].
            Message::SteadyEarnersUpdate => &[
                "from",
                "to",
                "top_videos",
                "leaderboard",
                "tip",
                "new_products",
                "competitions",
            ],
            // `top`: [{handle, gmv}]; `new_activations` and `first_sales`: [handle]; `change`:
            // `+12.5%` or none; `unlinked`: creators with no chat account on a connected platform.
            Message::WeeklyPulse => &[
                "from",
                "to",
                "gmv",
                "previous_gmv",
                "change",
                "orders",
                "new_activations",
                "first_sales",
                "top",
                "unlinked",
            ],
            Message::CompetitionStarted => {
                &["name", "metric", "starts_on", "ends_on", "scope", "prize"]
            }
            // `standings` and `winners`: [{rank, handle, score}].
            Message::CompetitionStandings => &["name", "metric", "ends_on", "standings"],
            Message::CompetitionWinners => &["name", "metric", "winners", "prize"],
            Message::DeliveryFailedAlert => &["what", "template", "reason"],
            Message::MemberWelcome => &["name", "program"],
            Message::TikTokDisconnectedAlert => &["shop", "program", "reason"],
            Message::TikTokSyncFailingAlert => &["shop", "failures", "error"],
        }
    }
}

/// `12,345`.
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12 Mar 2026`: unambiguous for creators on either side of the Atlantic.
pub fn format_day(day: NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_declare_variables() {
        let mut names: Vec<&str> = Message::ALL.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Message::ALL.len());
        assert_eq!(
            Message::ActivationNudge1.file_name(),
            "activation_nudge_1.txt"
        );
    }

    #[test]
    fn counts_and_days() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(12_345), "12,345");
        assert_eq!(format_count(1_000_000), "1,000,000");
        assert_eq!(
            format_day(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()),
            "8 Mar 2026"
        );
    }
}
