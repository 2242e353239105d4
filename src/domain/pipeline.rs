//! The pipeline report's arithmetic: interpolated percentiles from order statistics,
//! rates, and the months a report covers.

use chrono::{Datelike, NaiveDate};

/// Where the `p`-quantile of `n` sorted values lies: the two neighbouring positions
/// (0-based) and the weight of the upper one, as in linear interpolation between order
/// statistics (numpy's default, PostgreSQL's `percentile_cont`).
pub fn quantile_position(n: i64, p: f64) -> Option<(i64, i64, f64)> {
    if n <= 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let pos = p * (n - 1) as f64;
    let lo = pos.floor();
    let hi = pos.ceil();
    Some((lo as i64, hi as i64, pos - lo))
}

/// The interpolated value between the two order statistics of `quantile_position`.
pub fn interpolate(lower: f64, upper: f64, weight: f64) -> f64 {
    lower + (upper - lower) * weight
}

/// `part / whole`, or `None` when there is no whole.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The `months` calendar months ending with the one of `today`, oldest first, as
/// `YYYY-MM`, and the first day of the oldest.
pub fn recent_months(today: NaiveDate, months: u32) -> (Vec<String>, NaiveDate) {
    let months = months.max(1);
    let current = today.year() * 12 + today.month0() as i32;
    let labels: Vec<String> = (0..months as i32)
        .rev()
        .map(|back| {
            let m = current - back;
            format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
        })
        .collect();
    let first = current - (months as i32 - 1);
    let since = NaiveDate::from_ymd_opt(first.div_euclid(12), (first.rem_euclid(12) + 1) as u32, 1).unwrap_or(today);
    (labels, since)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantile(sorted: &[f64], p: f64) -> f64 {
        let (lo, hi, w) = quantile_position(sorted.len() as i64, p).unwrap();
        interpolate(sorted[lo as usize], sorted[hi as usize], w)
    }

    #[test]
    fn quantiles_match_numpy() {
        // numpy.quantile([1, 2, 4, 7, 11, 16, 22], [0.5, 0.9]) = [7.0, 18.4];
        // numpy.quantile([3, 9], 0.5) = 6.0; numpy.quantile([5], 0.9) = 5.0.
        let v = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0, 22.0];
        assert!((quantile(&v, 0.5) - 7.0).abs() < 1e-12);
        assert!((quantile(&v, 0.9) - 18.4).abs() < 1e-12);
        assert!((quantile(&[3.0, 9.0], 0.5) - 6.0).abs() < 1e-12);
        assert!((quantile(&[5.0], 0.9) - 5.0).abs() < 1e-12);
        assert_eq!(quantile_position(0, 0.5), None);
        assert_eq!(quantile_position(3, 1.5), None);
    }

    #[test]
    fn rates() {
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn months_cross_the_year() {
        let (labels, since) = recent_months(NaiveDate::from_ymd_opt(2026, 2, 17).unwrap(), 4);
        assert_eq!(labels, vec!["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(since, NaiveDate::from_ymd_opt(2025, 11, 1).unwrap());
        let (labels, _) = recent_months(NaiveDate::from_ymd_opt(2026, 2, 17).unwrap(), 1);
        assert_eq!(labels, vec!["2026-02"]);
    }
}
