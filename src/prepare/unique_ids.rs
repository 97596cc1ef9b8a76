//! Ids made unique by a numeric suffix (`why`, `why-2`, `why-3`), in time linear in the number
//! of ids: the next suffix to try is remembered per base, so a thousand identical headings do
//! not each retry every suffix before theirs.

use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Default)]
pub struct UniqueIds {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl UniqueIds {
    pub fn new(used: HashSet<String>) -> Self {
        UniqueIds {
            used,
            next_suffix: HashMap::new(),
        }
    }

    /// `base` if it is free, else `base-N` for the smallest free N ≥ 2; the id is then taken.
    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next_suffix.entry(base.to_string()).or_insert(2);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_skip_taken_ids() {
        let mut ids = UniqueIds::new(["a-2".to_string()].into_iter().collect());
        let got: Vec<String> = (0..4).map(|_| ids.claim("a")).collect();
        assert_eq!(got, ["a", "a-3", "a-4", "a-5"]);
        assert_eq!(ids.claim("a-4"), "a-4-2");
    }
}
