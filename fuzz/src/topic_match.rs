//! The `topic_match` target: topic-exchange matching against [`reference_matches`], a plain
//! recursive matcher written straight from RabbitMQ's rules.
//!
//! The input is a binding pattern and a routing key separated by the first `0x00` byte (the
//! key is empty when there is none), each read as UTF-8 lossily. Checked:
//! [`topic_matches`] and a compiled [`TopicPattern`] agree with the reference on every input.
//! Inputs of more than [`MAX_WORDS`] words on either side are cut there, to keep the
//! reference's table small.

use brokerlab::{TopicPattern, topic_matches};

/// Words of the pattern and of the key kept at most (more than the 128 positions where the
/// engine switches from a bit mask to a vector of states).
pub const MAX_WORDS: usize = 200;

/// Matches a pattern and a key from `data` both ways (see the module docs).
pub fn topic_match(data: &[u8]) {
    let (pattern, key) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let pattern = cut(&String::from_utf8_lossy(pattern));
    let key = cut(&String::from_utf8_lossy(key));
    let expected = reference_matches(&pattern, &key);
    assert_eq!(
        topic_matches(&pattern, &key),
        expected,
        "topic_matches({pattern:?}, {key:?})"
    );
    assert_eq!(
        TopicPattern::new(&pattern).matches(&key),
        expected,
        "TopicPattern::new({pattern:?}).matches({key:?})"
    );
}

/// `text` with at most [`MAX_WORDS`] words.
fn cut(text: &str) -> String {
    text.split('.')
        .take(MAX_WORDS)
        .collect::<Vec<_>>()
        .join(".")
}

/// The words of a pattern or key: split at `.`; the empty string has none.
fn words(text: &str) -> Vec<&str> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('.').collect()
    }
}

/// Whether `key` matches `pattern`, by RabbitMQ's rules taken literally: `*` is one word,
/// `#` is any number of words (zero included), any other word is itself.
#[must_use]
pub fn reference_matches(pattern: &str, key: &str) -> bool {
    let (p, k) = (words(pattern), words(key));
    // Answers already worked out, by how many pattern and key words are left: without it a
    // pattern with many `#` takes exponential time; the recursion itself is unchanged.
    let mut memo = Memo {
        key_words: k.len(),
        known: vec![None; (p.len() + 1) * (k.len() + 1)],
    };
    matches_from(&p, &k, &mut memo)
}

struct Memo {
    key_words: usize,
    known: Vec<Option<bool>>,
}

/// Whether the key words `k` match the pattern words `p` (suffixes of the whole pattern and
/// key, so their lengths name them).
fn matches_from(p: &[&str], k: &[&str], memo: &mut Memo) -> bool {
    let slot = p.len() * (memo.key_words + 1) + k.len();
    if let Some(known) = memo.known[slot] {
        return known;
    }
    let answer = match p.split_first() {
        None => k.is_empty(),
        Some((&"#", rest)) => (0..=k.len()).any(|skip| matches_from(rest, &k[skip..], memo)),
        Some((&"*", rest)) => !k.is_empty() && matches_from(rest, &k[1..], memo),
        Some((word, rest)) => k.first() == Some(word) && matches_from(rest, &k[1..], memo),
    };
    memo.known[slot] = Some(answer);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_knows_the_rules() {
        let cases: &[(&str, &str, bool)] = &[
            ("a.b.c", "a.b.c", true),
            ("a.*.c", "a.b.c", true),
            ("a.b.*", "a.b", false),
            ("a.#", "a", true),
            ("#", "", true),
            ("*", "", false),
            ("a.*.b", "a..b", true),
            ("a#b", "axb", false),
            ("#.a.#.b", "x.a.y.z.b", true),
            ("#.a.#.b", "x.a.y.z.b.c", false),
            ("", "", true),
            ("", "a", false),
        ];
        for &(pattern, key, expected) in cases {
            assert_eq!(reference_matches(pattern, key), expected, "{pattern} {key}");
        }
        let many = "#.a".repeat(40);
        let key = "a.".repeat(60) + "b";
        assert!(!reference_matches(&many, &key));
    }
}
