//! The three performance tiers. The rules that place a creator in one live in `tier_rules`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Tier 1: high-touch.
    AllStars,
    /// Tier 2: scalable group management.
    SteadyEarners,
    /// Tier 3: automated and educational.
    NewAndPromising,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a tier: use all_stars, steady_earners or new_and_promising")]
pub struct UnknownTier(pub String);

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::AllStars, Tier::SteadyEarners, Tier::NewAndPromising];

    /// The stable key used in the database and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::AllStars => "all_stars",
            Tier::SteadyEarners => "steady_earners",
            Tier::NewAndPromising => "new_and_promising",
        }
    }

    /// What people call it.
    pub fn display_name(self) -> &'static str {
        match self {
            Tier::AllStars => "All-Stars",
            Tier::SteadyEarners => "Steady Earners",
            Tier::NewAndPromising => "New & Promising",
        }
    }

    /// 1 is the top tier.
    pub fn rank(self) -> u8 {
        match self {
            Tier::AllStars => 1,
            Tier::SteadyEarners => 2,
            Tier::NewAndPromising => 3,
        }
    }

    pub fn is_above(self, other: Tier) -> bool {
        self.rank() < other.rank()
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Tier {
    type Err = UnknownTier;

    /// Accepts the key (`all_stars`), the name (`All-Stars`), or the tier number (`1`, `tier1`).
    fn from_str(s: &str) -> Result<Tier, UnknownTier> {
        let key: String = s
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match key.as_str() {
            "allstars" | "1" | "tier1" => Ok(Tier::AllStars),
            "steadyearners" | "2" | "tier2" => Ok(Tier::SteadyEarners),
            "newandpromising" | "newpromising" | "3" | "tier3" => Ok(Tier::NewAndPromising),
            _ => Err(UnknownTier(s.trim().to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_names_and_numbers() {
        assert_eq!("all_stars".parse(), Ok(Tier::AllStars));
        assert_eq!("All-Stars".parse(), Ok(Tier::AllStars));
        assert_eq!("Steady Earners".parse(), Ok(Tier::SteadyEarners));
        assert_eq!("New & Promising".parse(), Ok(Tier::NewAndPromising));
        assert_eq!("tier 2".parse(), Ok(Tier::SteadyEarners));
        assert_eq!("gold".parse::<Tier>(), Err(UnknownTier("gold".into())));
        assert!(Tier::AllStars.is_above(Tier::SteadyEarners));
    }
}
