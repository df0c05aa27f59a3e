//! Checking for, and installing, what the commands need: rustup targets, the wasm-bindgen
//! CLI at the locked version, the npm packages, Chromium with ChromeDriver, wasm-opt, and
//! the Python AMQP client (pika) of the RabbitMQ differential tests.
//!
//! Every installer uses a package registry (rustup's channel, crates.io, npm, PyPI, Debian's
//! apt). Where installing is not possible here, the error says exactly what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command::{self, Failure};

/// The target the playground is compiled for.
pub(crate) const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// A target without `std`, built to prove the core stays `no_std`.
pub(crate) const NO_STD_TARGET: &str = "thumbv7em-none-eabihf";

/// Makes sure the rustup target `triple` is installed.
pub(crate) fn ensure_target(triple: &str) -> Result<(), Failure> {
    let step = "setup: rust target";
    let installed = command::output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|line| line.trim() == triple) => Ok(()),
        Some(_) => {
            println!("Installing the Rust target {triple} (rustup target add {triple})");
            command::run(step, Command::new("rustup").args(["target", "add", triple]))
        }
        None => Err(Failure::new(
            step,
            format!("the Rust target `{triple}` is needed and rustup is not available"),
        )
        .hint(format!(
            "install Rust with rustup (https://rustup.rs), then `rustup target add {triple}`"
        ))),
    }
}

/// The tools of the wasm-bindgen CLI, at the version the workspace locks.
pub(crate) struct WasmBindgen {
    /// `wasm-bindgen`, which turns the compiled module into an ES module plus glue.
    pub(crate) bindgen: PathBuf,
    /// `wasm-bindgen-test-runner`, the cargo runner for wasm tests in a browser.
    pub(crate) test_runner: PathBuf,
}

/// Reads the locked `wasm-bindgen` version out of `Cargo.lock`.
pub(crate) fn locked_wasm_bindgen_version(root: &Path) -> Result<String, Failure> {
    let step = "setup: wasm-bindgen";
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|error| Failure::new(step, format!("cannot read Cargo.lock: {error}")))?;
    locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| Failure::new(step, "Cargo.lock does not lock `wasm-bindgen`".to_owned()))
}

/// The version of `package` in the text of a `Cargo.lock`.
pub(crate) fn locked_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_owned());
        }
    }
    None
}

fn reports_version(program: &Path, version: &str) -> bool {
    command::output(Command::new(program).arg("--version"))
        .is_some_and(|text| text.split_whitespace().nth(1) == Some(version))
}

/// Finds the wasm-bindgen CLI at exactly `version`: on `PATH`, or in `target/tools/`;
/// otherwise installs it there from crates.io.
pub(crate) fn ensure_wasm_bindgen(root: &Path, version: &str) -> Result<WasmBindgen, Failure> {
    let step = "setup: wasm-bindgen";
    let on_path = WasmBindgen {
        bindgen: PathBuf::from("wasm-bindgen"),
        test_runner: PathBuf::from("wasm-bindgen-test-runner"),
    };
    if on_path.is_version(version) {
        return Ok(on_path);
    }
    let tools = target_dir(root)
        .join("tools")
        .join(format!("wasm-bindgen-{version}"));
    let local = WasmBindgen {
        bindgen: tools.join("bin").join("wasm-bindgen"),
        test_runner: tools.join("bin").join("wasm-bindgen-test-runner"),
    };
    if local.is_version(version) {
        return Ok(local);
    }
    println!(
        "Installing wasm-bindgen-cli {version} into {} (cargo install; takes a few minutes once)",
        tools.display()
    );
    // `--locked` is deliberately absent: the CLI's lock file names a crate version that not
    // every registry mirror carries, and the resolver picks compatible versions without it.
    command::run(
        step,
        Command::new(cargo())
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                version,
                "--root",
            ])
            .arg(&tools),
    )
    .map_err(|failure| {
        failure.hint(format!(
            "`cargo install wasm-bindgen-cli --version {version}` must succeed; it needs crates.io"
        ))
    })?;
    if local.is_version(version) {
        Ok(local)
    } else {
        Err(Failure::new(
            step,
            format!("wasm-bindgen-cli {version} was installed but does not report that version"),
        ))
    }
}

