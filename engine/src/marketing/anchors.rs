//! The literal anchors of a set of patterns in one character trie, so that a scan reads the
//! text once to learn which patterns can match at all (their required strings occur) and where
//! the patterns that start with a literal can start (their lead strings occur), instead of
//! trying every pattern indexed under a position's first characters.

/// A node: its children (sorted by character) and the patterns its string anchors.
#[derive(Debug, Clone, PartialEq, Default)]
struct TrieNode {
    children: Vec<(char, u32)>,
    /// Patterns whose match may start with this node's string.
    leads: Vec<u32>,
    /// Required-string sets this node's string belongs to.
    requires: Vec<u32>,
}

/// Lead and required strings of every pattern of an index, as one trie over characters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AnchorTrie {
    nodes: Vec<TrieNode>,
    /// The root's children for ASCII characters (node index, 0 for none): most positions of
    /// a text are looked up here without a search.
    root_ascii: Vec<u32>,
}

impl Default for AnchorTrie {
    fn default() -> Self {
        Self {
            nodes: vec![TrieNode::default()],
            root_ascii: vec![0; 128],
        }
    }
}

impl AnchorTrie {
    fn node_of(&mut self, s: &[char]) -> usize {
        let mut at = 0usize;
        for &c in s {
            at = match self.nodes[at].children.iter().find(|(k, _)| *k == c) {
                Some((_, next)) => *next as usize,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    let id = u32::try_from(next).unwrap_or(u32::MAX);
                    self.nodes[at].children.push((c, id));
                    next
                }
            };
        }
        at
    }

    /// Records that pattern `k` may start with `s`.
    pub(crate) fn add_lead(&mut self, s: &[char], k: usize) {
        let at = self.node_of(s);
        self.nodes[at]
            .leads
            .push(u32::try_from(k).unwrap_or(u32::MAX));
    }

    /// Records that every match of pattern `k` contains `s` or another of its required set.
    pub(crate) fn add_required(&mut self, s: &[char], k: usize) {
        let at = self.node_of(s);
        self.nodes[at]
            .requires
            .push(u32::try_from(k).unwrap_or(u32::MAX));
    }

    /// Sorts the children for bisection; call once all strings are in.
    pub(crate) fn finish(&mut self) {
        for n in &mut self.nodes {
            n.children.sort_unstable_by_key(|(c, _)| *c);
        }
        let root: Vec<(char, u32)> = self.nodes[0].children.clone();
        for (c, next) in root {
            if c.is_ascii() {
                self.root_ascii[c as usize] = next;
            }
        }
    }

    /// Whether no string was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.len() == 1
    }

    /// Calls `on_lead(k)` for every pattern with a lead string at `pos`, and `on_required(set)`
    /// for every required-string set with a string there.
    pub(crate) fn at(
        &self,
        text: &[char],
        pos: usize,
        mut on_lead: impl FnMut(u32),
        mut on_required: impl FnMut(u32),
    ) {
        let Some(&first) = text.get(pos) else {
            return;
        };
        let mut at = if first.is_ascii() {
            self.root_ascii[first as usize] as usize
        } else {
            match self.nodes[0]
                .children
                .binary_search_by_key(&first, |(c, _)| *c)
            {
                Ok(i) => self.nodes[0].children[i].1 as usize,
                Err(_) => 0,
            }
        };
        let mut i = pos + 1;
        while at != 0 {
            let node = &self.nodes[at];
            node.leads.iter().for_each(|k| on_lead(*k));
            node.requires.iter().for_each(|k| on_required(*k));
            let Some(&c) = text.get(i) else {
                return;
            };
            at = match node.children.binary_search_by_key(&c, |(k, _)| *k) {
                Ok(j) => node.children[j].1 as usize,
                Err(_) => 0,
            };
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn every_string_at_a_position_is_reported_with_its_patterns() {
        let mut trie = AnchorTrie::default();
        trie.add_lead(&chars("贷"), 0);
        trie.add_lead(&chars("贷款"), 1);
        trie.add_required(&chars("款"), 2);
        trie.add_required(&chars("no"), 3);
        trie.add_lead(&chars("no credit"), 4);
        trie.finish();
        let text = chars("贷款 no credit");
        let mut leads = Vec::new();
        let mut required = Vec::new();
        for pos in 0..text.len() {
            trie.at(
                &text,
                pos,
                |k| leads.push((pos, k)),
                |k| required.push((pos, k)),
            );
        }
        assert_eq!(leads, vec![(0, 0), (0, 1), (3, 4)]);
        assert_eq!(required, vec![(1, 2), (3, 3)]);
        // Nothing past the end, nothing for a prefix of a string.
        let mut none = Vec::new();
        trie.at(&chars("no cred"), 0, |k| none.push(k), |_| {});
        assert!(none.is_empty());
        let mut sets = Vec::new();
        trie.at(&text, text.len(), |k| none.push(k), |k| sets.push(k));
        assert!(none.is_empty() && sets.is_empty());
    }
}
