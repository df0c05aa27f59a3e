//! Building the playground site: compile `web` (with the core) for wasm, generate the
//! JavaScript glue with wasm-bindgen, shrink the module with wasm-opt when one works, lay
//! out `www/` plus the bundle in `target/site/`, and precompress it ([`compress`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command::{self, Failure};
use crate::{compress, setup, size};

/// The cargo profile of the bundle (see the workspace `Cargo.toml`).
const PROFILE: &str = "wasm-release";
/// One wasm bundle of the site: a crate with some features, laid out in a folder.
struct Build {
    /// What it is for, in words.
    name: &'static str,
    /// The package built.
    package: &'static str,
    /// Its library name, as it appears in file names.
    lib: &'static str,
    /// Whether the package is built with its default features (for `brokerlab-web`: the
    /// `editor`).
    defaults: bool,
    /// The folder of the site it goes into.
    dir: &'static str,
}

/// The full app (`pkg/`), the viewer embeds load (`pkg-embed/`: no editor, exporters,
/// importer or link encoder; `www/index.html` picks it for `?embed=1`), and the
/// counterexample search the app's Web Worker loads on the first search (`pkg-worker/`).
const BUILDS: [Build; 3] = [
    Build {
        name: "full app",
        package: "brokerlab-web",
        lib: "brokerlab_web",
        defaults: true,
        dir: "pkg",
    },
    Build {
        name: "embed viewer",
        package: "brokerlab-web",
        lib: "brokerlab_web",
        defaults: false,
        dir: "pkg-embed",
    },
    Build {
        name: "search worker",
        package: "brokerlab-search-worker",
        lib: "brokerlab_search_worker",
        defaults: true,
        dir: "pkg-worker",
    },
];

/// Compiles one bundle, runs wasm-bindgen into its folder of `site` and shrinks the module.
fn build_bundle(
    root: &Path,
    tools: &setup::WasmBindgen,
    bundle: &Build,
    site: &Path,
) -> Result<(), Failure> {
    command::announce(&format!(
        "build: {} ({}) for {} ({PROFILE})",
        bundle.name,
        bundle.package,
        setup::WASM_TARGET
    ));
    let mut cargo = Command::new(setup::cargo());
    cargo
        .current_dir(root)
        .args(["build", "--package", bundle.package, "--lib", "--target"])
        .arg(setup::WASM_TARGET)
        .args(["--profile", PROFILE]);
    if !bundle.defaults {
        cargo.arg("--no-default-features");
    }
    command::run("build wasm", &mut cargo)?;
    let module = setup::target_dir(root)
        .join(setup::WASM_TARGET)
        .join(PROFILE)
        .join(format!("{}.wasm", bundle.lib));
    let pkg = site.join(bundle.dir);
    command::announce(&format!(
        "build: wasm-bindgen --target web ({})",
        bundle.name
    ));
    command::run(
        "wasm-bindgen",
        Command::new(&tools.bindgen)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&pkg)
            .arg(&module),
    )?;
    optimise(root, &pkg.join(format!("{}_bg.wasm", bundle.lib)))
}

/// A built site.
pub(crate) struct Site {
    /// The folder to serve.
    pub(crate) dir: PathBuf,
    /// The bundles' files and their sizes as served ([`size::BUNDLES`]).
    pub(crate) bundle: Vec<size::FileSize>,
}

/// Where the site is laid out.
pub(crate) fn output_dir(root: &Path) -> PathBuf {
    setup::target_dir(root).join("site")
}