impl WasmBindgen {
    fn is_version(&self, version: &str) -> bool {
        reports_version(&self.bindgen, version) && reports_version(&self.test_runner, version)
    }
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set, else `target/` in the workspace.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The cargo that runs this xtask, so nested builds use the same toolchain.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Installs the npm packages of the committed `package-lock.json` (playwright-core for the
/// browser tests, binaryen for wasm-opt) unless they are already installed at those versions.
pub(crate) fn ensure_npm_packages(root: &Path) -> Result<(), Failure> {
    let step = "setup: npm packages";
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules").join(".package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(lock), Ok(installed)) => match (lock.modified(), installed.modified()) {
            (Ok(lock), Ok(installed)) => installed >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    println!("Installing npm packages from package-lock.json (npm ci)");
    command::run(
        step,
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root),
    )
    .map_err(|failure| {
        failure.hint("install Node.js 18 or newer with npm (Debian: `apt-get install nodejs npm`)")
    })
}

/// Paths to the browser and its WebDriver.
pub(crate) struct Chromium {
    /// The browser executable.
    pub(crate) browser: PathBuf,
    /// The matching ChromeDriver.
    pub(crate) driver: PathBuf,
}

/// Finds Chromium and ChromeDriver (`/usr/bin/chromium`, `/usr/bin/chromedriver`, or the
/// paths in `BROKERLAB_CHROMIUM` and `CHROMEDRIVER`); installs Debian's packages when running
/// as root on Debian; otherwise says what to install.
pub(crate) fn ensure_chromium() -> Result<Chromium, Failure> {
    let step = "setup: chromium";
    let chromium = Chromium {
        browser: env_path("BROKERLAB_CHROMIUM", "/usr/bin/chromium"),
        driver: env_path("CHROMEDRIVER", "/usr/bin/chromedriver"),
    };
    if chromium.browser.is_file() && chromium.driver.is_file() {
        return Ok(chromium);
    }
    if !can_apt_install() {
        return Err(Failure::new(step, "Chromium and ChromeDriver are needed for the browser tests".to_owned()).hint(
            "on Debian or Ubuntu: `sudo apt-get install chromium chromium-driver`; elsewhere install Chromium and \
             a matching ChromeDriver and set BROKERLAB_CHROMIUM and CHROMEDRIVER to their paths",
        ));
    }
    println!("Installing Debian's chromium and chromium-driver (apt-get)");
    apt_install(step, &["chromium", "chromium-driver"])?;
    if chromium.browser.is_file() && chromium.driver.is_file() {
        Ok(chromium)
    } else {
        Err(Failure::new(
            step,
            "apt-get finished but /usr/bin/chromium or /usr/bin/chromedriver is missing".to_owned(),
        ))
    }
}

/// Whether Debian's packages can be installed here: a Debian (or Ubuntu) system, as root.
pub(crate) fn can_apt_install() -> bool {
    let debian = Path::new("/etc/debian_version").is_file();
    debian && command::output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// `apt-get update`, then installs `packages` without recommended ones or questions.
pub(crate) fn apt_install(step: &str, packages: &[&str]) -> Result<(), Failure> {
    command::run(step, Command::new("apt-get").arg("update"))?;
    command::run(
        step,
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// The pika (Python AMQP 0-9-1 client) the RabbitMQ differential tests use.
pub(crate) const PIKA_VERSION: &str = "1.3.2";

/// Makes sure a Python venv in `target/tools/amqp-venv/` has pika at [`PIKA_VERSION`]
/// (`python3 -m venv`, then pip from PyPI; nothing to do when it already has it). Returns
/// the venv's `python`.
pub(crate) fn ensure_pika(root: &Path) -> Result<PathBuf, Failure> {
    let step = "setup: pika";
    let venv = target_dir(root).join("tools").join("amqp-venv");
    let python = venv.join("bin").join("python");
    if has_pika(&python) {
        return Ok(python);
    }
    if !python.is_file() {
        create_venv(step, &venv)?;
    }
    println!(
        "Installing pika {PIKA_VERSION} into {} (pip, from PyPI)",
        venv.display()
    );
    command::run(
        step,
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("pika=={PIKA_VERSION}")),
    )
    .map_err(|failure| {
        failure.hint(format!(
            "`pip install pika=={PIKA_VERSION}` must succeed in that venv; it needs PyPI"
        ))
    })?;
    if has_pika(&python) {
        Ok(python)
    } else {
        Err(Failure::new(
            step,
            format!("pika was installed but `import pika` does not report {PIKA_VERSION}"),
        ))
    }
}

fn has_pika(python: &Path) -> bool {
    let script = "import pika; print(pika.__version__)";
    command::output(Command::new(python).args(["-c", script])).as_deref() == Some(PIKA_VERSION)
}

/// `python3 -m venv DIR`; a half-made venv (Debian without `python3-venv`) is removed.
fn create_venv(step: &str, venv: &Path) -> Result<(), Failure> {
    println!(
        "Creating a Python venv in {} (python3 -m venv)",
        venv.display()
    );
    command::run(step, Command::new("python3").args(["-m", "venv"]).arg(venv)).map_err(|failure| {
        // Best effort: the next run starts over either way.
        let _ = std::fs::remove_dir_all(venv);
        failure.hint(
            "install Python 3 with its venv module (Debian or Ubuntu: \
                 `apt-get install python3 python3-venv`)",
        )
    })
}

fn env_path(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// The oldest binaryen whose wasm-opt reads current wasm-bindgen output.
const MIN_BINARYEN: u32 = 116;

/// Finds a wasm-opt that can read current wasm-bindgen output: the npm `binaryen` package's,
/// or one on `PATH` of version 116 or newer. `None` means the bundle is left unoptimised.
pub(crate) fn find_wasm_opt(root: &Path) -> Option<PathBuf> {
    let candidates = [
        root.join("node_modules").join(".bin").join("wasm-opt"),
        PathBuf::from("wasm-opt"),
    ];
    candidates.into_iter().find(|program| {
        command::output(Command::new(program).arg("--version"))
            .and_then(|text| binaryen_version(&text))
            .is_some_and(|version| version >= MIN_BINARYEN)
    })
}

fn binaryen_version(text: &str) -> Option<u32> {
    let rest = text.split("version").nth(1)?;
    let digits: String = rest
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "yew"), None);
    }

    #[test]
    fn parses_binaryen_versions() {
        assert_eq!(binaryen_version("wasm-opt version 108"), Some(108));
        assert_eq!(
            binaryen_version("wasm-opt version 123 (version_123)"),
            Some(123)
        );
        assert_eq!(binaryen_version("something else"), None);
    }
}
