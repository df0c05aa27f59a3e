//! Topic-exchange matching with RabbitMQ's rules.
//!
//! A routing key and a binding pattern are words separated by `.`. In a pattern, a word that is
//! exactly `*` matches one word and a word that is exactly `#` matches zero or more words;
//! every other word matches itself, case-sensitively.
//!
//! The subtle cases (SEMANTICS.md, "Routing"):
//! - `a.b.*` does not match `a.b`; `a.#` matches `a`; `#` alone matches everything;
//! - an empty routing key has zero words (`#` matches it, `*` does not);
//! - empty words are words (`a.*.b` matches `a..b`);
//! - `*` and `#` are wildcards only as whole words (`a#b` is literal);
//! - many `#` in one pattern stay linear: matching simulates the pattern as an automaton over
//!   the set of pattern positions, `O(pattern words × key words)`, never backtracking.
//!
//! ```
//! use brokerlab::topic_matches;
//! assert!(topic_matches("stock.*.nyse", "stock.ibm.nyse"));
//! assert!(topic_matches("a.#", "a"));
//! assert!(!topic_matches("a.b.*", "a.b"));
//! assert!(topic_matches("#", ""));
//! assert!(!topic_matches("*", ""));
//! assert!(topic_matches("a.*.b", "a..b"));
//! assert!(!topic_matches("a#b", "axb"));
//! ```

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Splits a key or pattern into words; the empty string has zero words.
fn words(s: &str) -> impl Iterator<Item = &str> {
    let mut it = s.split('.');
    if s.is_empty() {
        it.next();
    }
    it
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Star,
    Hash,
    Lit(String),
}

/// A topic binding pattern compiled once, matched many times without allocating
/// (for patterns up to 127 words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicPattern {
    words: Vec<Word>,
}

impl TopicPattern {
    /// Compiles `pattern`. Every string is a valid pattern.
    #[must_use]
    pub fn new(pattern: &str) -> Self {
        let mut out: Vec<Word> = Vec::new();
        for w in words(pattern) {
            let word = match w {
                "*" => Word::Star,
                "#" => Word::Hash,
                lit => Word::Lit(String::from(lit)),
            };
            // `#.#` matches exactly what `#` matches.
            if word == Word::Hash && out.last() == Some(&Word::Hash) {
                continue;
            }
            out.push(word);
        }
        TopicPattern { words: out }
    }

    /// Whether `routing_key` matches this pattern.
    #[must_use]
    pub fn matches(&self, routing_key: &str) -> bool {
        let m = self.words.len();
        if !self.words.contains(&Word::Hash) {
            return self.matches_without_hash(routing_key);
        }
        if m < 128 {
            self.run(routing_key, Bits128(0))
        } else {
            self.run(routing_key, BitVec(vec![false; m + 1]))
        }
    }

    fn matches_without_hash(&self, key: &str) -> bool {
        let mut ks = words(key);
        for w in &self.words {
            let Some(k) = ks.next() else { return false };
            if let Word::Lit(l) = w
                && l != k
            {
                return false;
            }
        }
        ks.next().is_none()
    }

    fn run<S: StateSet>(&self, key: &str, mut states: S) -> bool {
        let m = self.words.len();
        states.set(0);
        self.close(&mut states);
        for k in words(key) {
            let next = self.step(&states, k);
            if next.is_empty() {
                return false;
            }
            states = next;
        }
        states.get(m)
    }

    /// Why `routing_key` matches this pattern or not, word by word: the same matching as
    /// [`matches`](Self::matches), stopped at the first word no way of matching gets past.
    ///
    /// ```
    /// use brokerlab::topic::{TopicPattern, TopicVerdict};
    /// let p = TopicPattern::new("stock.*.eu");
    /// assert_eq!(p.explain("stock.acme.eu"), TopicVerdict::Match);
    /// assert_eq!(
    ///     p.explain("stock.acme.us"),
    ///     TopicVerdict::WordMismatch { position: 3, word: "us".into(), expected: vec!["eu".into()] }
    /// );
    /// assert_eq!(p.explain("stock.acme"), TopicVerdict::KeyTooShort { expected: vec!["eu".into()] });
    /// ```
    #[must_use]
    pub fn explain(&self, routing_key: &str) -> TopicVerdict {
        let m = self.words.len();
        let mut states = BitVec(vec![false; m + 1]);
        states.set(0);
        self.close(&mut states);
        let expected = |states: &BitVec| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for (i, w) in self.words.iter().enumerate() {
                if states.get(i) {
                    let word = match w {
                        Word::Lit(l) => l.clone(),
                        Word::Star => String::from("*"),
                        Word::Hash => String::from("#"),
                    };
                    if !out.contains(&word) {
                        out.push(word);
                    }
                }
            }
            out
        };
        for (n, k) in words(routing_key).enumerate() {
            let next = self.step(&states, k);
            if next.is_empty() {
                return TopicVerdict::WordMismatch {
                    position: n + 1,
                    word: String::from(k),
                    expected: expected(&states),
                };
            }
            states = next;
        }
        if states.get(m) {
            TopicVerdict::Match
        } else {
            TopicVerdict::KeyTooShort {
                expected: expected(&states),
            }
        }
    }

    /// The positions reachable from `states` by reading the key word `k`.
    fn step<S: StateSet>(&self, states: &S, k: &str) -> S {
        let mut next = states.empty_like();
        for (i, w) in self.words.iter().enumerate() {
            if !states.get(i) {
                continue;
            }
            match w {
                Word::Hash => next.set(i),
                Word::Star => next.set(i + 1),
                Word::Lit(l) if l == k => next.set(i + 1),
                Word::Lit(_) => {}
            }
        }
        self.close(&mut next);
        next
    }

    /// Adds the positions reachable by letting `#` match zero words.
    fn close<S: StateSet>(&self, states: &mut S) {
        for (i, w) in self.words.iter().enumerate() {
            if *w == Word::Hash && states.get(i) {
                states.set(i + 1);
            }
        }
    }
}

