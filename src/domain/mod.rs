//! Pure business rules: parsing of handles, money, rates and dates into newtypes, tiers and KPI
//! formulas. No I/O here; time is always an argument.

pub mod cadence;
pub mod channels;
pub mod daytime;
pub mod handle;
pub mod import_rows;
pub mod kpi;
pub mod messages;
pub mod money;
pub mod pareto;
pub mod period;
pub mod period_spec;
pub mod sequences;
pub mod tier;
pub mod tier_rules;
pub mod tiktok_lines;
pub mod timefmt;
pub mod user_error;

pub use handle::Handle;
pub use money::{Cents, format_cents, parse_money, parse_rate_bp};
pub use period::Period;
pub use period_spec::PeriodSpec;
pub use tier::Tier;
pub use user_error::{UserError, for_user};
