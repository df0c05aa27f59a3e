//! `cargo xtask fuzz TARGET [--minutes M]`: one fuzz target of `fuzz/` under AFL++ for M
//! minutes (default 10), then its executions, speed, crashes and hangs.
//!
//! cargo-afl comes from crates.io at the version of the `afl` crate in `Cargo.lock`
//! (`cargo install` into `target/tools/`, unless one on `PATH` has that version); it builds
//! AFL++ from the sources inside the crate (`cargo afl config --build`, once per Rust
//! version), nothing downloaded. The driver is built with `cargo afl build --release
//! --features afl` into `target/afl/`, and `afl-fuzz` runs on the committed corpus
//! `fuzz/corpus/TARGET/` with its findings in `target/afl/out/TARGET/` (emptied first) and its
//! log beside them. A memory limit (`-m`) makes an input that asks for a huge allocation a
//! crash; a time limit (`-t`) makes a slow one a hang.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::command::{self, Failure};
use crate::setup;

/// The targets, as `fuzz/src/lib.rs` names them (each has `fuzz/corpus/<name>/`).
pub(crate) const TARGETS: [&str; 5] = [
    "share_link",
    "scenario_json",
    "rabbitmq_import",
    "file_storage",
    "topic_match",
];

/// Minutes of fuzzing when `--minutes` is not given.
pub(crate) const DEFAULT_MINUTES: u64 = 10;
/// Memory limit of the fuzzed process, in MB (`afl-fuzz -m`).
const MEMORY_LIMIT_MB: &str = "512";
/// Time limit of one input, in ms (`afl-fuzz -t`).
const TIMEOUT_MS: &str = "1000";

const STEP: &str = "fuzz";

/// What `cargo xtask fuzz` was asked.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) target: String,
    pub(crate) minutes: u64,
}

/// Parses `TARGET [--minutes M]`.
pub(crate) fn parse(args: &[String]) -> Result<Request, Failure> {
    let known = || TARGETS.join(", ");
    let Some((target, rest)) = args.split_first() else {
        return Err(Failure::usage(format!(
            "`fuzz` needs a target: one of {}",
            known()
        )));
    };
    if !TARGETS.contains(&target.as_str()) {
        return Err(Failure::usage(format!(
            "unknown fuzz target `{target}`: one of {}",
            known()
        )));
    }
    let minutes = match rest {
        [] => DEFAULT_MINUTES,
        [flag, value] if flag == "--minutes" => match value.parse() {
            Ok(m) if m > 0 => m,
            _ => {
                return Err(Failure::usage(format!(
                    "`--minutes` needs a whole number above 0, got `{value}`"
                )));
            }
        },
        [flag] if flag == "--minutes" => {
            return Err(Failure::usage("`--minutes` needs a value".to_owned()));
        }
        [extra, ..] => return Err(Failure::usage(format!("unexpected argument `{extra}`"))),
    };
    Ok(Request {
        target: target.clone(),
        minutes,
    })
}

