//! The core's module layering, checked on its source text (ARCHITECTURE.md, "Invariants").
//!
//! Every `.rs` file under `core/src` is a node, named by its module path (`lib.rs` is the
//! crate root, `broker/mod.rs` is `broker`, `broker/durable/codec.rs` is
//! `broker::durable::codec`). File A has an edge to file B when A names something of B: in a
//! `use` statement (groups such as `use crate::{a, b::{c, d}}` are expanded, `as` renames
//! dropped) or in a path written in the code (`crate::x::y`, `super::…`, `self::…`, `$crate::…`,
//! or `child::…` for a module the file declares). Comments, strings and character literals
//! are blanked first; `super` and `self` are resolved relative to the file, and to the inline
//! module (`mod tests { … }`) they are written in. A path goes to the longest module prefix that
//! is a file; when the next segment is a name that module imports (`use` or `pub use`), the
//! edge follows that import to where the name is defined, so `crate::Broker` is an edge to
//! `broker` and `crate::broker::QueueRecovery` one to `broker::durable::report`. The crate
//! root only declares modules and re-exports the public API, so it is not a node: paths
//! through it are followed to their modules, and its own re-exports are no edges.
//!
//! The rules:
//! 1. **No upward reference to the broker**: no file outside `src/broker/` writes a path into
//!    `crate::broker` (or reaches it through `super`). The layers above the broker (`shared/`
//!    and `sim/`, listed in `ABOVE_BROKER`) use it only through the public API re-exported at
//!    the crate root (`crate::Broker`), the names a caller uses; no other file reaches the
//!    broker at all, not even through those.
//! 2. **No import cycle between modules**: the graph's strongly connected components are
//!    single files, except a module's own files: a component is allowed when one of its files
//!    is a directory module's `mod.rs` and every other file of it lies under that directory
//!    (a parent and its children, which `impl` the parent's types and use `super::…`, may refer
//!    to each other). Any component reaching outside one module's folder fails, and the
//!    message prints one cycle through it with the line that makes each edge.
//!
//! One file on purpose (about 740 lines): the scanner, the graph and the rules it checks are
//! one test that must stay self-contained (it reads the source as text, no build step).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules that sit above the broker and may use it (through the crate root).
const ABOVE_BROKER: &[&str] = &["shared", "sim"];

type ModPath = Vec<String>;

#[derive(Debug)]
struct Reference {
    /// The path as written, made absolute (`super`/`self` resolved), before following imports.
    path: ModPath,
    line: usize,
    text: String,
}

