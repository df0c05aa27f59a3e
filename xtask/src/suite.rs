//! `cargo xtask test`: every check and test suite in order, failing fast, then the bundles'
//! sizes as served against their ceilings (one more counted check), with one
//! `N passed, M failed` line at the end over all of them, and a line naming any suite that
//! was skipped (the RabbitMQ differential suite where RabbitMQ is not installed).
//!
//! `cargo xtask rabbitmq` runs that one suite alone, with the same closing lines.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::command::{self, Failure};
use crate::rabbitmq::{self, Node};
use crate::{http, setup, site, size};

/// Test counts gathered from the suites' own output, and the suites that did not run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Tally {
    passed: u64,
    failed: u64,
    /// What was skipped and why, one entry a suite: "the … suite (no …)".
    skipped: Vec<&'static str>,
}

impl Tally {
    /// Adds the counts of a libtest (`test result: ok. 5 passed; 0 failed; …`) or
    /// node:test TAP (`# pass 5`, `# fail 0`) summary line.
    fn add_line(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            self.passed += count_before(rest, " passed");
            self.failed += count_before(rest, " failed");
        } else if let Some(rest) = line.strip_prefix("# pass ") {
            self.passed += rest.trim().parse().unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("# fail ") {
            self.failed += rest.trim().parse().unwrap_or(0);
        }
    }
}

/// The closing lines: `N passed, M failed` (CI reads this line), then, only when a suite
/// was skipped, `1 suite skipped: the … suite (no …)`.
fn summary(tally: &Tally) -> String {
    let mut text = format!("{} passed, {} failed", tally.passed, tally.failed);
    if !tally.skipped.is_empty() {
        let suites = if tally.skipped.len() == 1 {
            "suite"
        } else {
            "suites"
        };
        let _ = write!(
            text,
            "\n{} {suites} skipped: {}",
            tally.skipped.len(),
            tally.skipped.join("; ")
        );
    }
    text
}

