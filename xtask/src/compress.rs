//! Precompressed copies of the site's files: beside every compressible file of
//! `target/site/` (`.html`, `.css`, `.js`, `.wasm`, `.json`, `.svg`, `.txt`, …), `NAME.br`
//! (brotli, quality 11, 16 MiB window) and `NAME.gz` (`gzip -9 -n`), so that
//! `cargo xtask serve` (`http.rs`) and any static host that looks for such twins (nginx's
//! `gzip_static`/`brotli_static`, Caddy's `precompressed`, most CDNs' uploads) send the
//! smallest file a browser accepts without compressing on the fly.
//!
//! The tools, and why (xtask has no dependencies, so that it builds in seconds):
//! - brotli through **Node.js's built-in `zlib.brotliCompressSync`**: Node is already needed
//!   for the npm packages (wasm-opt, playwright-core), and its brotli is Google's C library.
//!   The pure-Rust `brotli` crate (8.0) would add 4 crates and about 5 s to a clean build of
//!   xtask, and in xtask's unoptimised dev profile it takes 17 s to compress a 1.2 MB file at
//!   quality 11 where Node takes 2.7 s (measured on the 2-core build machine); and Debian's
//!   `brotli` command is one more package to install.
//! - gzip through the system **`gzip -9 -n`** (no name or time stamp in the header, so the
//!   output depends only on the input), on every Debian and macOS machine.
//!
//! Brotli at quality 11 is slow (seconds for the wasm module), so each compressed copy is
//! kept in `target/precompressed/` under the hash of its input and reused while the input is
//! unchanged. Without Node the site gets no `.br` copies and a note says what to install;
//! without gzip, no `.gz` copies.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::command::{self, Failure};
use crate::setup;

/// The extensions of the files worth compressing (text, and WebAssembly).
const COMPRESSIBLE: [&str; 13] = [
    "html",
    "htm",
    "css",
    "js",
    "mjs",
    "wasm",
    "json",
    "map",
    "svg",
    "txt",
    "md",
    "xml",
    "webmanifest",
];

/// The compression settings, part of the cache's folder name: changing them starts a new
/// cache.
const SETTINGS: &str = "br11-w24_gz9n";

/// The largest brotli window, 2^24 bytes, as `lgwin` (RFC 7932's maximum). Brotli's
/// "large window" extension (`BROTLI_PARAM_LARGE_WINDOW`, up to 2^30) is not used: browsers
/// do not decode it, and no file here comes near 16 MiB anyway.
const BROTLI_WINDOW_BITS: u32 = 24;

/// Compresses the files named on the command line in pairs, `input output`, with brotli at
/// quality 11. Text files in text mode, the rest (WebAssembly) in generic mode; the size hint
/// lets the encoder plan for the whole file.
const BROTLI_SCRIPT: &str = r#"
const { brotliCompressSync, constants: c } = require("node:zlib");
const { readFileSync, writeFileSync } = require("node:fs");
const [lgwin, ...paths] = process.argv.slice(1);
for (let i = 0; i + 1 < paths.length; i += 2) {
  const input = readFileSync(paths[i]);
  const text = !paths[i].endsWith(".wasm");
  writeFileSync(paths[i + 1], brotliCompressSync(input, { params: {
    [c.BROTLI_PARAM_QUALITY]: c.BROTLI_MAX_QUALITY,
    [c.BROTLI_PARAM_LGWIN]: Number(lgwin),
    [c.BROTLI_PARAM_MODE]: text ? c.BROTLI_MODE_TEXT : c.BROTLI_MODE_GENERIC,
    [c.BROTLI_PARAM_SIZE_HINT]: input.length,
  } }));
}
"#;

/// A content coding the site is precompressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// `br`, RFC 7932.
    Brotli,
    /// `gzip`, RFC 1952.
    Gzip,
}

impl Coding {
    /// Both codings, smallest output first.
    pub(crate) const ALL: [Coding; 2] = [Coding::Brotli, Coding::Gzip];