#[derive(Debug)]
struct SourceFile {
    rel: String,
    module: ModPath,
    references: Vec<Reference>,
    /// Names this module's file imports at its top level (`use`, any visibility) → the path.
    imports: BTreeMap<String, ModPath>,
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn module_of(rel: &str) -> ModPath {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    let last = parts.last().unwrap().clone();
    if last == "mod" || (parts.len() == 1 && last == "lib") {
        parts.pop();
    }
    parts
}

/// Replaces comments, string literals and character literals by spaces, keeping newlines.
fn blank_non_code(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    while i < c.len() {
        let prev_ident = i > 0 && is_ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && !(prev_ident && !(i > 0 && c[i - 1] == 'b' && (i < 2 || !is_ident(c[i - 2]))))
            && matches!(c.get(i + 1), Some('"' | '#'))
        {
            // Raw string r"…", r#"…"#, br"…".
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            out.push(' ');
            i += 1;
            while i <= j {
                out.push(' ');
                i += 1;
            }
            while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(c[i]));
                i += 1;
            }
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < c.len() {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' {
            // A character literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if c.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                for _ in i..=j.min(c.len() - 1) {
                    out.push(' ');
                }
                i = j + 1;
            } else if c.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d as e, self}}`) into its paths, each with the name it
/// binds (`None` for a glob).
fn expand_use(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    fn split_top(s: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, ch) in s.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&s[start..]);
        parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
    fn go(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, Option<String>)>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head = tree[..open].trim().trim_end_matches("::");
            let inner = &tree[open + 1..tree.rfind('}').unwrap()];
            let mut p = prefix.to_vec();
            p.extend(
                head.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
            for part in split_top(inner) {
                go(&p, part, out);
            }
            return;
        }
        let (path, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p.trim(), Some(a.trim().to_string())),
            None => (tree, None),
        };
        let mut p = prefix.to_vec();
        p.extend(
            path.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        match p.last().map(String::as_str) {
            Some("*") => {
                p.pop();
                out.push((p, None));
            }
            Some("self") => {
                p.pop();
                let name = alias.or_else(|| p.last().cloned());
                out.push((p, name));
            }
            Some(last) => {
                let name = alias.unwrap_or_else(|| last.to_string());
                out.push((p, Some(name)));
            }
            None => {}
        }
    }
    let mut out = Vec::new();
    go(&[], tree, &mut out);
    out
}

/// Makes a written path absolute from module `here`; `None` for other crates (`alloc`,
/// `core`, `std`, dependencies) and for names that are not paths into this crate.
fn absolute(written: &[String], here: &[String], children: &BTreeSet<String>) -> Option<ModPath> {
    let first = written.first()?.as_str();
    match first {
        "crate" | "$crate" => Some(written[1..].to_vec()),
        "super" | "self" => {
            let mut base = here.to_vec();
            let mut rest = written;
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "super" => {
                        base.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            Some(base)
        }
        name if children.contains(name) => {
            let mut p = here.to_vec();
            p.extend(written.iter().cloned());
            Some(p)
        }
        _ => None,
    }
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Reads a path `a::b::c` starting at byte `i` of `code` (skipping turbofish `::<`).
fn read_path(code: &str, i: usize) -> (Vec<String>, usize) {
    let b = code.as_bytes();
    let mut segs = Vec::new();
    let mut j = i;
    loop {
        let start = j;
        if b.get(j) == Some(&b'$') {
            j += 1;
        }
        while j < b.len() && is_ident(b[j] as char) {
            j += 1;
        }
        if j == start {
            break;
        }
        segs.push(code[start..j].to_string());
        if code[j..].starts_with("::")
            && code[j + 2..].starts_with(|c: char| is_ident(c) || c == '$')
        {
            j += 2;
        } else {
            break;
        }
    }
    (segs, j)
}

fn parse_file(rel: &str, src: &str) -> SourceFile {
    let module = module_of(rel);
    let code = blank_non_code(src);
    let b = code.as_bytes();
    let line_of = |pos: usize| code[..pos].matches('\n').count() + 1;
    let line_text = |line: usize| src.lines().nth(line - 1).unwrap_or("").trim().to_string();

    // Child modules declared by `mod name;` (files), for `name::…` paths.
    let mut children = BTreeSet::new();
    for l in code.lines() {
        let l = l.trim();
        if let Some(pos) = l.find("mod ")
            && l.ends_with(';')
            && (pos == 0 || l[..pos].trim_end().ends_with(')') || l[..pos].trim() == "pub")
        {
            children.insert(l[pos + 4..l.len() - 1].trim().to_string());
        }
    }

    let mut references = Vec::new();
    let mut imports = BTreeMap::new();
    // Inline modules: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut pending_mod: Option<String> = None;
    let mut i = 0;
    while i < b.len() {
        let ch = b[i] as char;
        let boundary =
            i == 0 || !(is_ident(b[i - 1] as char) || b[i - 1] == b':' || b[i - 1] == b'$');
        let here: ModPath = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        let kids = if inline.is_empty() {
            children.clone()
        } else {
            BTreeSet::new()
        };
        if ch == '{' {
            depth += 1;
            if let Some(name) = pending_mod.take() {
                inline.push((name, depth));
            }
            i += 1;
        } else if ch == '}' {
            if inline.last().is_some_and(|&(_, d)| d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
        } else if ch == ';' {
            pending_mod = None;
            i += 1;
        } else if boundary && code[i..].starts_with("mod ") {
            let (segs, j) = read_path(&code, i + 4);
            pending_mod = segs.first().cloned();
            i = j;
        } else if boundary && code[i..].starts_with("use ") {
            let end = code[i..].find(';').map_or(code.len(), |e| i + e);
            let line = line_of(i);
            for (path, name) in expand_use(&code[i + 4..end]) {
                if let Some(abs) = absolute(&path, &here, &kids) {
                    if inline.is_empty()
                        && let Some(name) = name
                    {
                        imports.insert(name, abs.clone());
                    }
                    references.push(Reference {
                        path: abs,
                        line,
                        text: line_text(line),
                    });
                }
            }
            i = end + 1;
        } else if boundary && (is_ident(ch) || ch == '$') {
            let (segs, j) = read_path(&code, i);
            if segs.len() > 1
                && let Some(abs) = absolute(&segs, &here, &kids)
            {
                let line = line_of(i);
                references.push(Reference {
                    path: abs,
                    line,
                    text: line_text(line),
                });
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    SourceFile {
        rel: rel.to_string(),
        module,
        references,
        imports,
    }
}

struct Crate {
    files: Vec<SourceFile>,
    by_module: BTreeMap<ModPath, usize>,
}

impl Crate {
    fn load() -> Crate {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = Vec::new();
        rs_files(&src, &mut paths);
        let files: Vec<SourceFile> = paths
            .iter()
            .map(|p| {
                let rel = p
                    .strip_prefix(&src)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/");
                parse_file(&rel, &fs::read_to_string(p).unwrap())
            })
            .collect();
        let by_module = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.module.clone(), i))
            .collect();
        Crate { files, by_module }
    }

    /// The file an absolute path leads to, following imports; `None` for the crate root.
    fn resolve(&self, path: &[String], hops: usize) -> Option<usize> {
        let n = (0..=path.len())
            .rev()
            .find(|&n| self.by_module.contains_key(&path[..n]))?;
        let file = self.by_module[&path[..n]];
        if hops < 16
            && let Some(next) = path.get(n)
            && let Some(target) = self.files[file].imports.get(next)
            && target.as_slice() != path
        {
            let mut followed = target.clone();
            followed.extend(path[n + 1..].iter().cloned());
            if let Some(f) = self.resolve(&followed, hops + 1) {
                return Some(f);
            }
        }
        (n > 0).then_some(file)
    }

    /// Whether these files are one directory module's own: one of them is a `mod.rs` and
    /// every other lies under its folder.
    fn owned(&self, files: &[usize]) -> bool {
        files.iter().any(|&owner| {
            let o = &self.files[owner];
            o.rel.ends_with("mod.rs")
                && files
                    .iter()
                    .all(|&i| self.files[i].module.starts_with(&o.module))
        })
    }

    /// Edges `from → to` with the reference that makes each (the first one found).
    fn edges(&self) -> BTreeMap<usize, BTreeMap<usize, &Reference>> {
        let mut edges: BTreeMap<usize, BTreeMap<usize, &Reference>> = BTreeMap::new();
        for (i, f) in self.files.iter().enumerate() {
            if f.module.is_empty() {
                continue; // the crate root: declarations and the public API's re-exports
            }
            for r in &f.references {
                if let Some(to) = self.resolve(&r.path, 0)
                    && to != i
                {
                    edges.entry(i).or_default().entry(to).or_insert(r);
                }
            }
        }
        edges
    }
}

fn in_broker(module: &[String]) -> bool {
    module.first().is_some_and(|m| m == "broker")
}

#[test]
fn nothing_outside_the_broker_refers_into_it() {
    let krate = Crate::load();
    let mut bad = Vec::new();
    for f in &krate.files {
        if f.module.is_empty() || in_broker(&f.module) {
            continue;
        }
        for r in &f.references {
            let line = format!("src/{}:{}: {}", f.rel, r.line, r.text);
            if in_broker(&r.path) && !bad.contains(&line) {
                bad.push(line);
            }
        }
    }
    assert!(
        bad.is_empty(),
        "files outside src/broker/ refer to crate::broker (use the crate root's public \
         re-exports from the layers above it, or move the shared piece below the broker):\n{}",
        bad.join("\n")
    );
}

#[test]
fn only_the_layers_above_the_broker_use_it() {
    let krate = Crate::load();
    let edges = krate.edges();
    let mut bad = Vec::new();
    for (&from, tos) in &edges {
        let f = &krate.files[from];
        let top = f.module[0].as_str();
        if in_broker(&f.module) || ABOVE_BROKER.contains(&top) {
            continue;
        }
        for (&to, r) in tos {
            if in_broker(&krate.files[to].module) {
                bad.push(format!(
                    "src/{}:{} → src/{}: {}",
                    f.rel, r.line, krate.files[to].rel, r.text
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "only {ABOVE_BROKER:?} sit above the broker; these files below it use it:\n{}",
        bad.join("\n")
    );
}

/// Tarjan's strongly connected components.
fn components(n: usize, edges: &BTreeMap<usize, BTreeMap<usize, &Reference>>) -> Vec<Vec<usize>> {
    struct State<'a, 'b> {
        edges: &'a BTreeMap<usize, BTreeMap<usize, &'b Reference>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_, '_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        let succ: Vec<usize> = s
            .edges
            .get(&v)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        for w in succ {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            comp.sort_unstable();
            s.out.push(comp);
        }
    }
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

/// A cycle through `start` inside `comp` (breadth-first, so a shortest one).
fn cycle_through(
    start: usize,
    comp: &[usize],
    edges: &BTreeMap<usize, BTreeMap<usize, &Reference>>,
) -> Vec<usize> {
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in edges.get(&v).into_iter().flat_map(|m| m.keys()) {
            if !comp.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                while let Some(&p) = prev.get(path.last().unwrap()) {
                    path.push(p);
                }
                path.reverse();
                return path;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

#[test]
fn no_import_cycle_between_modules() {
    let krate = Crate::load();
    let edges = krate.edges();
    if std::env::var_os("IMPORT_GRAPH_PRINT").is_some() {
        for (&from, tos) in &edges {
            for (&to, r) in tos {
                eprintln!(
                    "{} -> {}  ({}: {})",
                    krate.files[from].rel, krate.files[to].rel, r.line, r.text
                );
            }
        }
    }
    let mut failures = Vec::new();
    for comp in components(krate.files.len(), &edges) {
        if comp.len() < 2 {
            continue;
        }
        if krate.owned(&comp) {
            continue;
        }
        // The shortest cycles through the component that leave one module's folder.
        let mut cycles: Vec<Vec<usize>> = comp
            .iter()
            .map(|&v| cycle_through(v, &comp, &edges))
            .filter(|c| c.len() > 1 && !krate.owned(c))
            .collect();
        cycles.sort_by_key(Vec::len);
        let mut seen = BTreeSet::new();
        cycles.retain(|c| seen.insert(c.iter().copied().collect::<BTreeSet<_>>()));
        let mut text = format!(
            "a cycle among {}:\n",
            comp.iter()
                .map(|&i| format!("src/{}", krate.files[i].rel))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for cycle in cycles.iter().take(3) {
            text.push_str("  cycle:\n");
            for (k, &v) in cycle.iter().enumerate() {
                let w = cycle[(k + 1) % cycle.len()];
                let r = edges[&v][&w];
                text.push_str(&format!(
                    "    src/{} → src/{}   (line {}: {})\n",
                    krate.files[v].rel, krate.files[w].rel, r.line, r.text
                ));
            }
        }
        failures.push(text);
    }
    assert!(
        failures.is_empty(),
        "import cycles between core's modules:\n{}",
        failures.join("\n")
    );
}

/// The scanner itself, on small sources.
#[test]
fn the_scanner_reads_use_trees_and_paths() {
    let f = parse_file(
        "a/b.rs",
        "//! crate::x::Doc\nuse crate::{p, q::{r as s, self}, t::*};\nuse super::c::D;\n\
         fn f() { let s = \"crate::strung\"; let c = '{'; crate::u::v(); super::super::w::X; }\n\
         #[cfg(test)]\nmod tests { use super::*; use crate::y::Z; }\n",
    );
    let paths: Vec<String> = f.references.iter().map(|r| r.path.join("::")).collect();
    assert_eq!(
        paths,
        [
            "p", "q::r", "q", "t", "a::c::D", "u::v", "w::X", "a::b", "y::Z"
        ],
        "{f:#?}"
    );
    assert_eq!(f.imports["s"], ["q", "r"]);
    assert_eq!(f.imports["D"], ["a", "c", "D"]);
    assert!(
        !f.imports.contains_key("Z"),
        "imports inside inline modules are not the file's"
    );
}