fn count_before(text: &str, label: &str) -> u64 {
    text.find(label)
        .and_then(|end| text[..end].rsplit([' ', '.']).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

/// Runs everything; prints the summary line whether or not a step failed.
pub(crate) fn run_all(root: &Path) -> Result<(), Failure> {
    let mut tally = Tally::default();
    let outcome = steps(root, &mut tally);
    print_outcome(&outcome, &tally);
    outcome.map_err(|_| Failure::new("test", "`cargo xtask test` failed (see above)".to_owned()))
}

/// `cargo xtask rabbitmq [-- TEST ARGS]`: the RabbitMQ differential suite alone, `test_args`
/// passed on to the test binary. Fails when RabbitMQ is missing: nothing would have run.
pub(crate) fn run_rabbitmq(root: &Path, test_args: &[String]) -> Result<(), Failure> {
    let mut tally = Tally::default();
    let outcome = rabbitmq_suite(root, &mut tally, test_args);
    print_outcome(&outcome, &tally);
    let step = "rabbitmq";
    match outcome {
        Ok(()) if tally.skipped.is_empty() => Ok(()),
        Ok(()) => Err(Failure::new(
            step,
            "RabbitMQ is not installed: no test ran".to_owned(),
        )),
        Err(_) => Err(Failure::new(
            step,
            "`cargo xtask rabbitmq` failed (see above)".to_owned(),
        )),
    }
}

/// Prints how it went and the [`summary`], whether or not a step failed.
fn print_outcome(outcome: &Result<(), Failure>, tally: &Tally) {
    match outcome {
        Ok(()) if tally.skipped.is_empty() => {
            println!("\nAll checks passed.\n{}", summary(tally));
        }
        Ok(()) => println!("\nAll checks that ran passed.\n{}", summary(tally)),
        Err(failure) => {
            println!("\n{failure}");
            println!("Stopped at the first failure.\n{}", summary(tally));
        }
    }
}

/// `BLESS` in the environment makes the expected-file tests (core transcripts, web export
/// fixtures) rewrite their files and pass instead of comparing: the test command refuses to
/// run with it set, whatever its value, so that it can only check.
fn refuse_blessing(bless: Option<&std::ffi::OsStr>) -> Result<(), Failure> {
    match bless {
        None => Ok(()),
        Some(value) => Err(Failure::new(
            "test",
            format!(
                "BLESS is set (to {value:?}): the tests would rewrite their expected files \
                 instead of checking them"
            ),
        )
        .hint(
            "unset it (`env -u BLESS cargo xtask test`); to rewrite expected files on purpose, \
             run the one test with BLESS=1 (see core/tests/support/mod.rs, \
             web/src/interop/tests.rs) and review the diff",
        )),
    }
}

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(setup::cargo());
    command.current_dir(root);
    command
}

/// Runs a suite whose output carries test counts; a failing suite is a [`Failure`].
fn counted(step: &str, command: &mut Command, tally: &mut Tally) -> Result<(), Failure> {
    command::announce(step);
    let (passed_before, failed_before) = (tally.passed, tally.failed);
    let success = command::run_echoing(step, command, |line| tally.add_line(line))?;
    let failed = tally.failed - failed_before;
    if success && failed == 0 {
        if tally.passed == passed_before {
            return Err(Failure::new(step, "the suite ran no tests".to_owned()));
        }
        Ok(())
    } else {
        Err(Failure::new(
            step,
            format!("{failed} test(s) failed (exit status says success: {success})"),
        ))
    }
}

fn steps(root: &Path, tally: &mut Tally) -> Result<(), Failure> {
    refuse_blessing(std::env::var_os("BLESS").as_deref())?;

    command::announce("format: cargo fmt --check");
    command::run("format", cargo(root).args(["fmt", "--all", "--check"]))
        .map_err(|failure| failure.hint("run `cargo fmt --all`"))?;

    command::announce("lint: cargo clippy --all-targets -- -D warnings");
    command::run(
        "lint",
        cargo(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    counted(
        "native tests: cargo test --workspace (unit, integration, doc)",
        cargo(root).args(["test", "--workspace"]),
        tally,
    )?;

    // The swarm's 2,000 seeds, and the test that plants a bug for it to find: the only
    // command built with the `planted-bug` feature.
    counted(
        "swarm: 2,000 random scenarios against the invariants; a planted bug found and shrunk",
        cargo(root)
            .args([
                "test",
                "--package",
                "brokerlab",
                "--features",
                "planted-bug",
                "--test",
                "swarm",
                "--test",
                "swarm_planted",
                "--",
                "thousands_of_random_runs_keep_every_invariant",
                "the_swarm_finds_and_shrinks_a_planted_bug",
            ])
            .env("SWARM_SEEDS", "2000"),
        tally,
    )?;

    rabbitmq_suite(root, tally, &[])?;

    setup::ensure_target(setup::NO_STD_TARGET)?;
    command::announce(&format!(
        "no_std: brokerlab without default features for {}",
        setup::NO_STD_TARGET
    ));
    command::run(
        "no_std",
        cargo(root).args([
            "build",
            "--package",
            "brokerlab",
            "--no-default-features",
            "--target",
            setup::NO_STD_TARGET,
        ]),
    )?;

    let built = site::build(root)?;

    let version = setup::locked_wasm_bindgen_version(root)?;
    let tools = setup::ensure_wasm_bindgen(root, &version)?;
    let chromium = setup::ensure_chromium()?;
    counted(
        "wasm tests: wasm-bindgen-test in headless Chromium",
        cargo(root)
            .args([
                "test",
                "--package",
                "brokerlab-web",
                "--test",
                "render",
                "--test",
                "trace",
                "--test",
                "swarm_trace",
                "--target",
                setup::WASM_TARGET,
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                &tools.test_runner,
            )
            .env("CHROMEDRIVER", &chromium.driver)
            .env(
                "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                root.join("web").join("webdriver.json"),
            )
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        tally,
    )?;

    setup::ensure_npm_packages(root)?;
    let url = http::serve_in_background(built.dir.clone())?;
    println!("Serving the built site on {url} for the browser tests");
    counted(
        "browser tests: tests/e2e in headless Chromium (playwright-core)",
        Command::new("node")
            .current_dir(root)
            .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
            .arg(root.join("tests").join("e2e"))
            .env("BROKERLAB_URL", &url)
            .env("BROKERLAB_CHROMIUM", &chromium.browser)
            .env("BROKERLAB_SCREENSHOTS", built.dir.join("screenshots")),
        tally,
    )?;

    // Last, so that a bundle over its ceiling does not hide how the tests went.
    check_bundle_size(&built, tally)
}

/// What the summary says when the RabbitMQ differential suite could not run.
const NO_RABBITMQ: &str = "the RabbitMQ differential suite (no RabbitMQ)";

/// The RabbitMQ differential suite (the `#[ignore]`d tests of `tests/tests/rabbitmq/`)
/// against a private RabbitMQ node started for it, and stopped whatever happens; skipped
/// (and noted in `tally`) where RabbitMQ is not installed and cannot be.
fn rabbitmq_suite(root: &Path, tally: &mut Tally, test_args: &[String]) -> Result<(), Failure> {
    let Some(scripts) = rabbitmq::ensure_rabbitmq()? else {
        tally.skipped.push(NO_RABBITMQ);
        return Ok(());
    };
    let python = setup::ensure_pika(root)?;
    // Dropping the node stops it: the `?` below leaves nothing running.
    let node = Node::start(root, &scripts)?;
    counted(
        "rabbitmq: the differential suite against the private RabbitMQ node (tests/tests/rabbitmq/)",
        cargo(root)
            .args([
                "test",
                "--package",
                "brokerlab-tests",
                "--test",
                "rabbitmq",
                "--",
                "--ignored",
            ])
            .args(test_args)
            .env("BROKERLAB_AMQP_PORT", node.amqp_port().to_string())
            .env("BROKERLAB_AMQP_PYTHON", &python)
            .env("BROKERLAB_RABBITMQCTL", node.ctl_wrapper()),
        tally,
    )?;
    node.stop()
}

/// The bundle-size step: one counted check, passed when every bundle of [`size::BUNDLES`]
/// is within its ceiling as served (brotli), failed otherwise.
fn check_bundle_size(built: &site::Site, tally: &mut Tally) -> Result<(), Failure> {
    command::announce(
        "bundle size: each page's files as served (brotli), at most its ceiling (size.rs)",
    );
    let mut over = Vec::new();
    for bundle in size::BUNDLES {
        match size::verdict(&bundle, &built.bundle) {
            Ok(summary) => println!("{summary}"),
            Err(message) => over.push(message),
        }
    }
    if over.is_empty() {
        tally.passed += 1;
        Ok(())
    } else {
        tally.failed += 1;
        Err(Failure::new("bundle size", over.join("\n")).hint(
            "BENCHMARKS.md (\"Bundle size\", \"Load time\") says what weighs what and how it was \
             measured",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_run_with_bless_set_to_anything() {
        assert!(refuse_blessing(None).is_ok());
        for value in ["1", "0", ""] {
            let failure = refuse_blessing(Some(std::ffi::OsStr::new(value))).unwrap_err();
            assert!(failure.to_string().contains("BLESS is set"), "{failure}");
        }
    }

    #[test]
    fn counts_libtest_and_tap_summaries() {
        let mut tally = Tally::default();
        tally.add_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        tally.add_line("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        tally.add_line("# pass 4");
        tally.add_line("# fail 1");
        tally.add_line("running 5 tests");
        assert_eq!(
            tally,
            Tally {
                passed: 19,
                failed: 3,
                skipped: Vec::new()
            }
        );
    }

    #[test]
    fn the_summary_names_skipped_suites_on_a_line_of_their_own() {
        let mut tally = Tally {
            passed: 480,
            failed: 0,
            skipped: Vec::new(),
        };
        assert_eq!(summary(&tally), "480 passed, 0 failed");
        tally.skipped.push(NO_RABBITMQ);
        assert_eq!(
            summary(&tally),
            "480 passed, 0 failed\n1 suite skipped: the RabbitMQ differential suite (no RabbitMQ)"
        );
        tally.skipped.push("the other suite (no other)");
        assert!(summary(&tally).ends_with("\n2 suites skipped: the RabbitMQ differential suite (no RabbitMQ); the other suite (no other)"));
    }
}
