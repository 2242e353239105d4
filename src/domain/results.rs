//! Results of one assessment round, built from SQL aggregates: per dimension (with its
//! items) for the whole round, and per unit under the minimum group size rule.
//!
//! A round's results are built once, when it closes, with the unit tree and the minimum
//! group size k of that moment, and stored (`store::round_results`); every later read
//! returns exactly those figures. Open rounds show participation only. So no two figures
//! anyone can obtain differ by the answers of fewer than k people: within one build the
//! suppression rules make every derivable remainder empty or at least k, and there is no
//! second build of the same answers to set against it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::scoring::Instrument;
use crate::domain::stats::{Moments, Summary, summarize};
use crate::domain::suppression::{Hidden, suppress};
use crate::domain::unit_tree::UnitTree;

/// What the database aggregates for a round (grouped rows, never single responses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundAggregates {
    /// Responses per respondent unit (`None`: the respondent had no unit).
    pub responses: Vec<(Option<String>, i64)>,
    /// Counted dimension scores per respondent unit and dimension.
    pub dimensions: Vec<(Option<String>, String, Moments)>,
    pub items: Vec<ItemAggregate>,
    /// Per dimension, how many respondents answered how many of its items.
    #[serde(default)]
    pub answer_patterns: Vec<AnswerPattern>,
}

