//! Transcript files: reading the script out of one, comparing it with a run (a line diff when
//! they differ) and rewriting it under `BLESS=1`.
//!
//! A transcript file is exactly what a run prints: each command as `> @<ms> …` followed by
//! its output indented by two spaces, with `#` comment lines and blank lines kept where they
//! are. The script is the file without its indented lines, so blessing rewrites only the
//! expected output and a blessed file reads back to itself.

use std::path::PathBuf;

/// The folder of the transcript files, `core/tests/transcripts/`.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts")
}

/// The file of the transcript `name`.
pub fn path(name: &str) -> PathBuf {
    dir().join(format!("{name}.txt"))
}

/// Whether this run rewrites transcripts: only with `BLESS=1` exactly (not `BLESS=0`, not
/// `BLESS=`), and never under CI (`CI` set, as CI services do), where it would turn every
/// failure into a pass.
pub fn blessing() -> bool {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    if bless && std::env::var_os("CI").is_some() {
        panic!("BLESS=1 rewrites the expected transcripts; it is refused when CI is set");
    }
    bless
}

/// The script of a transcript file: its command lines (`> ` removed), comments and blank
/// lines; the indented expected output is dropped.
pub fn script_of(text: &str) -> String {
    let mut script = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(cmd) = line.strip_prefix("> ") {
            script.push_str(cmd);
        } else if line.is_empty() || line.starts_with('#') {
            script.push_str(line);
        } else if line.starts_with(' ') {
            continue;
        } else {
            panic!(
                "a transcript line is `> @ms command`, `# comment`, blank or indented output, not {line:?}"
            );
        }
        script.push('\n');
    }
    script
}

/// The lines compared: trailing whitespace and trailing blank lines do not count.
fn lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

/// Whether two transcripts are the same (see [`lines`]).
pub fn same(expected: &str, got: &str) -> bool {
    lines(expected) == lines(got)
}

/// Writes `text` to `path` through a temporary file and a rename, so a test reading the file
/// at the same time sees the old or the new text, never part of one.
pub fn write(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension(format!("txt.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).unwrap_or_else(|e| panic!("writing {}: {e}", tmp.display()));
    std::fs::rename(&tmp, path).unwrap_or_else(|e| panic!("renaming to {}: {e}", path.display()));
}

/// Lines of context around each change in [`diff`].
const CONTEXT: usize = 3;

/// A line diff of `expected` against `got` (`-` expected only, `+` got only, ` ` both), in
/// hunks headed `@@ expected line N, got line M @@` with a little context.
pub fn diff(expected: &str, got: &str) -> String {
    let (a, b) = (lines(expected), lines(got));
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The edit script: (tag, expected line number, got line number, text).
    let mut ops: Vec<(char, usize, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', i, j, a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i, j, a[i]));
            i += 1;
        } else {
            ops.push(('+', i, j, b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 2 * CONTEXT + 1 {
            end = changed[k];
            k += 1;
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let (_, ai, bj, _) = ops[start];
        out.push_str(&format!(
            "@@ expected line {}, got line {} @@\n",
            ai + 1,
            bj + 1
        ));
        for &(tag, _, _, text) in &ops[start..end] {
            out.push_str(&format!("{tag}{text}\n"));
        }
    }
    out
}
