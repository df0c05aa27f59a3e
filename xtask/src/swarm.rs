//! `cargo xtask swarm [--seeds N] [--from S] [--minutes M] [--share-groups]`: the swarm of random simulations
//! on every core, in release (`core/examples/swarm/`): each seed's scenario run with the
//! invariant auditor, one in eight over `FileStorage` on the crash-testing file system with
//! broker restarts. A progress line every 10 s, then seeds per second; a failure prints its
//! seed and writes the shrunk scenario to `target/swarm/seed-N.json` with the commands that
//! replay it, and the command fails. `--share-groups` generates share groups too (the
//! generator's share-group profile: about a third of the scenarios, which then differ from
//! the same seeds' without it).

use std::path::Path;
use std::process::Command;

use crate::command::{self, Failure};
use crate::setup;

/// The swarm's options, as given.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Options {
    seeds: Option<u64>,
    from: Option<u64>,
    minutes: Option<f64>,
    share_groups: bool,
}

/// Reads `--seeds N`, `--from S`, `--minutes M` and `--share-groups`.
pub(crate) fn parse(args: &[String]) -> Result<Options, Failure> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--share-groups" {
            o.share_groups = true;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| Failure::usage(format!("`{flag}` needs a value")))?;
        let bad = || Failure::usage(format!("`{flag}` needs a number, got `{value}`"));
        match flag.as_str() {
            "--seeds" => o.seeds = Some(value.parse().map_err(|_| bad())?),
            "--from" => o.from = Some(value.parse().map_err(|_| bad())?),
            "--minutes" => {
                let m: f64 = value.parse().map_err(|_| bad())?;
                if !(m > 0.0 && m.is_finite()) {
                    return Err(bad());
                }
                o.minutes = Some(m);
            }
            other => return Err(Failure::usage(format!("unexpected argument `{other}`"))),
        }
    }
    Ok(o)
}

/// Runs the swarm. With `--minutes` and no `--seeds`, seeds go on until the time is up.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Failure> {
    let step = "swarm";
    command::announce("swarm: random scenarios against the invariants (release build)");
    let mut cmd = Command::new(setup::cargo());
    cmd.current_dir(root).args([
        "run",
        "--release",
        "--quiet",
        "--package",
        "brokerlab",
        "--example",
        "swarm",
        "--",
    ]);
    let seeds = match (options.seeds, options.minutes) {
        (Some(n), _) => n,
        (None, Some(_)) => u64::MAX / 2,
        (None, None) => 2_000,
    };
    cmd.args(["--seeds", &seeds.to_string()]);
    if let Some(from) = options.from {
        cmd.args(["--from", &from.to_string()]);
    }
    if let Some(m) = options.minutes {
        cmd.args(["--minutes", &m.to_string()]);
    }
    if options.share_groups {
        cmd.arg("--share-groups");
    }
    command::run(step, &mut cmd).map_err(|f| {
        f.hint("a broken rule is listed above with its seed and the shrunk scenario's file")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reads_seeds_start_and_minutes() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
        let o = parse(&strings(&[
            "--seeds",
            "100000",
            "--from",
            "7",
            "--minutes",
            "1.5",
        ]))
        .unwrap();
        assert_eq!(
            o,
            Options {
                seeds: Some(100_000),
                from: Some(7),
                minutes: Some(1.5),
                share_groups: false,
            }
        );
        assert!(
            parse(&strings(&["--share-groups", "--seeds", "5"]))
                .unwrap()
                .share_groups
        );
        assert!(parse(&strings(&["--seeds"])).is_err());
        assert!(parse(&strings(&["--seeds", "many"])).is_err());
        assert!(parse(&strings(&["--minutes", "-1"])).is_err());
        assert!(parse(&strings(&["--verbose", "1"])).is_err());
    }
}
