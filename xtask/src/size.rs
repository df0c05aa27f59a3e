//! The playground's bundles as served: for each page a reader opens, the files a browser
//! downloads before it can draw (the page, the wasm module, its JavaScript glue and the style
//! sheet), each at the size the server sends to a browser that accepts brotli (the file's
//! `.br` twin, laid by [`crate::compress`]), summed.
//!
//! What a reader feels is the load time (`cargo xtask bench load`, BENCHMARKS.md, "Load
//! time"); these byte counts are its cheap, deterministic stand-in. `cargo xtask build`
//! prints them; `cargo xtask test` fails when a bundle is over its [`Bundle::ceiling`], set a
//! little above the size reached so that it can only ratchet down.

use std::path::Path;

use crate::compress::Coding;

/// The files of the full app's page, relative to the site folder.
const APP_FILES: [&str; 4] = [
    "index.html",
    "pkg/brokerlab_web.js",
    "pkg/brokerlab_web_bg.wasm",
    "style.css",
];

/// One page's bundle and the most it may weigh as served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bundle {
    /// What the reader opens, in words.
    pub(crate) name: &'static str,
    /// The page's address relative to the site.
    pub(crate) page: &'static str,
    /// The files downloaded before the first frame of the drawing, relative to the site.
    pub(crate) files: &'static [&'static str],
    /// The most the files may weigh as served, in bytes: the size reached plus about 2 %.
    /// Lower it as the bundle shrinks; never raise it without saying why in BENCHMARKS.md.
    pub(crate) ceiling: u64,
}

/// The files of an embedded page (`?embed=1`): the viewer build, without the editor,
/// exporters, importer and link encoder.
const EMBED_FILES: [&str; 4] = [
    "index.html",
    "pkg-embed/brokerlab_web.js",
    "pkg-embed/brokerlab_web_bg.wasm",
    "style.css",
];

/// The bundles `cargo xtask test` checks. The embed (`?embed=1`, what the patterns page and
/// the embed code show) loads the viewer build.
pub(crate) const BUNDLES: [Bundle; 2] = [
    Bundle {
        name: "full app",
        page: "/",
        files: &APP_FILES,
        ceiling: 521_000,
    },
    Bundle {
        name: "embed",
        page: "/?embed=1",
        files: &EMBED_FILES,
        ceiling: 350_000,
    },
];

/// The files of every bundle, each once, in order.
pub(crate) fn bundle_files() -> Vec<&'static str> {
    let mut files: Vec<&'static str> = Vec::new();
    for bundle in BUNDLES {
        for file in bundle.files {
            if !files.contains(file) {
                files.push(file);
            }
        }
    }
    files
}

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileSize {
    /// The path relative to the site folder.
    pub(crate) name: String,
    /// Bytes on disk; `None` when the file is missing.
    pub(crate) raw: Option<u64>,
    /// Bytes of its `.gz` twin, if laid.
    pub(crate) gzip: Option<u64>,
    /// Bytes of its `.br` twin, if laid.
    pub(crate) brotli: Option<u64>,
}

impl FileSize {
    /// What the server sends to a browser that accepts brotli and gzip: the smallest laid
    /// twin, else the file itself; with the name of the coding (`br`, `gzip`, `identity`).
    pub(crate) fn served(&self) -> Option<(u64, &'static str)> {
        self.brotli
            .map(|n| (n, Coding::Brotli.token()))
            .or(self.gzip.map(|n| (n, Coding::Gzip.token())))
            .or(self.raw.map(|n| (n, "identity")))
    }
}

/// Measures the files of every bundle in the site folder `dir`, with their twins.
pub(crate) fn measure(dir: &Path) -> Vec<FileSize> {
    let size = |path: &Path| std::fs::metadata(path).ok().map(|meta| meta.len());
    bundle_files()
        .into_iter()
        .map(|name| {
            let path = dir.join(name);
            FileSize {
                name: name.to_owned(),
                raw: size(&path),
                gzip: size(&Coding::Gzip.twin(&path)),
                brotli: size(&Coding::Brotli.twin(&path)),
            }
        })
        .collect()
}

/// One line per file, raw, gzip and brotli, for the build's output.
pub(crate) fn table(files: &[FileSize]) -> String {
    let cell = |n: Option<u64>, missing: &str| n.map_or_else(|| missing.to_owned(), grouped);
    let mut text = format!(
        "  {:<28} {:>11} {:>11} {:>11}\n",
        "file", "raw (B)", "gzip (B)", "brotli (B)"
    );
    for file in files {
        text.push_str(&format!(
            "  {:<28} {:>11} {:>11} {:>11}\n",
            file.name,
            cell(file.raw, "missing"),
            cell(file.gzip, "none"),
            cell(file.brotli, "none"),
        ));
    }
    text
}

