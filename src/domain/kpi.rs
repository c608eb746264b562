//! KPI formulas on already-summed quantities (see DOMAIN.md): ratios, medians, rounding.

use super::Cents;

/// `numerator / denominator` rounded half away from zero, or `None` when the denominator is 0.
pub fn div_round(numerator: i64, denominator: i64) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let q = numerator / denominator;
    let r = numerator % denominator;
    let round_up = (r.abs() * 2) >= denominator.abs();
    Some(if round_up {
        if (numerator < 0) ^ (denominator < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    })
}

/// A ratio rounded to 4 decimal places, or `None` when the denominator is 0.
pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    if denominator == 0 {
        return None;
    }
    Some(round4(numerator as f64 / denominator as f64))
}

pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// ROI = (GMV − cost) / cost.
pub fn roi(gmv: Cents, program_cost: Cents) -> Option<f64> {
    ratio(gmv - program_cost, program_cost)
}

/// Median of a sorted-or-not list of day counts; the mean of the middle two for an even count.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if !n.is_multiple_of(2) {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_empty_denominators() {
        assert_eq!(div_round(10, 4), Some(3));
        assert_eq!(div_round(10, 3), Some(3));
        assert_eq!(div_round(-10, 4), Some(-3));
        assert_eq!(div_round(1, 0), None);
        assert_eq!(ratio(1, 3), Some(0.3333));
        assert_eq!(roi(15_000, 10_000), Some(0.5));
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
