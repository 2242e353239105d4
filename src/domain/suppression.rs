//! The minimum group size rule for results by unit: a group with fewer than k responses is
//! hidden, and so is a neighbour whenever a hidden group could otherwise be computed by
//! subtracting the shown groups from a shown total.
//!
//! Every unit's figure covers its whole sub-tree. Under a shown parent (or the round
//! total, a virtual root) the part nobody sees is the parent's own members plus its hidden
//! children; anyone can compute that remainder as "parent minus shown children". If it is
//! not empty but smaller than k, the smallest shown child is hidden as well, with its
//! whole sub-tree (else its children would add up to it again). This covers the case of
//! exactly one hidden sibling, two tiny hidden siblings and a parent's few direct members
//! alike. Since the hidden set is closed downwards, every quantity that can be derived
//! from shown figures is a combination of such remainders, each empty or of size ≥ k.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::unit_tree::UnitTree;

/// Why a group's figures are not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hidden {
    /// Fewer responses than the minimum group size k.
    BelowMinGroupSize,
    /// Shown figures would otherwise reveal a smaller hidden group by subtraction.
    Complementary,
    /// The round is still open: it shows participation only, figures come at its close.
    RoundOpen,
    /// The unit did not exist (or was outside the round's scope) when the round closed.
    NotInRound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Responses in the whole round (the virtual root).
    pub total: i64,
    /// Set when the round total itself is below k: then nothing is shown.
    pub root: Option<Hidden>,
    /// Responses per unit, its sub-tree included.
    pub totals: HashMap<String, i64>,
    pub hidden: HashMap<String, Hidden>,
}

impl Suppression {
    pub fn unit(&self, id: &str) -> Option<Hidden> {
        self.hidden.get(id).copied()
    }

    pub fn total_of(&self, id: &str) -> i64 {
        self.totals.get(id).copied().unwrap_or(0)
    }
}