/// Whether `bundle` fits under its ceiling as served: `Ok` with a one-line summary, or `Err`
/// with a message that names every file's served size and coding, the total and the ceiling.
pub(crate) fn verdict(bundle: &Bundle, files: &[FileSize]) -> Result<String, String> {
    let ceiling = bundle.ceiling;
    let mut parts = Vec::new();
    let mut total: u64 = 0;
    let mut not_brotli = Vec::new();
    for name in bundle.files {
        let served = files
            .iter()
            .find(|file| file.name == *name)
            .and_then(FileSize::served);
        let Some((bytes, coding)) = served else {
            return Err(format!(
                "the {} ({}) needs {name}, which the build did not write",
                bundle.name, bundle.page
            ));
        };
        total += bytes;
        if coding == Coding::Brotli.token() {
            parts.push(format!("{name} {}", grouped(bytes)));
        } else {
            parts.push(format!("{name} {} ({coding})", grouped(bytes)));
            not_brotli.push(*name);
        }
    }
    let mut sum = format!(
        "{} ({}): {} = {} bytes as served",
        bundle.name,
        bundle.page,
        parts.join(" + "),
        grouped(total)
    );
    if !not_brotli.is_empty() {
        sum.push_str(&format!(
            " (no .br twin for {}: brotli needs Node.js 18+)",
            not_brotli.join(", ")
        ));
    }
    if total <= ceiling {
        Ok(format!(
            "{sum}; ceiling {} ({} to spare)",
            grouped(ceiling),
            grouped(ceiling - total)
        ))
    } else {
        Err(format!(
            "{sum}, {} over its ceiling of {} bytes",
            grouped(total - ceiling),
            grouped(ceiling)
        ))
    }
}

/// `1234567` as `1,234,567`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: [&str; 3] = ["pkg/a.wasm", "pkg/a.js", "style.css"];
    const BUNDLE: Bundle = Bundle {
        name: "app",
        page: "/",
        files: &FILES,
        ceiling: 250_000,
    };

    fn file(name: &str, brotli: Option<u64>) -> FileSize {
        FileSize {
            name: name.to_owned(),
            raw: Some(900_000),
            gzip: Some(800_000),
            brotli,
        }
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(250_000), "250,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn every_bundle_names_the_page_and_its_glue() {
        for bundle in BUNDLES {
            assert!(bundle.files.contains(&"index.html"), "{}", bundle.name);
            assert!(
                bundle
                    .files
                    .iter()
                    .any(|f| f.ends_with("/brokerlab_web_bg.wasm"))
            );
            assert!(
                bundle
                    .files
                    .iter()
                    .any(|f| f.ends_with("/brokerlab_web.js"))
            );
            assert!(bundle.ceiling > 0);
        }
        assert_eq!(
            bundle_files(),
            [
                "index.html",
                "pkg/brokerlab_web.js",
                "pkg/brokerlab_web_bg.wasm",
                "style.css",
                "pkg-embed/brokerlab_web.js",
                "pkg-embed/brokerlab_web_bg.wasm"
            ]
        );
    }

    #[test]
    fn passes_at_the_ceiling_and_fails_above_it_naming_every_file() {
        let files = [
            file("pkg/a.wasm", Some(240_000)),
            file("pkg/a.js", Some(7_000)),
            file("style.css", Some(3_000)),
        ];
        let ok = verdict(&BUNDLE, &files).expect("exactly at the ceiling");
        assert!(ok.contains("= 250,000 bytes as served"), "{ok}");

        let lower = Bundle {
            ceiling: 249_999,
            ..BUNDLE
        };
        let err = verdict(&lower, &files).expect_err("one byte over");
        for expected in [
            "app (/)",
            "pkg/a.wasm 240,000",
            "pkg/a.js 7,000",
            "style.css 3,000",
            "= 250,000 bytes",
            "1 over its ceiling of 249,999 bytes",
        ] {
            assert!(err.contains(expected), "{expected:?} in {err}");
        }
    }

    #[test]
    fn without_a_brotli_twin_counts_what_would_be_sent_and_says_why() {
        let mut css = file("style.css", None);
        let files = [
            file("pkg/a.wasm", Some(100)),
            file("pkg/a.js", Some(100)),
            css.clone(),
        ];
        let err = verdict(&BUNDLE, &files).expect_err("gzip is larger");
        assert!(err.contains("style.css 800,000 (gzip)"), "{err}");
        assert!(err.contains("no .br twin for style.css"), "{err}");
        css.gzip = None;
        assert_eq!(css.served(), Some((900_000, "identity")));
    }

    #[test]
    fn a_missing_file_fails() {
        let files = [file("pkg/a.wasm", Some(1))];
        let err = verdict(&BUNDLE, &files).expect_err("no js");
        assert!(err.contains("pkg/a.js"), "{err}");
    }

    #[test]
    fn measures_a_file_and_its_twins() {
        let dir = std::env::temp_dir().join(format!("xtask-size-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).expect("temp dir");
        std::fs::write(dir.join("index.html"), "x".repeat(1_000)).expect("write");
        std::fs::write(dir.join("index.html.br"), "x".repeat(10)).expect("write");
        std::fs::write(dir.join("index.html.gz"), "x".repeat(20)).expect("write");
        let files = measure(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(files.len(), bundle_files().len());
        assert_eq!(
            files[0],
            FileSize {
                name: "index.html".to_owned(),
                raw: Some(1_000),
                gzip: Some(20),
                brotli: Some(10),
            }
        );
        assert_eq!(files[0].served(), Some((10, "br")));
        assert_eq!(files[1].raw, None);
        assert_eq!(files[1].served(), None);
    }
}
