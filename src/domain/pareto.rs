//! The power law in a period's sales: what share of GMV the top x % of selling creators made.

use serde::Serialize;

use super::kpi::ratio;

/// The shares reports show: top 1 %, 5 %, 10 % and 20 % of selling creators.
pub const PARETO_PERCENTS: [u32; 4] = [1, 5, 10, 20];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoShare {
    pub top_percent: u32,
    /// How many creators the top `top_percent` % is.
    pub creators: u64,
    /// Their share of the period's GMV (4 decimals); null when the GMV is 0.
    pub gmv_share: Option<f64>,
}

/// How many creators the top `percent` % of `selling` creators is: rounded up, and at least one
/// when anyone sold (so a small program still shows its best seller).
pub fn top_count(selling: u64, percent: u32) -> u64 {
    if selling == 0 {
        return 0;
    }
    (selling * u64::from(percent)).div_ceil(100).max(1)
}

/// Shares for [`PARETO_PERCENTS`] given each selling creator's GMV, highest first.
pub fn pareto(gmv_desc: &[i64]) -> Vec<ParetoShare> {
    debug_assert!(gmv_desc.windows(2).all(|w| w[0] >= w[1]));
    let total: i64 = gmv_desc.iter().sum();
    PARETO_PERCENTS
        .iter()
        .map(|&percent| {
            let creators = top_count(gmv_desc.len() as u64, percent);
            let top: i64 = gmv_desc.iter().take(creators as usize).sum();
            ParetoShare {
                top_percent: percent,
                creators,
                gmv_share: ratio(top, total),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_up_with_at_least_one() {
        assert_eq!(top_count(0, 1), 0);
        assert_eq!(top_count(3, 1), 1);
        assert_eq!(top_count(250, 1), 3);
        assert_eq!(top_count(250, 20), 50);
        assert_eq!(top_count(11, 10), 2);
    }

    #[test]
    fn shares_of_the_top() {
        // 10 creators: top 1 %, 5 %, 10 % = 1 creator (600 of 1000); top 20 % = 2 (800 of 1000).
        let gmv = [600, 200, 50, 50, 30, 30, 20, 10, 5, 5];
        let shares = pareto(&gmv);
        assert_eq!(
            shares
                .iter()
                .map(|s| (s.top_percent, s.creators, s.gmv_share))
                .collect::<Vec<_>>(),
            vec![
                (1, 1, Some(0.6)),
                (5, 1, Some(0.6)),
                (10, 1, Some(0.6)),
                (20, 2, Some(0.8))
            ]
        );
        assert_eq!(
            pareto(&[])[3],
            ParetoShare {
                top_percent: 20,
                creators: 0,
                gmv_share: None
            }
        );
    }
}