/// Respondents who answered exactly `answered` items of a dimension with a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerPattern {
    pub dimension: String,
    pub answered: i64,
    pub respondents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemAggregate {
    pub key: String,
    /// Answers with a value (not "can't judge").
    pub answered: i64,
    /// Sum of the values as answered (before reversal).
    pub sum: i64,
    pub cant_judge: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub key: String,
    pub reverse: bool,
    /// `None` (like `cant_judge`) when the whole round is below k: with few respondents
    /// even the pattern of "can't judge" answers would say something about a person.
    pub answered: Option<i64>,
    pub cant_judge: Option<i64>,
    /// Mean of the values as answered; `None` when hidden.
    pub mean: Option<f64>,
    /// Why the mean is not shown.
    #[serde(default)]
    pub hidden: Option<Hidden>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionResult {
    pub key: String,
    /// Respondents whose score counts (75 % rule).
    pub n: i64,
    pub summary: Option<Summary>,
    pub hidden: Option<Hidden>,
    pub items: Vec<ItemResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitDimensionResult {
    pub key: String,
    pub summary: Option<Summary>,
    pub hidden: Option<Hidden>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub unit_id: String,
    pub parent_id: Option<String>,
    /// Responses from the unit and its sub-units; `None` when hidden.
    pub responses: Option<i64>,
    pub hidden: Option<Hidden>,
    pub dimensions: Vec<UnitDimensionResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundResults {
    pub responses: i64,
    /// Set when the whole round has fewer than k responses.
    pub hidden: Option<Hidden>,
    pub dimensions: Vec<DimensionResult>,
    /// Every unit of the tree, parents before children.
    pub units: Vec<UnitResult>,
}

/// Organisation-level figures of one dimension: hidden when the round or the dimension's
/// counted respondents are fewer than k.
pub fn round_dimension(moments: Moments, responses: i64, k: i64) -> (Option<Summary>, Option<Hidden>) {
    if responses < k || moments.n < k {
        (None, Some(Hidden::BelowMinGroupSize))
    } else {
        (summarize(moments), None)
    }
}

/// Whether a dimension's item means may be shown beside its figures. The dimension score
/// of a person is the mean of the items they answered, so respondents who answered
/// different numbers of items are weighted differently in the dimension mean than in the
/// item means; with the item sums and the dimension mean side by side, the answers of a
/// group that answered some other number of items than everyone else can be solved for.
/// Safe when at most one such group (by number of items answered, at least one) exists,
/// or every one of them has at least k respondents. Input: (items answered, respondents).
pub fn item_means_safe(patterns: impl Iterator<Item = (i64, i64)>, k: i64) -> bool {
    let groups: Vec<i64> = patterns.filter(|(m, n)| *m > 0 && *n > 0).map(|(_, n)| n).collect();
    groups.len() <= 1 || groups.iter().all(|n| *n >= k)
}

/// What an open round shows: how many have answered, nothing of their answers. Every
/// figure waits for the close, when it is computed once for good; so no two states of
/// the results can be set against each other.
pub fn participation_only(instrument: &Instrument, responses: i64, tree: &UnitTree) -> RoundResults {
    let open = Some(Hidden::RoundOpen);
    RoundResults {
        responses,
        hidden: open,
        dimensions: instrument
            .dimensions
            .iter()
            .map(|d| DimensionResult {
                key: d.key.clone(),
                n: 0,
                summary: None,
                hidden: open,
                items: d
                    .items
                    .iter()
                    .map(|i| ItemResult {
                        key: i.key.clone(),
                        reverse: i.reverse,
                        answered: None,
                        cant_judge: None,
                        mean: None,
                        hidden: open,
                    })
                    .collect(),
            })
            .collect(),
        units: preorder(tree)
            .into_iter()
            .map(|u| UnitResult {
                parent_id: tree.parent_of(&u).map(str::to_owned),
                unit_id: u,
                responses: None,
                hidden: open,
                dimensions: instrument
                    .dimensions
                    .iter()
                    .map(|d| UnitDimensionResult {
                        key: d.key.clone(),
                        summary: None,
                        hidden: open,
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl RoundResults {
    /// The unit tree the results were grouped by (the tree when the round closed).
    pub fn tree(&self) -> UnitTree {
        UnitTree::new(self.units.iter().map(|u| (u.unit_id.clone(), u.parent_id.clone())))
    }

    pub fn unit(&self, id: &str) -> Option<&UnitResult> {
        self.units.iter().find(|u| u.unit_id == id)
    }
}

fn preorder(tree: &UnitTree) -> Vec<String> {
    fn visit(tree: &UnitTree, u: &str, out: &mut Vec<String>) {
        out.push(u.to_owned());
        let mut kids = tree.children_of(u).to_vec();
        kids.sort();
        for c in kids {
            visit(tree, &c, out);
        }
    }
    let mut out = Vec::new();
    for r in tree.roots() {
        visit(tree, r, &mut out);
    }
    out
}

pub fn build(instrument: &Instrument, agg: &RoundAggregates, tree: &UnitTree, k: i64) -> RoundResults {
    let responses: i64 = agg.responses.iter().map(|(_, n)| n).sum();
    let unassigned: i64 = agg.responses.iter().filter(|(u, _)| u.is_none()).map(|(_, n)| n).sum();
    let direct: HashMap<String, i64> = agg
        .responses
        .iter()
        .filter_map(|(u, n)| u.clone().map(|u| (u, *n)))
        .collect();
    let groups = suppress(tree, &direct, unassigned, k, &HashMap::new());

    let mut round_moments: HashMap<&str, Moments> = HashMap::new();
    for (_, key, m) in &agg.dimensions {
        *round_moments.entry(key.as_str()).or_default() += *m;
    }
    let items: HashMap<&str, &ItemAggregate> = agg.items.iter().map(|i| (i.key.as_str(), i)).collect();
    let round_shown = responses >= k;
    let dimensions = instrument
        .dimensions
        .iter()
        .map(|d| {
            let m = round_moments.get(d.key.as_str()).copied().unwrap_or_default();
            let (summary, hidden) = round_dimension(m, responses, k);
            let patterns_safe = item_means_safe(
                agg.answer_patterns
                    .iter()
                    .filter(|p| p.dimension == d.key)
                    .map(|p| (p.answered, p.respondents)),
                k,
            );
            // Beside a shown dimension mean, item means are shown all or none: the
            // dimension mean times its respondents (and the answer patterns) gives the sum
            // of all its items, so one hidden item mean would be the rest's difference.
            let answered_of = |key: &str| items.get(key).map(|a| a.answered).unwrap_or(0);
            let some_item_small = d.items.iter().any(|i| answered_of(&i.key) < k);
            let together = summary.is_some() && (some_item_small || !patterns_safe);
            DimensionResult {
                key: d.key.clone(),
                n: m.n,
                summary,
                hidden,
                items: d
                    .items
                    .iter()
                    .map(|i| {
                        let a = items.get(i.key.as_str());
                        let answered = answered_of(&i.key);
                        let mean_hidden = if !round_shown || answered < k {
                            Some(Hidden::BelowMinGroupSize)
                        } else if together {
                            Some(Hidden::Complementary)
                        } else {
                            None
                        };
                        ItemResult {
                            key: i.key.clone(),
                            reverse: i.reverse,
                            answered: round_shown.then_some(answered),
                            cant_judge: round_shown.then(|| a.map(|a| a.cant_judge).unwrap_or(0)),
                            mean: a
                                .filter(|_| mean_hidden.is_none())
                                .map(|a| a.sum as f64 / a.answered as f64),
                            hidden: mean_hidden,
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    // Per unit: sub-tree sums of the direct aggregates, then the rule once per dimension,
    // keeping what the response counts hid.
    let order = preorder(tree);
    let mut direct_moments: HashMap<(&str, &str), Moments> = HashMap::new();
    let mut unassigned_moments: HashMap<&str, Moments> = HashMap::new();
    for (u, key, m) in &agg.dimensions {
        match u.as_deref().filter(|u| tree.contains(u)) {
            Some(u) => *direct_moments.entry((u, key.as_str())).or_default() += *m,
            None => *unassigned_moments.entry(key.as_str()).or_default() += *m,
        }
    }
    let mut per_dimension = Vec::with_capacity(instrument.dimensions.len());
    for d in &instrument.dimensions {
        let direct_n: HashMap<String, i64> = order
            .iter()
            .map(|u| {
                let n = direct_moments
                    .get(&(u.as_str(), d.key.as_str()))
                    .map(|m| m.n)
                    .unwrap_or(0);
                (u.clone(), n)
            })
            .collect();
        let outside = unassigned_moments.get(d.key.as_str()).map(|m| m.n).unwrap_or(0);
        let rule = suppress(tree, &direct_n, outside, k, &groups.hidden);
        let subtree_moments: HashMap<String, Moments> = order
            .iter()
            .map(|u| {
                let m = tree
                    .subtree(u)
                    .iter()
                    .filter_map(|v| direct_moments.get(&(v.as_str(), d.key.as_str())))
                    .fold(Moments::default(), |acc, m| acc + *m);
                (u.clone(), m)
            })
            .collect();
        per_dimension.push((d.key.clone(), rule, subtree_moments));
    }
    let units = order
        .iter()
        .map(|u| {
            let hidden = groups.unit(u);
            UnitResult {
                unit_id: u.clone(),
                parent_id: tree.parent_of(u).map(str::to_owned),
                responses: hidden.is_none().then(|| groups.total_of(u)),
                hidden,
                dimensions: per_dimension
                    .iter()
                    .map(|(key, rule, moments)| {
                        let hidden = hidden.or(rule.unit(u));
                        UnitDimensionResult {
                            key: key.clone(),
                            summary: if hidden.is_none() {
                                moments.get(u).copied().and_then(summarize)
                            } else {
                                None
                            },
                            hidden,
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    RoundResults {
        responses,
        hidden: groups.root,
        dimensions,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::questionnaire::Scale;
    use crate::domain::scoring::{InstrumentDimension, InstrumentItem};

    fn instrument() -> Instrument {
        Instrument {
            scale: Scale::Agree5,
            dimensions: vec![InstrumentDimension {
                key: "d".into(),
                items: vec![
                    InstrumentItem {
                        key: "d.1".into(),
                        reverse: false,
                    },
                    InstrumentItem {
                        key: "d.2".into(),
                        reverse: true,
                    },
                ],
            }],
        }
    }

    fn m(values: &[f64]) -> Moments {
        Moments::from_values(values)
    }

    #[test]
    fn units_roll_up_and_small_ones_are_hidden() {
        // rathaus ── amt_a (3 responses), amt_b (4 responses); k = 3.
        let tree = UnitTree::new([
            ("rathaus", None),
            ("amt_a", Some("rathaus")),
            ("amt_b", Some("rathaus")),
        ]);
        let agg = RoundAggregates {
            responses: vec![(Some("amt_a".into()), 3), (Some("amt_b".into()), 4)],
            dimensions: vec![
                (Some("amt_a".into()), "d".into(), m(&[2.0, 3.0, 4.0])),
                // Only two of amt_b's four respondents answered enough items of d.
                (Some("amt_b".into()), "d".into(), m(&[5.0, 4.0])),
            ],
            items: vec![
                ItemAggregate {
                    key: "d.1".into(),
                    answered: 7,
                    sum: 25,
                    cant_judge: 0,
                },
                ItemAggregate {
                    key: "d.2".into(),
                    answered: 2,
                    sum: 4,
                    cant_judge: 5,
                },
            ],
            answer_patterns: vec![],
        };
        let r = build(&instrument(), &agg, &tree, 3);
        assert_eq!(r.responses, 7);
        assert_eq!(r.hidden, None);
        let d = &r.dimensions[0];
        assert_eq!(d.n, 5);
        let s = d.summary.unwrap();
        assert!((s.mean - 3.6).abs() < 1e-12);
        // d.2 has two answers, fewer than k; beside the shown dimension mean d.1's mean
        // would give d.2's sum away, so both are hidden.
        assert_eq!(d.items[0].mean, None);
        assert_eq!(d.items[0].hidden, Some(Hidden::Complementary));
        assert_eq!(d.items[0].answered, Some(7));
        assert_eq!(d.items[1].mean, None, "two answers are fewer than k");
        assert_eq!(d.items[1].hidden, Some(Hidden::BelowMinGroupSize));
        assert_eq!(d.items[1].cant_judge, Some(5));
        assert_eq!(d.items[1].answered, Some(2));

        let ids: Vec<&str> = r.units.iter().map(|u| u.unit_id.as_str()).collect();
        assert_eq!(ids, vec!["rathaus", "amt_a", "amt_b"]);
        assert_eq!(r.units[0].responses, Some(7));
        assert_eq!(r.units[0].dimensions[0].summary.map(|s| s.n), Some(5));
        assert_eq!(r.units[1].responses, Some(3));
        assert_eq!(r.units[1].dimensions[0].summary, None);
        // amt_b shows its response count, but its dimension score rests on two people,
        // and amt_a's score would reveal it by subtraction from the Rathaus total.
        assert_eq!(r.units[2].responses, Some(4));
        assert_eq!(r.units[2].dimensions[0].hidden, Some(Hidden::BelowMinGroupSize));
        assert_eq!(r.units[1].dimensions[0].hidden, Some(Hidden::Complementary));
        assert_eq!(r.units[0].dimensions[0].hidden, None);
    }

    #[test]
    fn a_round_below_k_shows_nothing() {
        let tree = UnitTree::new([("a", None)]);
        let agg = RoundAggregates {
            responses: vec![(Some("a".into()), 2)],
            dimensions: vec![(Some("a".into()), "d".into(), m(&[2.0, 3.0]))],
            items: vec![],
            answer_patterns: vec![],
        };
        let r = build(&instrument(), &agg, &tree, 3);
        assert_eq!(r.hidden, Some(Hidden::BelowMinGroupSize));
        assert_eq!(r.dimensions[0].summary, None);
        assert_eq!(r.units[0].responses, None);
        assert!(
            r.dimensions[0]
                .items
                .iter()
                .all(|i| i.answered.is_none() && i.cant_judge.is_none())
        );
    }

    fn pattern(answered: i64, respondents: i64) -> AnswerPattern {
        AnswerPattern {
            dimension: "d".into(),
            answered,
            respondents,
        }
    }

    /// Item means beside the dimension mean: one person who answered only one of two
    /// items is weighted 1 in the dimension mean (mean of what they answered) but enters
    /// one item's sum only; with everyone else answering both, that person's answer is
    /// (item sums) − 2 × (dimension sum of the others), so the means are withheld.
    #[test]
    fn item_means_are_withheld_when_a_small_group_answered_differently() {
        let tree = UnitTree::new([("a", None)]);
        let base = |patterns: Vec<AnswerPattern>| RoundAggregates {
            responses: vec![(Some("a".into()), 8)],
            dimensions: vec![(
                Some("a".into()),
                "d".into(),
                m(&[3.0, 3.5, 4.0, 2.5, 3.0, 4.5, 2.0, 5.0]),
            )],
            items: vec![
                ItemAggregate {
                    key: "d.1".into(),
                    answered: 8,
                    sum: 26,
                    cant_judge: 0,
                },
                ItemAggregate {
                    key: "d.2".into(),
                    answered: 7,
                    sum: 20,
                    cant_judge: 1,
                },
            ],
            answer_patterns: patterns,
        };
        let r = build(&instrument(), &base(vec![pattern(2, 7), pattern(1, 1)]), &tree, 5);
        assert!(r.dimensions[0].summary.is_some(), "the dimension itself is shown");
        for item in &r.dimensions[0].items {
            assert_eq!(item.mean, None);
            assert_eq!(item.hidden, Some(Hidden::Complementary));
            assert!(item.answered.is_some(), "counts stay");
        }
        let r = build(&instrument(), &base(vec![pattern(2, 8)]), &tree, 5);
        assert!(r.dimensions[0].items[0].mean.is_some(), "everyone answered alike");
        let r = build(&instrument(), &base(vec![pattern(2, 5), pattern(1, 5)]), &tree, 5);
        assert!(r.dimensions[0].items[0].mean.is_some(), "both groups have k");
        assert!(
            item_means_safe([(0, 1), (2, 9)].into_iter(), 5),
            "no answers at all weigh nothing"
        );
        assert!(
            !item_means_safe([(2, 3), (1, 9)].into_iter(), 5),
            "a small full group is exposed as well"
        );
    }

    /// Everyone answered three of four items, two of them skipping another item than the
    /// rest: the dimension mean gives the sum of all answers, so the item answered by only
    /// two must not be the only one hidden.
    #[test]
    fn item_means_beside_a_shown_dimension_are_shown_all_or_none() {
        let tree = UnitTree::new([("a", None)]);
        let instrument = Instrument {
            scale: Scale::Agree5,
            dimensions: vec![InstrumentDimension {
                key: "d".into(),
                items: ["d.1", "d.2", "d.3", "d.4"]
                    .iter()
                    .map(|k| InstrumentItem {
                        key: (*k).into(),
                        reverse: false,
                    })
                    .collect(),
            }],
        };
        let item = |key: &str, answered: i64| ItemAggregate {
            key: key.into(),
            answered,
            sum: answered * 3,
            cant_judge: 10 - answered,
        };
        let agg = RoundAggregates {
            responses: vec![(Some("a".into()), 10)],
            dimensions: vec![(Some("a".into()), "d".into(), m(&[3.0; 10]))],
            items: vec![item("d.1", 10), item("d.2", 10), item("d.3", 8), item("d.4", 2)],
            answer_patterns: vec![pattern(3, 10)],
        };
        let r = build(&instrument, &agg, &tree, 5);
        assert!(r.dimensions[0].summary.is_some());
        let hidden: Vec<Option<Hidden>> = r.dimensions[0].items.iter().map(|i| i.hidden).collect();
        assert_eq!(
            hidden,
            vec![
                Some(Hidden::Complementary),
                Some(Hidden::Complementary),
                Some(Hidden::Complementary),
                Some(Hidden::BelowMinGroupSize)
            ]
        );
        assert!(r.dimensions[0].items.iter().all(|i| i.mean.is_none()));
    }

    #[test]
    fn an_open_round_shows_participation_only() {
        let tree = UnitTree::new([("a", None), ("b", Some("a"))]);
        let r = participation_only(&instrument(), 42, &tree);
        assert_eq!(r.responses, 42);
        assert_eq!(r.hidden, Some(Hidden::RoundOpen));
        assert!(
            r.dimensions
                .iter()
                .all(|d| d.summary.is_none() && d.items.iter().all(|i| i.mean.is_none()))
        );
        assert_eq!(r.units.len(), 2);
        assert!(
            r.units
                .iter()
                .all(|u| u.responses.is_none() && u.hidden == Some(Hidden::RoundOpen))
        );
    }

    #[test]
    fn results_round_trip_through_storage_unchanged() {
        let tree = UnitTree::new([("rathaus", None), ("amt", Some("rathaus"))]);
        let agg = RoundAggregates {
            responses: vec![(Some("amt".into()), 6), (Some("rathaus".into()), 5)],
            dimensions: vec![
                (Some("amt".into()), "d".into(), m(&[2.0, 3.0, 4.0, 3.5, 2.5, 4.5])),
                (Some("rathaus".into()), "d".into(), m(&[1.0, 2.0, 3.0, 4.0, 5.0])),
            ],
            items: vec![],
            answer_patterns: vec![],
        };
        let r = build(&instrument(), &agg, &tree, 5);
        let json = serde_json::to_string(&r).unwrap();
        let back: RoundResults = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let snapshot = back.tree();
        assert!(snapshot.is_within("amt", "rathaus"));
        assert_eq!(back.unit("amt").and_then(|u| u.responses), Some(6));
    }
}
