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

/// Renders `pieces` into `out` (cleared first).
pub(super) fn render(
    out: &mut String,
    pieces: &[Piece],
    n: u64,
    key: &str,
    producer: &str,
    t: u64,
) {
    out.clear();
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::N => push_u64(out, n),
            Piece::Key => out.push_str(key),
            Piece::Producer => out.push_str(producer),
            Piece::T => push_u64(out, t),
        }
    }
}

/// Appends `n` in decimal (a hot path: every payload has its sequence number).
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits: always valid UTF-8; appended in one copy.
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap_or_default());
}