/// Applies the rule to per-unit counts of *direct* members' responses. Counts for units
/// not in `tree` (and responses without a unit) belong to the round total only.
/// `already_hidden` carries decisions of an earlier pass (per-dimension counts are checked
/// after the response counts, keeping what that pass hid).
pub fn suppress(
    tree: &UnitTree,
    direct: &HashMap<String, i64>,
    unassigned: i64,
    k: i64,
    already_hidden: &HashMap<String, Hidden>,
) -> Suppression {
    let mut order: Vec<String> = Vec::new();
    for root in tree.roots() {
        order.extend(tree.subtree(root));
    }
    let direct_of = |u: &str| direct.get(u).copied().unwrap_or(0);
    let outside: i64 = direct.iter().filter(|(u, _)| !tree.contains(u)).map(|(_, n)| *n).sum();
    let unassigned = unassigned + outside;

    let mut totals: HashMap<String, i64> = HashMap::with_capacity(order.len());
    for u in order.iter().rev() {
        let below: i64 = tree
            .children_of(u)
            .iter()
            .map(|c| totals.get(c).copied().unwrap_or(0))
            .sum();
        totals.insert(u.clone(), direct_of(u) + below);
    }
    let total = unassigned + tree.roots().iter().map(|r| totals[*r]).sum::<i64>();

    let mut hidden: HashMap<String, Hidden> = HashMap::new();
    if total < k {
        for u in &order {
            hidden.insert(u.clone(), Hidden::BelowMinGroupSize);
        }
        return Suppression {
            total,
            root: Some(Hidden::BelowMinGroupSize),
            totals,
            hidden,
        };
    }
    for u in &order {
        if totals[u] < k {
            hidden.insert(u.clone(), Hidden::BelowMinGroupSize);
        }
    }
    for (u, why) in already_hidden {
        if tree.contains(u) {
            hidden.entry(u.clone()).or_insert(*why);
        }
    }

    // Top-down, so a parent's visibility is settled before its children are looked at.
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    let mut stack: Vec<(Vec<String>, i64)> = vec![(
        sorted(tree.roots().into_iter().map(str::to_owned).collect()),
        unassigned,
    )];
    while let Some((children, own)) = stack.pop() {
        let hidden_part = own
            + children
                .iter()
                .filter(|c| hidden.contains_key(*c))
                .map(|c| totals[c])
                .sum::<i64>();
        if hidden_part > 0 && hidden_part < k {
            let smallest = children
                .iter()
                .filter(|c| !hidden.contains_key(*c))
                .min_by(|a, b| totals[*a].cmp(&totals[*b]).then(a.cmp(b)))
                .cloned();
            if let Some(c) = smallest {
                for v in tree.subtree(&c) {
                    hidden.entry(v).or_insert(Hidden::Complementary);
                }
            }
        }
        for c in &children {
            if !hidden.contains_key(c) {
                stack.push((sorted(tree.children_of(c).to_vec()), direct_of(c)));
            }
        }
    }
    Suppression {
        total,
        root: None,
        totals,
        hidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
        pairs.iter().map(|(u, n)| ((*u).to_string(), *n)).collect()
    }

    fn flat(children: &[&str]) -> UnitTree {
        let mut links = vec![("p", None)];
        links.extend(children.iter().map(|c| (*c, Some("p"))));
        UnitTree::new(links)
    }

    fn run(tree: &UnitTree, direct: &[(&str, i64)], k: i64) -> Suppression {
        suppress(tree, &counts(direct), 0, k, &HashMap::new())
    }

    #[test]
    fn one_small_sibling_hides_a_second_one() {
        let s = run(&flat(&["a", "b", "c"]), &[("a", 6), ("b", 7), ("c", 2)], 5);
        assert_eq!(s.root, None);
        assert_eq!(s.total, 15);
        assert_eq!(s.unit("p"), None);
        assert_eq!(s.unit("c"), Some(Hidden::BelowMinGroupSize));
        assert_eq!(s.unit("a"), Some(Hidden::Complementary), "the smallest shown sibling");
        assert_eq!(s.unit("b"), None);
    }

    #[test]
    fn hidden_siblings_that_together_reach_k_need_no_help() {
        let s = run(&flat(&["a", "b", "c"]), &[("a", 8), ("b", 3), ("c", 3)], 5);
        assert_eq!(s.unit("a"), None);
        assert_eq!(s.unit("b"), Some(Hidden::BelowMinGroupSize));
        assert_eq!(s.unit("c"), Some(Hidden::BelowMinGroupSize));
    }

    #[test]
    fn two_tiny_siblings_are_protected_too() {
        let s = run(
            &flat(&["a", "b", "c", "d"]),
            &[("a", 8), ("b", 1), ("c", 1), ("d", 9)],
            5,
        );
        assert_eq!(s.unit("a"), Some(Hidden::Complementary));
        assert_eq!(s.unit("d"), None);
    }

    #[test]
    fn a_parents_few_direct_members_count_as_a_hidden_group() {
        let s = run(&flat(&["a", "b"]), &[("p", 2), ("a", 6), ("b", 9)], 5);
        assert_eq!(s.unit("p"), None);
        assert_eq!(s.unit("a"), Some(Hidden::Complementary));
        assert_eq!(s.unit("b"), None);
        let s = run(&flat(&["a", "b"]), &[("p", 5), ("a", 6), ("b", 9)], 5);
        assert!(s.hidden.is_empty(), "five direct members may be derived");
    }

    #[test]
    fn a_complementary_unit_hides_its_sub_tree() {
        // p ── a ── a1, a2;  p ── b;  p ── c
        let tree = UnitTree::new([
            ("p", None),
            ("a", Some("p")),
            ("a1", Some("a")),
            ("a2", Some("a")),
            ("b", Some("p")),
            ("c", Some("p")),
        ]);
        let s = run(&tree, &[("a1", 5), ("a2", 5), ("b", 12), ("c", 2)], 5);
        assert_eq!(s.total_of("a"), 10);
        assert_eq!(s.unit("a"), Some(Hidden::Complementary));
        assert_eq!(s.unit("a1"), Some(Hidden::Complementary));
        assert_eq!(s.unit("a2"), Some(Hidden::Complementary));
        assert_eq!(s.unit("b"), None);
    }

    #[test]
    fn the_round_total_is_protected_like_a_parent() {
        // Two top-level units and two responses without a unit.
        let tree = UnitTree::new([("x", None), ("y", None)]);
        let s = suppress(&tree, &counts(&[("x", 6), ("y", 7)]), 2, 5, &HashMap::new());
        assert_eq!(s.total, 15);
        assert_eq!(s.unit("x"), Some(Hidden::Complementary));
        let s = suppress(&tree, &counts(&[("x", 2), ("y", 1)]), 1, 5, &HashMap::new());
        assert_eq!(s.root, Some(Hidden::BelowMinGroupSize));
        assert_eq!(s.hidden.len(), 2);
    }

    #[test]
    fn earlier_decisions_are_kept() {
        let tree = flat(&["a", "b"]);
        let before = HashMap::from([("b".to_string(), Hidden::Complementary)]);
        let s = suppress(&tree, &counts(&[("a", 9), ("b", 9)]), 0, 5, &before);
        assert_eq!(s.unit("b"), Some(Hidden::Complementary));
        assert_eq!(s.unit("a"), None, "the hidden part (9) is at least k");
    }

    /// Whatever the tree and counts, what can be derived from shown figures is a
    /// remainder "shown parent minus shown children" that is empty or has k or more.
    #[test]
    fn no_small_group_can_be_derived_by_subtraction() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..500 {
            let n = 1 + next(12) as usize;
            let mut links: Vec<(String, Option<String>)> = Vec::new();
            for i in 0..n {
                let parent = if i == 0 || next(4) == 0 {
                    None
                } else {
                    Some(format!("u{}", next(i as u64)))
                };
                links.push((format!("u{i}"), parent));
            }
            let tree = UnitTree::new(links.clone());
            let direct: HashMap<String, i64> = links.iter().map(|(u, _)| (u.clone(), next(9) as i64)).collect();
            let unassigned = next(4) as i64;
            let k = 3 + next(4) as i64;
            let s = suppress(&tree, &direct, unassigned, k, &HashMap::new());
            if s.root.is_some() {
                assert!(s.total < k);
                continue;
            }
            let shown = |u: &str| s.unit(u).is_none();
            // Remainder under the virtual root and under every shown unit.
            let mut parents: Vec<(i64, Vec<String>)> =
                vec![(s.total, tree.roots().iter().map(|r| r.to_string()).collect())];
            for (u, _) in &links {
                if shown(u) {
                    parents.push((s.total_of(u), tree.children_of(u).to_vec()));
                }
            }
            for (total, children) in parents {
                let visible: i64 = children.iter().filter(|c| shown(c)).map(|c| s.total_of(c)).sum();
                let rest = total - visible;
                assert!(rest == 0 || rest >= k, "derivable group of {rest} < {k}");
            }
            // Hidden is closed downwards.
            for (u, _) in &links {
                if !shown(u) {
                    for v in tree.subtree(u) {
                        assert!(!shown(&v));
                    }
                }
            }
        }
    }
}