    /// The name in `Accept-Encoding` and `Content-Encoding`.
    pub(crate) fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// The extension of the compressed twin, without the dot.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gz",
        }
    }

    /// The compressed twin of `path`: `NAME.br` or `NAME.gz` beside it.
    pub(crate) fn twin(self, path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(self.extension());
        PathBuf::from(name)
    }
}

/// Whether `path` is worth compressing, by its extension.
pub(crate) fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| COMPRESSIBLE.contains(&ext.to_ascii_lowercase().as_str()))
}

/// One copy to make: the input and where its compressed copy goes in the cache.
struct Job {
    input: PathBuf,
    cached: PathBuf,
}

/// Lays `NAME.br` and `NAME.gz` beside every compressible file under `site`, reusing
/// `target/precompressed/` for inputs compressed before. A copy that would not be smaller
/// than its file is not laid (a server then sends the file as it is). Missing tools are
/// notes, not failures: the site still works, only larger.
pub(crate) fn precompress(root: &Path, site: &Path) -> Result<(), Failure> {
    let cache = setup::target_dir(root).join("precompressed").join(SETTINGS);
    precompress_with_cache(&cache, site)
}

/// [`precompress`] with the cache in the folder `cache`.
fn precompress_with_cache(cache: &Path, site: &Path) -> Result<(), Failure> {
    let step = "precompress";
    std::fs::create_dir_all(cache).map_err(|error| {
        Failure::new(step, format!("cannot create {}: {error}", cache.display()))
    })?;
    let mut files = Vec::new();
    list_files(site, &mut files)
        .map_err(|error| Failure::new(step, format!("cannot list the site: {error}")))?;
    files.retain(|path| is_compressible(path));
    files.sort();

    let mut used = Vec::new();
    let mut missing = [Vec::new(), Vec::new()];
    for input in &files {
        let bytes = std::fs::read(input).map_err(|error| {
            Failure::new(step, format!("cannot read {}: {error}", input.display()))
        })?;
        let key = format!("{:016x}-{}", crate::site::fnv1a(&bytes), bytes.len());
        for (index, coding) in Coding::ALL.into_iter().enumerate() {
            let cached = cache.join(format!("{key}.{}", coding.extension()));
            // Files with the same bytes share one cached copy, made once.
            if !cached.is_file() && !missing[index].iter().any(|job: &Job| job.cached == cached) {
                missing[index].push(Job {
                    input: input.clone(),
                    cached: cached.clone(),
                });
            }
            used.push((input.clone(), coding, cached));
        }
    }

    let [brotli_jobs, gzip_jobs] = missing;
    let fresh = brotli_jobs.len() + gzip_jobs.len();
    command::announce(&format!(
        "build: precompress {} files (brotli 11, gzip -9; {} cached, {fresh} to compress)",
        files.len(),
        used.len() - fresh
    ));
    if !brotli_jobs.is_empty()
        && let Err(message) = brotli(&brotli_jobs)
    {
        println!(
            "note: no .br copies ({message}); brotli needs Node.js 18+ (Debian: \
             `apt-get install nodejs`), which the npm packages need too"
        );
    }
    for job in &gzip_jobs {
        if let Err(message) = gzip(job) {
            println!(
                "note: no .gz copies ({message}); install gzip (Debian: `apt-get install gzip`)"
            );
            break;
        }
    }

    for (input, coding, cached) in &used {
        let twin = coding.twin(input);
        let smaller = match (std::fs::metadata(cached), std::fs::metadata(input)) {
            (Ok(out), Ok(original)) => out.len() < original.len(),
            _ => false,
        };
        if smaller {
            std::fs::copy(cached, &twin).map_err(|error| {
                Failure::new(step, format!("cannot write {}: {error}", twin.display()))
            })?;
        }
    }
    prune(cache, &used);
    Ok(())
}