trait StateSet {
    fn set(&mut self, i: usize);
    fn get(&self, i: usize) -> bool;
    fn is_empty(&self) -> bool;
    fn empty_like(&self) -> Self;
}

struct Bits128(u128);

impl StateSet for Bits128 {
    fn set(&mut self, i: usize) {
        self.0 |= 1u128 << i;
    }
    fn get(&self, i: usize) -> bool {
        self.0 & (1u128 << i) != 0
    }
    fn is_empty(&self) -> bool {
        self.0 == 0
    }
    fn empty_like(&self) -> Self {
        Bits128(0)
    }
}

struct BitVec(Vec<bool>);

impl StateSet for BitVec {
    fn set(&mut self, i: usize) {
        if let Some(b) = self.0.get_mut(i) {
            *b = true;
        }
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i).copied().unwrap_or(false)
    }
    fn is_empty(&self) -> bool {
        !self.0.contains(&true)
    }
    fn empty_like(&self) -> Self {
        BitVec(vec![false; self.0.len()])
    }
}

/// Why a routing key matches a topic pattern or not ([`TopicPattern::explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TopicVerdict {
    /// It matches.
    Match,
    /// Word `position` (from 1) of the key, `word`, is where matching fails: the pattern
    /// wanted one of `expected` there (literal words; `*` or `#` never fail on a word).
    WordMismatch {
        /// Its position in the key, from 1.
        position: usize,
        /// The key's word there.
        word: String,
        /// The pattern's words that could have come there.
        expected: Vec<String>,
    },
    /// The key ended while the pattern wanted more words (one of `expected` next).
    KeyTooShort {
        /// The pattern's words that could have come next.
        expected: Vec<String>,
    },
}

/// Whether `routing_key` matches the topic binding `pattern` (RabbitMQ rules, see the module
/// docs). Compile a [`TopicPattern`] to match one pattern many times.
#[must_use]
pub fn topic_matches(pattern: &str, routing_key: &str) -> bool {
    TopicPattern::new(pattern).matches(routing_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_agrees_with_matches() {
        let patterns = [
            "a.b.c", "a.*.c", "a.#", "#", "*", "#.b.#", "a.#.c.*", "", "*.*",
        ];
        let keys = [
            "", "a", "a.b", "a.b.c", "a.x.c", "x.b.c", "a.b.c.d", "b", "a.c.c.d",
        ];
        for p in patterns {
            let t = TopicPattern::new(p);
            for k in keys {
                assert_eq!(
                    t.explain(k) == TopicVerdict::Match,
                    t.matches(k),
                    "{p:?} {k:?}: {:?}",
                    t.explain(k)
                );
            }
        }
    }
    #[test]
    fn rabbitmq_cases() {
        let cases: &[(&str, &str, bool)] = &[
            ("a.b.c", "a.b.c", true),
            ("a.b.c", "a.b", false),
            ("a.*.c", "a.b.c", true),
            ("a.b.*", "a.b", false),
            ("a.#", "a", true),
            ("a.#", "a.b.c", true),
            ("#", "", true),
            ("#", "a.b", true),
            ("*", "", false),
            ("*", "a", true),
            ("", "", true),
            ("", "a", false),
            ("a.*.b", "a..b", true),
            ("a#b", "axb", false),
            ("a#b", "a#b", true),
            ("A.b", "a.b", false),
            ("#.b", "b", true),
            ("#.b", "a.b", true),
            ("#.b", "a.c", false),
            ("*.#", "", false),
            ("#.*", "a", true),
            ("a.#.b.#.c", "a.b.c", true),
            ("a.#.b.#.c", "a.x.b.y.z.c", true),
            ("a.#.b.#.c", "a.c.b", false),
            ("*.*", "a.", true),
            (".", "", false),
            (".", ".", true),
        ];
        for &(p, k, want) in cases {
            assert_eq!(topic_matches(p, k), want, "pattern {p:?} key {k:?}");
        }
    }

    #[test]
    fn many_hashes_stay_linear() {
        let mut pattern = String::new();
        for _ in 0..300 {
            pattern.push_str("#.a.");
        }
        pattern.push('z');
        let key = "a.".repeat(2000) + "y";
        assert!(!topic_matches(&pattern, &key));
        let key2 = "a.".repeat(400) + "z";
        assert!(topic_matches(&pattern, &key2));
        assert!(topic_matches(&("#.".repeat(500) + "x"), "q.x"));
    }
}
