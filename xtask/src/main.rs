//! `cargo xtask`: Brokerlab's build tool.
//!
//! - `cargo xtask build` builds the playground (core + web for `wasm32-unknown-unknown`,
//!   wasm-bindgen, wasm-opt when a working one is available) into `target/site/`.
//! - `cargo xtask serve [--port N]` does the same and serves it on `http://127.0.0.1:8080`.
//! - `cargo xtask test` runs every check and test suite, in order, failing fast, then checks
//!   each page's bundle as served (brotli) against its ceiling, and ends with one
//!   `N passed, M failed` line (and one naming any suite it skipped).
//! - `cargo xtask bench` measures the simulation natively and in wasm in one run, then the
//!   playground's frame time, its timeline's seek time and its load time in headless
//!   Chromium (`bench frames`, `bench seek`, `bench load`: one of them alone).
//! - `cargo xtask fuzz TARGET [--minutes M]` fuzzes one target of `fuzz/` with AFL++ (cargo-afl
//!   from crates.io) for M minutes and prints its executions, crashes and hangs.
//! - `cargo xtask swarm [--seeds N] [--from S] [--minutes M]` runs random scenarios against
//!   the engine's invariants on every core and shrinks any failure (`swarm.rs`).
//! - `cargo xtask rabbitmq [-- TEST ARGS]` runs the RabbitMQ differential suite alone against
//!   a private RabbitMQ node it starts and stops (`rabbitmq.rs`); `cargo xtask test` runs it
//!   after the swarm, or says it skipped it where RabbitMQ is missing.
//!
//! Each command installs what it needs (rustup targets, the wasm-bindgen CLI at the version
//! in `Cargo.lock`, the npm packages of `package-lock.json`, Debian's Chromium and RabbitMQ,
//! pika from PyPI in a venv) or says exactly what to install. Nothing is fetched from outside
//! the package registries.

mod bench;
mod command;
mod compress;
mod fuzz;
mod http;
mod rabbitmq;
mod setup;
mod site;
mod size;
mod suite;
mod swarm;

use std::path::PathBuf;
use std::process::ExitCode;

use command::Failure;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build            build the playground into target/site/ (with .br and .gz copies)
  serve [--port N] build it and serve it on http://127.0.0.1:8080 (or port N); Ctrl-C stops
  test             run every check and test suite (fmt, clippy, native, swarm, RabbitMQ,
                   no_std, wasm, browser) and the bundle sizes as served; ends with
                   `N passed, M failed` (then a line naming any suite skipped)
  bench [frames|load|seek]
                   simulation speed natively and in wasm in headless Chromium, with the ratio,
                   then the playground's frame time at 2,000 messages/s, then its cold load
                   time on emulated mobile and broadband (`frames`, `load`: only that)
  fuzz TARGET [--minutes M]
                   fuzz one target with AFL++ for M minutes (default 10) on its corpus in
                   fuzz/corpus/TARGET/ and print executions, crashes and hangs; targets:
                   share_link, scenario_json, rabbitmq_import, file_storage, topic_match
  swarm [--seeds N] [--from S] [--minutes M] [--share-groups]
                   random scenarios (2,000 unless told) checked against the engine's
                   invariants on every core; a failure writes its shrunk scenario to
                   target/swarm/seed-N.json and prints how to replay it; --share-groups
                   adds share groups to about a third of the scenarios
  rabbitmq [-- TEST ARGS]
                   the RabbitMQ differential suite alone (tests/tests/rabbitmq/) against a
                   private RabbitMQ node started for it and stopped after; TEST ARGS (a test
                   name filter, --nocapture) go to the test binary. Needs RabbitMQ 3.10+
                   (Debian: installed when root) or BROKERLAB_RABBITMQ_SBIN=folder of its
                   rabbitmq-server and rabbitmqctl; `test` skips the suite without it
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let outcome = match args.first().map(String::as_str) {
        Some("build") => no_more_args(&args[1..]).and_then(|()| site::build(&root).map(drop)),
        Some("serve") => parse_port(&args[1..]).and_then(|port| serve(&root, port)),
        Some("test") => no_more_args(&args[1..]).and_then(|()| suite::run_all(&root)),
        Some("bench") => match args.get(1).map(String::as_str) {
            Some("frames") => no_more_args(&args[2..]).and_then(|()| bench::run_frames(&root)),
            Some("load") => no_more_args(&args[2..]).and_then(|()| bench::run_load(&root)),
            Some("seek") => no_more_args(&args[2..]).and_then(|()| bench::run_seek(&root)),
            _ => no_more_args(&args[1..]).and_then(|()| bench::run(&root)),
        },
        Some("fuzz") => fuzz::parse(&args[1..]).and_then(|request| fuzz::run(&root, &request)),
        Some("swarm") => swarm::parse(&args[1..]).and_then(|o| swarm::run(&root, &o)),
        Some("rabbitmq") => {
            rabbitmq::parse(&args[1..]).and_then(|rest| suite::run_rabbitmq(&root, &rest))
        }
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Failure::usage(format!("unknown command `{other}`"))),
        None => Err(Failure::usage("no command given".to_owned())),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            if failure.is_usage() {
                eprint!("\n{USAGE}");
            }
            ExitCode::FAILURE
        }
    }
}

fn serve(root: &std::path::Path, port: u16) -> Result<(), Failure> {
    let site = site::build(root)?;
    let listener = http::bind(port)?;
    let address = listener.local_addr().map_err(|error| {
        Failure::new("serve", format!("cannot read the bound address: {error}"))
    })?;
    println!("\nBrokerlab playground: http://{address}/   (Ctrl-C stops the server)");
    http::serve_forever(listener, site.dir);
    Ok(())
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn no_more_args(rest: &[String]) -> Result<(), Failure> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(Failure::usage(format!("unexpected argument `{extra}`"))),
    }
}

fn parse_port(rest: &[String]) -> Result<u16, Failure> {
    match rest {
        [] => Ok(http::DEFAULT_PORT),
        [flag, value] if flag == "--port" => value.parse().map_err(|_| {
            Failure::usage(format!(
                "`--port` needs a number from 0 to 65535, got `{value}`"
            ))
        }),
        [flag] if flag == "--port" => Err(Failure::usage("`--port` needs a value".to_owned())),
        [extra, ..] => Err(Failure::usage(format!("unexpected argument `{extra}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn port_defaults_to_8080_and_accepts_a_flag() {
        assert_eq!(parse_port(&[]).unwrap(), 8080);
        assert_eq!(parse_port(&strings(&["--port", "9000"])).unwrap(), 9000);
        assert!(parse_port(&strings(&["--port", "http"])).is_err());
        assert!(parse_port(&strings(&["--port"])).is_err());
        assert!(parse_port(&strings(&["--verbose"])).is_err());
    }

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("xtask").is_dir());
    }
}