/// The files under `dir`, recursively.
fn list_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), files)?;
        } else {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// Compresses every job with brotli in one Node.js process, into temporary files renamed
/// into the cache once all are written.
fn brotli(jobs: &[Job]) -> Result<(), String> {
    let partial = |job: &Job| job.cached.with_extension("br-partial");
    let mut node = Command::new("node");
    node.args(["-e", BROTLI_SCRIPT, &BROTLI_WINDOW_BITS.to_string()]);
    for job in jobs {
        node.arg(&job.input).arg(partial(job));
    }
    let out = node
        .stdout(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run `node`: {error}"))?;
    if !out.status.success() {
        return Err(format!(
            "`node` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    for job in jobs {
        std::fs::rename(partial(job), &job.cached)
            .map_err(|error| format!("cannot keep {}: {error}", job.cached.display()))?;
    }
    Ok(())
}

/// Compresses one job with `gzip -9 -n`.
fn gzip(job: &Job) -> Result<(), String> {
    let out = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .arg(&job.input)
        .output()
        .map_err(|error| format!("cannot run `gzip`: {error}"))?;
    if !out.status.success() {
        return Err(format!("`gzip` failed ({})", out.status));
    }
    let partial = job.cached.with_extension("gz-partial");
    std::fs::write(&partial, &out.stdout)
        .and_then(|()| std::fs::rename(&partial, &job.cached))
        .map_err(|error| format!("cannot keep {}: {error}", job.cached.display()))
}

/// Removes the cache entries this build did not use (only the current site's are worth
/// keeping).
fn prune(cache: &Path, used: &[(PathBuf, Coding, PathBuf)]) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !used.iter().any(|(_, _, cached)| *cached == path) {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_what_to_compress() {
        for name in [
            "index.html",
            "pkg/a_bg.wasm",
            "pkg/a.js",
            "style.css",
            "A.SVG",
        ] {
            assert!(is_compressible(Path::new(name)), "{name}");
        }
        for name in [
            "shot.png",
            "index.html.br",
            "index.html.gz",
            "README",
            "font.woff2",
        ] {
            assert!(!is_compressible(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn twins_sit_beside_their_file() {
        assert_eq!(
            Coding::Brotli.twin(Path::new("site/pkg/a.wasm")),
            Path::new("site/pkg/a.wasm.br")
        );
        assert_eq!(
            Coding::Gzip.twin(Path::new("index.html")),
            Path::new("index.html.gz")
        );
    }

    /// Compresses a small site for real, twice (the second time from the cache), and checks
    /// the copies decompress to their files. Skips a tool the machine does not have.
    #[test]
    fn lays_twins_that_decompress_to_their_files() {
        let root = std::env::temp_dir().join(format!("xtask-compress-{}", std::process::id()));
        let site = root.join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let text = "body { color: red; }\n".repeat(200);
        std::fs::write(site.join("style.css"), &text).unwrap();
        std::fs::write(site.join("pkg").join("a.wasm"), text.as_bytes()).unwrap();
        // The same bytes as style.css: one cached copy serves both.
        std::fs::write(site.join("copy.css"), &text).unwrap();
        std::fs::write(site.join("tiny.txt"), "a").unwrap();
        std::fs::write(site.join("shot.png"), &text).unwrap();
        for _ in 0..2 {
            precompress_with_cache(&root.join("cache"), &site).unwrap();
            for name in ["style.css", "pkg/a.wasm", "copy.css"] {
                let file = site.join(name);
                if command::output(Command::new("gzip").arg("--version")).is_some() {
                    let unzipped = Command::new("gzip")
                        .args(["-d", "-c"])
                        .arg(Coding::Gzip.twin(&file))
                        .output()
                        .unwrap();
                    assert_eq!(unzipped.stdout, text.as_bytes(), "{name}.gz");
                }
                if command::output(Command::new("node").arg("--version")).is_some() {
                    let script = "process.stdout.write(require('node:zlib')\
                                  .brotliDecompressSync(require('node:fs')\
                                  .readFileSync(process.argv[1])))";
                    let unbrotlied = Command::new("node")
                        .args(["-e", script])
                        .arg(Coding::Brotli.twin(&file))
                        .output()
                        .unwrap();
                    assert_eq!(unbrotlied.stdout, text.as_bytes(), "{name}.br");
                }
            }
            // Not smaller: no twin. Not compressible: no twin.
            assert!(!Coding::Gzip.twin(&site.join("tiny.txt")).exists());
            assert!(!Coding::Brotli.twin(&site.join("shot.png")).exists());
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
