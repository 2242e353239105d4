//! The progress report's arithmetic: which rounds are compared by default, the change of
//! one dimension between two rounds, and the association between adopted improvements
//! and score changes (an association, not proof of an effect).

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::compare::{Comparison, Sample, welch};
use crate::domain::stats::Summary;
use crate::domain::suppression::Hidden;

/// What a report shows of one dimension in one round for the chosen group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub summary: Option<Summary>,
    pub hidden: Option<Hidden>,
}

impl Figure {
    pub const MISSING: Figure = Figure {
        summary: None,
        hidden: None,
    };
}

/// The smallest share of the eligible headcount a round must have been answered by for a
/// comparison with it to carry a verdict ("improved", "declined"). Below it the figures
/// are shown with the difference, its interval and p, but say "no statement": those who
/// answered a round that few took part in may differ from those who did not in ways no
/// interval captures.
pub const MIN_RESPONSE_RATE: f64 = 0.3;

/// Responses over the eligible headcount (at most 1); `None` without a headcount.
pub fn response_rate(responses: i64, eligible: Option<i64>) -> Option<f64> {
    eligible
        .filter(|e| *e > 0)
        .map(|e| (responses as f64 / e as f64).min(1.0))
}

/// Whether a round with this response rate carries a verdict (an unknown rate does).
pub fn assessable(rate: Option<f64>) -> bool {
    rate.is_none_or(|r| r >= MIN_RESPONSE_RATE)
}

/// Which pair of rounds a comparison covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PairKind {
    PreviousVsLatest,
    FirstVsLatest,
    /// Chosen with `baseline` and `compare`.
    Chosen,
}

/// Default comparisons over `rounds` closed rounds in time order: previous vs latest, and
/// first vs latest when that is a different pair.
pub fn default_pairs(rounds: usize) -> Vec<(PairKind, usize, usize)> {
    let mut pairs = Vec::new();
    if rounds >= 2 {
        pairs.push((PairKind::PreviousVsLatest, rounds - 2, rounds - 1));
    }
    if rounds >= 3 {
        pairs.push((PairKind::FirstVsLatest, 0, rounds - 1));
    }
    pairs
}

/// Why a dimension could not be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotCompared {
    /// A round's figure is hidden by the minimum group size rule.
    Suppressed,
    /// The dimension was not asked (or not answered) in one of the rounds.
    Missing,
    /// Fewer than two scores or no variation: no test is possible.
    NoVariation,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DimensionChange {
    pub comparison: Option<Comparison>,
    pub not_compared: Option<NotCompared>,
}

/// The change from `baseline` to `compare` for one dimension.
pub fn change(baseline: &Figure, compare: &Figure) -> DimensionChange {
    let not = |reason| DimensionChange {
        comparison: None,
        not_compared: Some(reason),
    };
    if baseline.hidden.is_some() || compare.hidden.is_some() {
        return not(NotCompared::Suppressed);
    }
    let (Some(b), Some(c)) = (baseline.summary, compare.summary) else {
        return not(NotCompared::Missing);
    };
    match (Sample::from_summary(&b), Sample::from_summary(&c)) {
        (Some(b), Some(c)) => match welch(&b, &c) {
            Some(comparison) => DimensionChange {
                comparison: Some(comparison),
                not_compared: None,
            },
            None => not(NotCompared::NoVariation),
        },
        _ => not(NotCompared::NoVariation),
    }
}

/// A difference of means on the 1–5 scale in points of the 0–100 score.
pub fn score_points(mean_difference: f64) -> f64 {
    mean_difference * 25.0
}

/// Mean score change of a group of dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct GroupChange {
    /// Dimensions in the group that could be compared.
    pub dimensions: usize,
    /// Their mean change in score points (0–100); `null` for an empty group.
    pub mean_score_change: Option<f64>,
}

fn group(changes: impl Iterator<Item = f64>) -> GroupChange {
    let (n, sum) = changes.fold((0usize, 0.0), |(n, s), d| (n + 1, s + d));
    GroupChange {
        dimensions: n,
        mean_score_change: (n > 0).then(|| sum / n as f64),
    }
}

/// Dimensions with at least one improvement adopted between the rounds against those
/// without: the mean score change of each group. Input: (score change, any adopted).
pub fn association(changes: &[(f64, bool)]) -> (GroupChange, GroupChange) {
    (
        group(changes.iter().filter(|(_, a)| *a).map(|(d, _)| *d)),
        group(changes.iter().filter(|(_, a)| !*a).map(|(d, _)| *d)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compare::Verdict;

    fn fig(n: i64, mean: f64, sd: f64) -> Figure {
        Figure {
            summary: Some(Summary {
                n,
                mean,
                sd: Some(sd),
                ci95: None,
            }),
            hidden: None,
        }
    }

    #[test]
    fn default_pairs_by_number_of_rounds() {
        assert!(default_pairs(0).is_empty());
        assert!(default_pairs(1).is_empty());
        assert_eq!(default_pairs(2), vec![(PairKind::PreviousVsLatest, 0, 1)]);
        assert_eq!(
            default_pairs(5),
            vec![(PairKind::PreviousVsLatest, 3, 4), (PairKind::FirstVsLatest, 0, 4)]
        );
    }

    #[test]
    fn hidden_or_missing_figures_are_not_compared() {
        let hidden = Figure {
            summary: None,
            hidden: Some(Hidden::BelowMinGroupSize),
        };
        assert_eq!(
            change(&hidden, &fig(30, 3.0, 0.5)).not_compared,
            Some(NotCompared::Suppressed)
        );
        assert_eq!(
            change(&Figure::MISSING, &fig(30, 3.0, 0.5)).not_compared,
            Some(NotCompared::Missing)
        );
        let single = Figure {
            summary: Some(Summary {
                n: 1,
                mean: 3.0,
                sd: None,
                ci95: None,
            }),
            hidden: None,
        };
        assert_eq!(
            change(&single, &fig(30, 3.0, 0.5)).not_compared,
            Some(NotCompared::NoVariation)
        );
    }

    #[test]
    fn a_real_change_is_compared() {
        // The small-sample case of domain::compare's SciPy references.
        let c = change(
            &fig(6, 3.1666666666666665, 0.5400617248673216),
            &fig(9, 3.888888888888889, 0.5743353646704259),
        );
        let cmp = c.comparison.unwrap();
        assert_eq!(cmp.verdict, Verdict::Improved);
        assert!((score_points(cmp.diff) - 18.055555555555557).abs() < 1e-9);
    }

    #[test]
    fn association_splits_dimensions_by_adoption() {
        let (with, without) = association(&[(10.0, true), (4.0, true), (1.0, false), (-3.0, false), (2.0, false)]);
        assert_eq!(with.dimensions, 2);
        assert_eq!(with.mean_score_change, Some(7.0));
        assert_eq!(without.dimensions, 3);
        assert_eq!(without.mean_score_change, Some(0.0));
        let (with, _) = association(&[(1.0, false)]);
        assert_eq!(with.mean_score_change, None);
    }
}
