//! The unit tree of one organisation: sub-trees, ancestors and cycle checks.

use std::collections::{HashMap, HashSet};

/// Parent links of every unit of one organisation (`unit id -> parent id`).
#[derive(Debug, Default, Clone)]
pub struct UnitTree {
    parent: HashMap<String, Option<String>>,
    children: HashMap<String, Vec<String>>,
}

impl UnitTree {
    pub fn new<I, S>(links: I) -> Self
    where
        I: IntoIterator<Item = (S, Option<S>)>,
        S: Into<String>,
    {
        let mut parent = HashMap::new();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for (id, p) in links {
            let id = id.into();
            let p = p.map(Into::into);
            if let Some(p) = &p {
                children.entry(p.clone()).or_default().push(id.clone());
            }
            parent.insert(id, p);
        }
        Self { parent, children }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.parent.contains_key(id)
    }

    /// The unit and everything below it (empty when the unit is unknown).
    pub fn subtree(&self, root: &str) -> Vec<String> {
        if !self.contains(root) {
            return Vec::new();
        }
        let mut out = vec![root.to_owned()];
        let mut seen: HashSet<&str> = HashSet::from([root]);
        let mut i = 0;
        while i < out.len() {
            let current = out[i].clone();
            if let Some(kids) = self.children.get(&current) {
                for k in kids {
                    if seen.insert(k.as_str()) {
                        out.push(k.clone());
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// True when `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: &str, ancestor: &str) -> bool {
        let mut current = Some(unit.to_owned());
        let mut steps = 0;
        while let Some(u) = current {
            if u == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.parent.len() {
                return false;
            }
            current = self.parent.get(&u).cloned().flatten();
        }
        false
    }

    /// Whether moving `unit` under `new_parent` would make a unit its own ancestor.
    pub fn would_cycle(&self, unit: &str, new_parent: &str) -> bool {
        self.is_within(new_parent, unit)
    }

    /// Parent of a unit (None for roots and unknown units).
    pub fn parent_of(&self, unit: &str) -> Option<&str> {
        self.parent.get(unit).and_then(|p| p.as_deref())
    }

    pub fn children_of(&self, unit: &str) -> &[String] {
        self.children.get(unit).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The sub-tree below `root` as a tree of its own, `root` its only root.
    pub fn restricted_to(&self, root: &str) -> UnitTree {
        UnitTree::new(self.subtree(root).into_iter().map(|u| {
            let parent = if u == root {
                None
            } else {
                self.parent_of(&u).map(str::to_owned)
            };
            (u, parent)
        }))
    }

    pub fn roots(&self) -> Vec<&str> {
        let mut r: Vec<&str> = self
            .parent
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(id, _)| id.as_str())
            .collect();
        r.sort_unstable();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> UnitTree {
        // rathaus
        // ├── buergeramt
        // │   └── meldestelle
        // └── bauamt
        UnitTree::new([
            ("rathaus", None),
            ("buergeramt", Some("rathaus")),
            ("meldestelle", Some("buergeramt")),
            ("bauamt", Some("rathaus")),
        ])
    }

    #[test]
    fn subtree_includes_root_and_descendants() {
        let t = sample();
        let mut s = t.subtree("buergeramt");
        s.sort();
        assert_eq!(s, vec!["buergeramt", "meldestelle"]);
        assert_eq!(t.subtree("rathaus").len(), 4);
        assert!(t.subtree("unknown").is_empty());
    }

    #[test]
    fn cycles_are_detected() {
        let t = sample();
        assert!(t.would_cycle("buergeramt", "meldestelle"));
        assert!(t.would_cycle("rathaus", "bauamt"));
        assert!(t.would_cycle("bauamt", "bauamt"));
        assert!(!t.would_cycle("bauamt", "meldestelle"));
    }

    #[test]
    fn within() {
        let t = sample();
        assert!(t.is_within("meldestelle", "rathaus"));
        assert!(!t.is_within("bauamt", "buergeramt"));
        assert_eq!(t.parent_of("meldestelle"), Some("buergeramt"));
        assert_eq!(t.roots(), vec!["rathaus"]);
    }

    #[test]
    fn restricted_to_a_sub_tree() {
        let t = sample().restricted_to("buergeramt");
        assert_eq!(t.roots(), vec!["buergeramt"]);
        assert!(t.contains("meldestelle"));
        assert!(!t.contains("rathaus") && !t.contains("bauamt"));
        assert!(sample().restricted_to("nowhere").roots().is_empty());
    }
}
