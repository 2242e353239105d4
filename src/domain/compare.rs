//! Change between two rounds per dimension: Welch's t-test with Welch–Satterthwaite
//! degrees of freedom, the 95 % confidence interval of the difference, Hedges' g, and the
//! verdict rule of DESIGN.md.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use utoipa::ToSchema;

/// One group: size, mean and sample standard deviation (n − 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub n: i64,
    pub mean: f64,
    pub sd: f64,
}

impl Sample {
    /// From the reported figures of a group; `None` without a standard deviation (n < 2).
    pub fn from_summary(s: &crate::domain::stats::Summary) -> Option<Self> {
        Some(Self {
            n: s.n,
            mean: s.mean,
            sd: s.sd?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improved,
    Declined,
    NoClearChange,
}

/// The smallest |g| that counts as a change worth naming (a "small" effect).
pub const MIN_EFFECT: f64 = 0.2;

/// Comparison of a later group against an earlier one (`diff = later − earlier`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub diff: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub t: f64,
    pub df: f64,
    pub p_value: f64,
    pub hedges_g: f64,
    pub verdict: Verdict,
}

/// "Improved"/"declined" only when the 95 % CI of the difference excludes 0 and the
/// effect is at least small (|g| ≥ 0.2); otherwise the data show no clear change.
pub fn verdict(ci_low: f64, ci_high: f64, hedges_g: f64) -> Verdict {
    let excludes_zero = ci_low > 0.0 || ci_high < 0.0;
    if !excludes_zero || hedges_g.abs() < MIN_EFFECT || hedges_g.is_nan() {
        return Verdict::NoClearChange;
    }
    if ci_low > 0.0 {
        Verdict::Improved
    } else {
        Verdict::Declined
    }
}

/// Welch's test of `later` against `earlier`. `None` when a group has fewer than two
/// members or neither group varies (no test is possible).
pub fn welch(earlier: &Sample, later: &Sample) -> Option<Comparison> {
    if earlier.n < 2 || later.n < 2 || !earlier.sd.is_finite() || !later.sd.is_finite() {
        return None;
    }
    let (n1, n2) = (earlier.n as f64, later.n as f64);
    let v1 = earlier.sd * earlier.sd / n1;
    let v2 = later.sd * later.sd / n2;
    let se = (v1 + v2).sqrt();
    if se <= 0.0 {
        return None;
    }
    let diff = later.mean - earlier.mean;
    let t = diff / se;
    let df = (v1 + v2).powi(2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p_value = (2.0 * dist.sf(t.abs())).min(1.0);
    let margin = dist.inverse_cdf(0.975) * se;
    let pooled = (((n1 - 1.0) * earlier.sd.powi(2) + (n2 - 1.0) * later.sd.powi(2)) / (n1 + n2 - 2.0)).sqrt();
    // Hedges' correction removes the small-sample bias of Cohen's d.
    let correction = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0);
    let hedges_g = if pooled > 0.0 {
        diff / pooled * correction
    } else {
        f64::NAN
    };
    let (ci_low, ci_high) = (diff - margin, diff + margin);
    Some(Comparison {
        diff,
        ci_low,
        ci_high,
        t,
        df,
        p_value,
        hedges_g,
        verdict: verdict(ci_low, ci_high, hedges_g),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    // Reference values from SciPy 1.17 (scipy.stats.ttest_ind(later, earlier,
    // equal_var=False) for t, df, p and the confidence interval), with Hedges' g from
    // numpy as (m2 − m1) / pooled sd × (1 − 3 / (4 (n1 + n2) − 9)). Raw data: numpy
    // normal samples (seed 20261126) and one hand-written small sample; n, mean and sd
    // (ddof = 1) below are those of the raw data.
    struct Case {
        earlier: Sample,
        later: Sample,
        diff: f64,
        t: f64,
        df: f64,
        p: f64,
        ci: (f64, f64),
        g: f64,
        verdict: Verdict,
    }

    fn cases() -> Vec<Case> {
        vec![
            // Unequal sizes and variances, no clear change.
            Case {
                earlier: Sample {
                    n: 40,
                    mean: 3.1521489739656348,
                    sd: 0.5914673728111979,
                },
                later: Sample {
                    n: 25,
                    mean: 3.248813126320149,
                    sd: 0.7384179306335937,
                },
                diff: 0.09666415235451442,
                t: 0.5529873359802262,
                df: 42.86521199418922,
                p: 0.5831447357757682,
                ci: (-0.2558928733679684, 0.44922117807699724),
                g: 0.14662769575504295,
                verdict: Verdict::NoClearChange,
            },
            // Small samples (6 vs 9), a clear improvement.
            Case {
                earlier: Sample {
                    n: 6,
                    mean: 3.1666666666666665,
                    sd: 0.5400617248673216,
                },
                later: Sample {
                    n: 9,
                    mean: 3.888888888888889,
                    sd: 0.5743353646704259,
                },
                diff: 0.7222222222222223,
                t: 2.4733877696033697,
                df: 11.349595951967375,
                p: 0.030331893956615473,
                ci: (0.08194781594982514, 1.3624966284946196),
                g: 1.2107899984124306,
                verdict: Verdict::Improved,
            },
            // Large unequal groups (300 vs 120) with unequal variances, a decline.
            Case {
                earlier: Sample {
                    n: 300,
                    mean: 3.8685006705175957,
                    sd: 0.7257305600545426,
                },
                later: Sample {
                    n: 120,
                    mean: 3.5904651315309577,
                    sd: 1.0681475726684844,
                },
                diff: -0.278035538986638,
                t: -2.619779421953823,
                df: 164.76809302457025,
                p: 0.009620504113268634,
                ci: (-0.4875843882190194, -0.06848668975425662),
                g: -0.331351270536564,
                verdict: Verdict::Declined,
            },
            // Equal variances, tiny difference.
            Case {
                earlier: Sample {
                    n: 50,
                    mean: 2.966371116985211,
                    sd: 0.8059141644895736,
                },
                later: Sample {
                    n: 60,
                    mean: 3.0210176747551714,
                    sd: 0.7877186799799475,
                },
                diff: 0.05464655776996041,
                t: 0.35775874361901144,
                df: 103.56296482089483,
                p: 0.7212519690734568,
                ci: (-0.24827142572690636, 0.3575645412668272),
                g: 0.06817141109970401,
                verdict: Verdict::NoClearChange,
            },
        ]
    }

    #[test]
    fn matches_scipy_reference_values() {
        for (i, c) in cases().iter().enumerate() {
            let r = welch(&c.earlier, &c.later).unwrap();
            assert!(close(r.diff, c.diff, 1e-12), "case {i} diff {}", r.diff);
            assert!(close(r.t, c.t, 1e-9), "case {i} t {}", r.t);
            assert!(close(r.df, c.df, 1e-9), "case {i} df {}", r.df);
            assert!(close(r.p_value, c.p, 1e-6), "case {i} p {} vs {}", r.p_value, c.p);
            assert!(close(r.ci_low, c.ci.0, 1e-6), "case {i} ci_low {}", r.ci_low);
            assert!(close(r.ci_high, c.ci.1, 1e-6), "case {i} ci_high {}", r.ci_high);
            assert!(close(r.hedges_g, c.g, 1e-9), "case {i} g {}", r.hedges_g);
            assert_eq!(r.verdict, c.verdict, "case {i}");
        }
    }

    #[test]
    fn swapping_the_groups_mirrors_the_result() {
        let c = &cases()[1];
        let forward = welch(&c.earlier, &c.later).unwrap();
        let backward = welch(&c.later, &c.earlier).unwrap();
        assert!(close(forward.diff, -backward.diff, 1e-12));
        assert!(close(forward.p_value, backward.p_value, 1e-12));
        assert_eq!(backward.verdict, Verdict::Declined);
    }

    #[test]
    fn verdict_edges() {
        // The interval must exclude 0 strictly.
        assert_eq!(verdict(0.0, 0.5, 0.9), Verdict::NoClearChange);
        assert_eq!(verdict(-0.5, 0.0, -0.9), Verdict::NoClearChange);
        assert_eq!(verdict(1e-9, 0.5, 0.9), Verdict::Improved);
        assert_eq!(verdict(-0.5, -1e-9, -0.9), Verdict::Declined);
        // |g| = 0.2 counts, just below does not.
        assert_eq!(verdict(0.1, 0.3, 0.2), Verdict::Improved);
        assert_eq!(verdict(0.1, 0.3, 0.199_999), Verdict::NoClearChange);
        assert_eq!(verdict(-0.3, -0.1, -0.2), Verdict::Declined);
        assert_eq!(verdict(-0.3, -0.1, -0.199_999), Verdict::NoClearChange);
        assert_eq!(verdict(0.1, 0.3, f64::NAN), Verdict::NoClearChange);
    }

    #[test]
    fn degenerate_groups_give_no_test() {
        let one = Sample {
            n: 1,
            mean: 3.0,
            sd: 0.0,
        };
        let some = Sample {
            n: 10,
            mean: 3.0,
            sd: 0.5,
        };
        assert!(welch(&one, &some).is_none());
        let flat = Sample {
            n: 10,
            mean: 3.0,
            sd: 0.0,
        };
        assert!(welch(&flat, &flat).is_none());
        // One flat group is fine as long as the other varies.
        assert!(welch(&flat, &some).is_some());
    }
}
