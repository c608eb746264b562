//! The program's channels, the same on every platform: #staff, #competitions and one channel per
//! paid tier. Each platform maps them to its own channel ids (`chat_channels`); the tier roles
//! that gate them on Discord are mapped in `chat_roles`.

use std::fmt;
use std::str::FromStr;

use super::tier::Tier;

/// One of the program's channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProgramChannel {
    /// Staff only: alerts and reports.
    Staff,
    /// Competition announcements, standings and winners.
    Competitions,
    /// A tier's private channel (All-Stars or Steady Earners).
    Tier(Tier),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a program channel: use staff, competitions, all-stars or steady-earners")]
pub struct UnknownChannel(pub String);

impl ProgramChannel {
    /// Every channel a program has, in the order setup and `channels list` show them.
    pub const ALL: [ProgramChannel; 4] = [
        ProgramChannel::Tier(Tier::AllStars),
        ProgramChannel::Tier(Tier::SteadyEarners),
        ProgramChannel::Competitions,
        ProgramChannel::Staff,
    ];

    /// The stable key stored in the outbox and the channel map: `staff`, `competitions`,
    /// `tier:all_stars`, `tier:steady_earners`.
    pub fn key(self) -> String {
        match self {
            ProgramChannel::Staff => "staff".into(),
            ProgramChannel::Competitions => "competitions".into(),
            ProgramChannel::Tier(t) => format!("tier:{}", t.as_str()),
        }
    }

    /// The channel's name as people see it, without `#`: `all-stars`, `steady-earners`.
    pub fn name(self) -> String {
        match self {
            ProgramChannel::Staff => "staff".into(),
            ProgramChannel::Competitions => "competitions".into(),
            ProgramChannel::Tier(t) => t.as_str().replace('_', "-"),
        }
    }

    /// A stored key (`tier:all_stars`) as people read it (`#all-stars`); a key that is no
    /// program channel reads as it is.
    pub fn display_key(key: &str) -> String {
        key.parse::<ProgramChannel>()
            .map_or_else(|_| key.to_string(), |c| c.to_string())
    }

    /// The channel of a tier, if the tier has one (New & Promising has none).
    pub fn of_tier(tier: Tier) -> Option<ProgramChannel> {
        (tier != Tier::NewAndPromising).then_some(ProgramChannel::Tier(tier))
    }
}

impl fmt::Display for ProgramChannel {
    /// `#all-stars`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.name())
    }
}

impl FromStr for ProgramChannel {
    type Err = UnknownChannel;

    /// Reads a key (`tier:all_stars`) or a name as people write it (`#all-stars`, `all_stars`,
    /// `Staff`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let raw = s.trim();
        let name = raw
            .trim_start_matches('#')
            .trim_start_matches("tier:")
            .to_lowercase()
            .replace('-', "_");
        match name.as_str() {
            "staff" => Ok(ProgramChannel::Staff),
            "competitions" => Ok(ProgramChannel::Competitions),
            "all_stars" => Ok(ProgramChannel::Tier(Tier::AllStars)),
            "steady_earners" => Ok(ProgramChannel::Tier(Tier::SteadyEarners)),
            _ => Err(UnknownChannel(raw.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_names_and_parsing_round_trip() {
        for c in ProgramChannel::ALL {
            assert_eq!(c.key().parse::<ProgramChannel>(), Ok(c));
            assert_eq!(c.to_string().parse::<ProgramChannel>(), Ok(c));
        }
        assert_eq!(
            ProgramChannel::Tier(Tier::AllStars).to_string(),
            "#all-stars"
        );
        assert_eq!(
            ProgramChannel::Tier(Tier::SteadyEarners).key(),
            "tier:steady_earners"
        );
        assert_eq!("Staff".parse(), Ok(ProgramChannel::Staff));
        assert_eq!(
            "general".parse::<ProgramChannel>().unwrap_err().to_string(),
            "\"general\" is not a program channel: use staff, competitions, all-stars or \
             steady-earners"
        );
        assert_eq!(ProgramChannel::of_tier(Tier::NewAndPromising), None);
        assert_eq!(ProgramChannel::display_key("tier:all_stars"), "#all-stars");
        assert_eq!(ProgramChannel::display_key("general"), "general");
    }
}