/// Builds the site into `target/site/`, precompresses it and prints the bundles' sizes as
/// served against their ceilings.
pub(crate) fn build(root: &Path) -> Result<Site, Failure> {
    setup::ensure_target(setup::WASM_TARGET)?;
    let version = setup::locked_wasm_bindgen_version(root)?;
    let tools = setup::ensure_wasm_bindgen(root, &version)?;

    let dir = output_dir(root);
    reset_dir(&dir)?;
    copy_tree(&root.join("www"), &dir)?;
    for bundle in BUILDS {
        build_bundle(root, &tools, &bundle, &dir)?;
    }
    compress::precompress(root, &dir)?;
    let sizes = size::measure(&dir);
    print!("{}", size::table(&sizes));
    for bundle in size::BUNDLES {
        match size::verdict(&bundle, &sizes) {
            Ok(summary) | Err(summary) => println!("  {summary}"),
        }
    }
    println!("Site laid out in {}", dir.display());
    Ok(Site { dir, bundle: sizes })
}

fn optimise(root: &Path, bundle: &Path) -> Result<(), Failure> {
    // binaryen comes from the npm lock file; without npm the bundle is simply larger.
    if let Err(failure) = setup::ensure_npm_packages(root) {
        println!("note: skipping npm packages ({failure}); wasm-opt may be unavailable");
    }
    let Some(wasm_opt) = setup::find_wasm_opt(root) else {
        println!(
            "note: no working wasm-opt (binaryen 116+) found; the bundle is not size-optimised. \
             `npm ci` in the repository root installs one."
        );
        return Ok(());
    };
    // wasm-opt from npm is slow; its output depends only on its input, so it is kept per
    // input hash and reused when the bundle has not changed.
    let input = std::fs::read(bundle)
        .map_err(|error| Failure::new("wasm-opt", format!("cannot read the bundle: {error}")))?;
    let cache = setup::target_dir(root)
        .join("wasm-opt-cache")
        .join(format!("{:016x}.wasm", fnv1a(&input)));
    if cache.is_file() {
        println!(
            "\n==> build: wasm-opt -Oz (unchanged bundle, reusing {})",
            cache.display()
        );
    } else {
        command::announce("build: wasm-opt -Oz");
        let parent = cache.parent().unwrap_or(root);
        std::fs::create_dir_all(parent).map_err(|error| {
            Failure::new(
                "wasm-opt",
                format!("cannot create {}: {error}", parent.display()),
            )
        })?;
        prune_cache(parent);
        let partial = cache.with_extension("partial");
        command::run(
            "wasm-opt",
            Command::new(&wasm_opt)
                .arg("-Oz")
                // The features rustc enables by default for wasm32-unknown-unknown.
                .args([
                    "--enable-bulk-memory",
                    "--enable-mutable-globals",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-reference-types",
                    "--enable-multivalue",
                ])
                .arg(bundle)
                .arg("-o")
                .arg(&partial),
        )?;
        std::fs::rename(&partial, &cache).map_err(|error| {
            Failure::new("wasm-opt", format!("cannot keep the output: {error}"))
        })?;
    }
    std::fs::copy(&cache, bundle)
        .map(drop)
        .map_err(|error| Failure::new("wasm-opt", format!("cannot replace the bundle: {error}")))
}

/// Keeps the newest entries of the wasm-opt cache, one per bundle ([`BUILDS`]), and
/// removes older ones (and unfinished outputs).
fn prune_cache(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut kept: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    kept.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (i, (_, path)) in kept.iter().enumerate() {
        let partial = path.extension().is_some_and(|x| x == "partial");
        if partial || i + 1 >= BUILDS.len() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// 64-bit FNV-1a: a stable content hash for the wasm-opt and precompression caches.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn reset_dir(dir: &Path) -> Result<(), Failure> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|error| {
            Failure::new("site", format!("cannot clear {}: {error}", dir.display()))
        })?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|error| Failure::new("site", format!("cannot create {}: {error}", dir.display())))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), Failure> {
    let fail = |error: std::io::Error| {
        Failure::new("site", format!("copying {}: {error}", from.display()))
    };
    std::fs::create_dir_all(to).map_err(fail)?;
    for entry in std::fs::read_dir(from).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(fail)?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(fail)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(b"ab"), fnv1a(b"ba"));
    }
}