/// Builds the driver and fuzzes `request.target`; fails when AFL++ saved a crash or a hang.
pub(crate) fn run(root: &Path, request: &Request) -> Result<(), Failure> {
    let target = request.target.as_str();
    let corpus = root.join("fuzz").join("corpus").join(target);
    if !corpus.is_dir() {
        return Err(Failure::new(
            STEP,
            format!("no corpus at {}", corpus.display()),
        ));
    }
    let cargo_afl = ensure_cargo_afl(root)?;
    let afl_dir = setup::target_dir(root).join("afl");

    command::announce("fuzz: cargo afl build --release --features afl (instrumented driver)");
    command::run(
        STEP,
        afl(&cargo_afl)
            .current_dir(root)
            .args([
                "build",
                "--release",
                "--package",
                "brokerlab-fuzz",
                "--features",
                "afl",
                "--bin",
                "afl",
                "--target-dir",
            ])
            .arg(&afl_dir),
    )?;
    let driver = afl_dir.join("release").join("afl");

    let out = afl_dir.join("out").join(target);
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|error| {
            Failure::new(STEP, format!("cannot empty {}: {error}", out.display()))
        })?;
    }
    std::fs::create_dir_all(&out)
        .map_err(|error| Failure::new(STEP, format!("cannot create {}: {error}", out.display())))?;
    let log_path = afl_dir.join("out").join(format!("{target}.log"));
    let log = std::fs::File::create(&log_path).map_err(|error| {
        Failure::new(
            STEP,
            format!("cannot create {}: {error}", log_path.display()),
        )
    })?;
    let seconds = request.minutes * 60;
    command::announce(&format!(
        "fuzz: afl-fuzz {target} for {} min on {} (findings in {}, log in {})",
        request.minutes,
        corpus.display(),
        out.display(),
        log_path.display()
    ));
    let mut fuzz = afl(&cargo_afl);
    fuzz.current_dir(root)
        .arg("fuzz")
        .arg("-i")
        .arg(&corpus)
        .arg("-o")
        .arg(&out)
        .args(["-m", MEMORY_LIMIT_MB, "-t", TIMEOUT_MS, "-V"])
        .arg(seconds.to_string())
        .arg("--")
        .arg(&driver)
        .arg(target)
        .stdin(Stdio::null())
        .stdout(
            log.try_clone()
                .map_err(|e| Failure::new(STEP, e.to_string()))?,
        )
        .stderr(log);
    // This machine's settings AFL++ would otherwise stop at: a CPU frequency governor it
    // cannot read, and core dumps that go to a handler instead of a file; no core of a shared
    // machine is reserved for it; progress goes to the log, not a full-screen display.
    for (name, value) in [
        ("AFL_SKIP_CPUFREQ", "1"),
        ("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"),
        ("AFL_NO_AFFINITY", "1"),
        ("AFL_NO_UI", "1"),
    ] {
        if std::env::var_os(name).is_none() {
            fuzz.env(name, value);
        }
    }
    let ran = command::run(STEP, &mut fuzz);
    let stats = read_stats(&out.join("default").join("fuzzer_stats"));
    let Some(stats) = stats else {
        let tail = std::fs::read_to_string(&log_path)
            .map(|text| last_lines(&text, 20))
            .unwrap_or_default();
        return Err(Failure::new(
            STEP,
            format!("afl-fuzz left no statistics; the end of its log:\n{tail}"),
        )
        .hint(format!("the whole log is {}", log_path.display())));
    };
    ran?;
    let stat = |key: &str| stats.get(key).map_or("?", String::as_str);
    println!(
        "\n{target}: {} executions in {} s ({} exec/s on average), {} inputs in the queue, \
         stability {}\n{target}: {} crashes, {} hangs saved",
        stat("execs_done"),
        stat("run_time"),
        stat("execs_per_sec"),
        stat("corpus_count"),
        stat("stability"),
        stat("saved_crashes"),
        stat("saved_hangs"),
    );
    let found: u64 = ["saved_crashes", "saved_hangs"]
        .iter()
        .filter_map(|key| stats.get(*key)?.parse::<u64>().ok())
        .sum();
    if found > 0 {
        return Err(Failure::new(
            STEP,
            format!(
                "AFL++ saved crashing or hanging inputs in {} and {}",
                out.join("default").join("crashes").display(),
                out.join("default").join("hangs").display()
            ),
        )
        .hint(format!(
            "replay one with `cargo run -p brokerlab-fuzz --bin replay -- {target} FILE`; once \
             fixed, copy it to fuzz/corpus/{target}/ as crash-<what> so `cargo xtask test` keeps \
             replaying it"
        )));
    }
    Ok(())
}

/// `cargo-afl afl …`, with the cargo that runs this xtask.
fn afl(cargo_afl: &Path) -> Command {
    let mut command = Command::new(cargo_afl);
    command.arg("afl").env("CARGO", setup::cargo());
    command
}

