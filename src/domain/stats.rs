//! Descriptive statistics of dimension scores from SQL aggregates: n, mean, standard
//! deviation and the t-based 95 % confidence interval of the mean.
//!
//! The database returns, per group, the count, the sum and the sum of squares of the
//! respondents' dimension means (`Moments`); these add up across groups, so unit totals
//! and organisation totals come from the same rows without reading single responses.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Count, sum and sum of squares of a set of values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: i64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn from_values(values: &[f64]) -> Self {
        values.iter().fold(Self::default(), |m, v| Moments {
            n: m.n + 1,
            sum: m.sum + v,
            sum_sq: m.sum_sq + v * v,
        })
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance (divisor n − 1); `None` below two values. Rounding can leave a
    /// tiny negative number for identical values, which is 0.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let centred = self.sum_sq - self.sum * self.sum / n;
        Some((centred / (n - 1.0)).max(0.0))
    }
}

impl Add for Moments {
    type Output = Moments;
    fn add(self, o: Moments) -> Moments {
        Moments {
            n: self.n + o.n,
            sum: self.sum + o.sum,
            sum_sq: self.sum_sq + o.sum_sq,
        }
    }
}

impl AddAssign for Moments {
    fn add_assign(&mut self, o: Moments) {
        *self = *self + o;
    }
}

/// What is reported for one group and dimension; the progress comparison between rounds
/// (Welch's t-test) starts from these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: i64,
    pub mean: f64,
    /// Sample standard deviation; `None` for a single value.
    pub sd: Option<f64>,
    /// 95 % confidence interval of the mean (t-based); `None` below two values.
    pub ci95: Option<(f64, f64)>,
}

/// The two-sided critical value of Student's t with `df` degrees of freedom, e.g. 2.776
/// for 95 % and df = 4.
pub fn t_critical(df: f64, confidence: f64) -> Option<f64> {
    if df.is_nan() || df <= 0.0 || !(0.0..1.0).contains(&confidence) {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    let q = t.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    q.is_finite().then_some(q)
}

/// mean ± t(0.975, n − 1) · sd / √n.
pub fn confidence_interval(mean: f64, sd: f64, n: i64, confidence: f64) -> Option<(f64, f64)> {
    if n < 2 {
        return None;
    }
    let t = t_critical((n - 1) as f64, confidence)?;
    let half = t * sd / (n as f64).sqrt();
    Some((mean - half, mean + half))
}

pub fn summarize(m: Moments) -> Option<Summary> {
    let mean = m.mean()?;
    let sd = m.variance().map(f64::sqrt);
    let ci95 = sd.and_then(|sd| confidence_interval(mean, sd, m.n, 0.95));
    Some(Summary { n: m.n, mean, sd, ci95 })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values were computed independently of statrs with Python 3, without scipy:
    // the t quantile by Simpson integration of the Student-t density
    //   f(t) = Γ((v+1)/2) / (√(vπ) Γ(v/2)) · (1 + t²/v)^(−(v+1)/2)
    // (20,000 intervals) and bisection on 0.5 + ∫₀ˣ f = 0.975; mean and sd with
    // `statistics.mean` / `statistics.stdev`; then mean ± t·sd/√n. They agree with the
    // printed t tables (12.706, 4.303, 2.776, 2.262, 2.045).
    const T_975: [(f64, f64); 5] = [
        (1.0, 12.706204736172541),
        (2.0, 4.302652729749203),
        (4.0, 2.776445105197803),
        (9.0, 2.2621571627981973),
        (29.0, 2.0452296421327674),
    ];

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_independent_values() {
        for (df, expected) in T_975 {
            let got = t_critical(df, 0.95).unwrap();
            assert!(close(got, expected, 1e-6), "df {df}: {got} vs {expected}");
        }
        assert_eq!(t_critical(0.0, 0.95), None);
        assert_eq!(t_critical(3.0, 1.0), None);
    }

    #[test]
    fn summaries_match_independent_values() {
        // (values, mean, sd, ci low, ci high) from the Python computation above.
        let cases: [(&[f64], f64, f64, f64, f64); 3] = [
            (
                &[2.0, 3.0, 3.0, 4.0, 5.0],
                3.4,
                1.140175425099138,
                1.9842852230177228,
                4.8157147769822775,
            ),
            (
                &[13.0 / 3.0, 8.0 / 3.0, 3.0],
                3.333333333333333,
                0.8819171036881968,
                1.1425297974239887,
                5.524136869242677,
            ),
            (
                &[3.75, 4.0, 2.5, 3.25, 4.5, 3.0, 2.75, 4.25, 3.5, 3.0],
                3.45,
                0.6645800679125629,
                2.9745880588482967,
                3.9254119411517037,
            ),
        ];
        for (values, mean, sd, low, high) in cases {
            let s = summarize(Moments::from_values(values)).unwrap();
            assert_eq!(s.n, values.len() as i64);
            assert!(close(s.mean, mean, 1e-12), "{values:?}");
            assert!(close(s.sd.unwrap(), sd, 1e-9), "{values:?}");
            let (l, h) = s.ci95.unwrap();
            assert!(close(l, low, 1e-6) && close(h, high, 1e-6), "{values:?}: {l} {h}");
        }
    }

    #[test]
    fn moments_add_up_across_groups() {
        let a = Moments::from_values(&[2.0, 3.0]);
        let b = Moments::from_values(&[3.0, 4.0, 5.0]);
        assert_eq!(a + b, Moments::from_values(&[2.0, 3.0, 3.0, 4.0, 5.0]));
        let mut c = Moments::default();
        c += a;
        assert_eq!(c, a);
    }

    #[test]
    fn small_and_constant_groups() {
        assert_eq!(summarize(Moments::default()), None);
        let one = summarize(Moments::from_values(&[4.0])).unwrap();
        assert_eq!((one.mean, one.sd, one.ci95), (4.0, None, None));
        let same = summarize(Moments::from_values(&[3.7; 6])).unwrap();
        assert!(close(same.sd.unwrap(), 0.0, 1e-6));
        let (l, h) = same.ci95.unwrap();
        assert!(close(l, 3.7, 1e-6) && close(h, 3.7, 1e-6));
    }
}
