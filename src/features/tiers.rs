//! Tiers: the monthly review and daily check that re-tier creators by their numbers, staff pins,
//! "why am I in this tier" and who is in each tier. Each loads every creator's numbers with one
//! query, lets `domain::tier_rules` decide, and writes the changes set-based in one transaction.

mod list;
mod pins;
mod run;
mod why;

pub use list::{TierList, list};
pub use pins::{PinOutcome, set, unpin};
pub use run::{TierChange, TierRun, check, review};
pub use why::{TierWhy, why};

/// Who review and check changes are recorded as.
pub const SYSTEM: &str = "system";