/// cargo-afl at the version of the locked `afl` crate, with AFL++ built for this Rust.
fn ensure_cargo_afl(root: &Path) -> Result<PathBuf, Failure> {
    let step = "setup: cargo-afl";
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|error| Failure::new(step, format!("cannot read Cargo.lock: {error}")))?;
    let version = setup::locked_version(&lock, "afl")
        .ok_or_else(|| Failure::new(step, "Cargo.lock does not lock `afl`".to_owned()))?;
    let on_path = PathBuf::from("cargo-afl");
    let tools = setup::target_dir(root)
        .join("tools")
        .join(format!("cargo-afl-{version}"));
    let local = tools.join("bin").join("cargo-afl");
    let found = [on_path, local.clone()]
        .into_iter()
        .find(|program| reports_version(program, &version));
    let cargo_afl = match found {
        Some(program) => program,
        None => {
            println!(
                "Installing cargo-afl {version} into {} (cargo install; builds AFL++ from the \
                 sources in the crate; takes a few minutes once)",
                tools.display()
            );
            command::run(
                step,
                Command::new(setup::cargo())
                    .args(["install", "cargo-afl", "--locked", "--version", &version])
                    .arg("--root")
                    .arg(&tools),
            )
            .map_err(|failure| {
                failure.hint(format!(
                    "`cargo install cargo-afl --version {version}` must succeed: it needs \
                     crates.io, a C compiler and make"
                ))
            })?;
            local
        }
    };
    // AFL++ and its runtime for this Rust version: built once (the command refuses to build
    // again, and says so, when they are there).
    let built = afl(&cargo_afl)
        .args(["config", "--build"])
        .stdout(Stdio::null())
        .output()
        .map_err(|error| Failure::new(step, format!("cannot run cargo-afl: {error}")))?;
    let said = String::from_utf8_lossy(&built.stderr);
    if built.status.success() || said.contains("already built") {
        Ok(cargo_afl)
    } else {
        Err(Failure::new(
            step,
            format!(
                "`cargo afl config --build` failed:\n{}",
                last_lines(&said, 20)
            ),
        )
        .hint("building AFL++ needs a C compiler (cc) and make"))
    }
}

fn reports_version(program: &Path, version: &str) -> bool {
    command::output(Command::new(program).args(["afl", "--version"]))
        .is_some_and(|text| text.split_whitespace().nth(1) == Some(version))
}

/// `key : value` lines of AFL++'s `fuzzer_stats`.
fn read_stats(path: &Path) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(parse_stats(&text))
}

fn parse_stats(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_a_target_and_minutes() {
        assert_eq!(
            parse(&strings(&["topic_match"])).unwrap(),
            Request {
                target: "topic_match".to_owned(),
                minutes: DEFAULT_MINUTES
            }
        );
        assert_eq!(
            parse(&strings(&["file_storage", "--minutes", "3"]))
                .unwrap()
                .minutes,
            3
        );
        for bad in [
            &[][..],
            &["nope"][..],
            &["topic_match", "--minutes"][..],
            &["topic_match", "--minutes", "0"][..],
            &["topic_match", "--minutes", "ten"][..],
            &["topic_match", "--verbose"][..],
        ] {
            assert!(parse(&strings(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_target_has_a_committed_corpus() {
        let root = crate::workspace_root();
        for target in TARGETS {
            assert!(
                root.join("fuzz").join("corpus").join(target).is_dir(),
                "fuzz/corpus/{target}/ is missing"
            );
        }
        let lib = std::fs::read_to_string(root.join("fuzz").join("src").join("lib.rs"))
            .expect("fuzz/src/lib.rs");
        for target in TARGETS {
            assert!(
                lib.contains(&format!("(\"{target}\", {target})")),
                "fuzz/src/lib.rs does not list {target}"
            );
        }
    }

    #[test]
    fn reads_afl_statistics() {
        let stats = parse_stats(
            "start_time        : 1796426654\nexecs_done        : 254998\n\
             execs_per_sec     : 5665.62\nsaved_crashes     : 0\n",
        );
        assert_eq!(stats["execs_done"], "254998");
        assert_eq!(stats["execs_per_sec"], "5665.62");
        assert_eq!(stats["saved_crashes"], "0");
    }
}
