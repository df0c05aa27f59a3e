//! Payload and routing-key templates: `{n}`, `{key}`, `{producer}` and `{t}` parsed once
//! into [`Piece`]s and rendered without `core::fmt` (a hot path: every publish renders one).

use alloc::string::String;
use alloc::vec::Vec;
/// A literal run or a placeholder of a parsed template.
#[derive(Debug, Clone)]
pub(super) enum Piece {
    Lit(String),
    N,
    Key,
    Producer,
    T,
}

/// Parses `{n}`, `{key}`, `{producer}` and `{t}`; any other `{` is literal.
pub(super) fn parse_template(t: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        lit.push_str(&rest[..i]);
        let after = &rest[i..];
        let piece = [
            ("{n}", Piece::N),
            ("{key}", Piece::Key),
            ("{producer}", Piece::Producer),
            ("{t}", Piece::T),
        ]
        .into_iter()
        .find(|(tok, _)| after.starts_with(tok));
        match piece {
            Some((tok, p)) => {
                if !lit.is_empty() {
                    out.push(Piece::Lit(core::mem::take(&mut lit)));
                }
                out.push(p);
                rest = &after[tok.len()..];
            }
            None => {
                lit.push('{');
                rest = &after[1..];
            }
        }
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

/// Renders `pieces` into `out` (cleared first) as UTF-8 bytes: the payload path, which needs
/// no `String`.
pub(super) fn render(
    out: &mut Vec<u8>,
    pieces: &[Piece],
    n: u64,
    key: &str,
    producer: &str,
    t: u64,
) {
    out.clear();
    for p in pieces {
        match p {
            Piece::Lit(s) => out.extend_from_slice(s.as_bytes()),
            Piece::N => push_u64(out, n),
            Piece::Key => out.extend_from_slice(key.as_bytes()),
            Piece::Producer => out.extend_from_slice(producer.as_bytes()),
            Piece::T => push_u64(out, t),
        }
    }
}

/// Renders `pieces` as a `String` (routing keys).
pub(super) fn render_string(pieces: &[Piece], n: u64, key: &str, producer: &str, t: u64) -> String {
    let mut out = Vec::new();
    render(&mut out, pieces, n, key, producer, t);
    // Every piece is a `str` and the digits are ASCII, so this never falls back.
    String::from_utf8(out).unwrap_or_default()
}

/// `"00"` to `"99"`, for two digits per division.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `n` in decimal (a hot path: every payload has its sequence number), two digits
/// per division.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_placeholder() {
        let pieces = parse_template("order {n} for {key} by {producer} at {t} {x}");
        let mut out = Vec::new();
        render(
            &mut out,
            &pieces,
            0,
            "k-1",
            "api",
            18_446_744_073_709_551_615,
        );
        assert_eq!(
            out,
            b"order 0 for k-1 by api at 18446744073709551615 {x}".to_vec()
        );
        assert_eq!(
            render_string(&pieces, 42, "", "p", 7),
            "order 42 for  by p at 7 {x}"
        );
        for n in [
            0,
            7,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            12_345,
            1_000_000,
            98_765_432_109,
        ] {
            out.clear();
            push_u64(&mut out, n);
            assert_eq!(out, alloc::format!("{n}").into_bytes());
        }
        render(&mut out, &parse_template(""), 1, "", "", 0);
        assert!(out.is_empty());
    }
}
