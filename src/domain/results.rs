//! Results of one assessment round, built from SQL aggregates: per dimension (with its
//! items) for the whole round, and per unit under the minimum group size rule.

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

#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub key: String,
    pub reverse: bool,
    /// `None` (like `cant_judge`) when the whole round is below k: with few respondents
    /// even the pattern of "can't judge" answers would say something about a person.
    pub answered: Option<i64>,
    pub cant_judge: Option<i64>,
    /// Mean of the values as answered; `None` when fewer than k answered.
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DimensionResult {
    pub key: String,
    /// Respondents whose score counts (75 % rule).
    pub n: i64,
    pub summary: Option<Summary>,
    pub hidden: Option<Hidden>,
    pub items: Vec<ItemResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitDimensionResult {
    pub key: String,
    pub summary: Option<Summary>,
    pub hidden: Option<Hidden>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitResult {
    pub unit_id: String,
    pub parent_id: Option<String>,
    /// Responses from the unit and its sub-units; `None` when hidden.
    pub responses: Option<i64>,
    pub hidden: Option<Hidden>,
    pub dimensions: Vec<UnitDimensionResult>,
}

#[derive(Debug, Clone, PartialEq)]
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
    let dimensions = instrument
        .dimensions
        .iter()
        .map(|d| {
            let m = round_moments.get(d.key.as_str()).copied().unwrap_or_default();
            let (summary, hidden) = round_dimension(m, responses, k);
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
                        let answered = a.map(|a| a.answered).unwrap_or(0);
                        let round_shown = responses >= k;
                        ItemResult {
                            key: i.key.clone(),
                            reverse: i.reverse,
                            answered: round_shown.then_some(answered),
                            cant_judge: round_shown.then(|| a.map(|a| a.cant_judge).unwrap_or(0)),
                            mean: a
                                .filter(|_| round_shown && answered >= k)
                                .map(|a| a.sum as f64 / a.answered as f64),
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
        };
        let r = build(&instrument(), &agg, &tree, 3);
        assert_eq!(r.responses, 7);
        assert_eq!(r.hidden, None);
        let d = &r.dimensions[0];
        assert_eq!(d.n, 5);
        let s = d.summary.unwrap();
        assert!((s.mean - 3.6).abs() < 1e-12);
        assert!((d.items[0].mean.unwrap() - 25.0 / 7.0).abs() < 1e-12);
        assert_eq!(d.items[1].mean, None, "two answers are fewer than k");
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
}
