//! Runs a scenario file and prints its events as JSON lines, then a summary table.
//!
//! Run: `cargo run -p brokerlab --example simulate -- core/scenarios/e.json [--until MS]`
//! (or `--ready e` for an embedded ready-made scenario, `--quiet` to skip the events).
//! A file that cannot be read or is not a valid scenario prints the path-named error on
//! stderr and exits with code 2.

use std::io::Write;
use std::process::ExitCode;

use brokerlab::Instant;
use brokerlab::sim::{Scenario, SimEvent, Simulation, ready};

fn usage() -> ExitCode {
    eprintln!("usage: simulate FILE.json [--until MS] [--quiet] | --ready ID");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut ready_id = None;
    let mut until = None;
    let mut quiet = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--until" => match it.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(ms) => until = Some(ms),
                None => return usage(),
            },
            "--ready" => match it.next() {
                Some(id) => ready_id = Some(id.clone()),
                None => return usage(),
            },
            "--quiet" => quiet = true,
            _ if file.is_none() && !a.starts_with("--") => file = Some(a.clone()),
            _ => return usage(),
        }
    }
    let scenario = match (file, ready_id) {
        (Some(path), None) => {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::from(2);
                }
            };
            match Scenario::from_json(&text) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        (None, Some(id)) => match ready::load(&id) {
            Some(s) => s,
            None => {
                eprintln!("no ready-made scenario {id:?}");
                return ExitCode::from(2);
            }
        },
        _ => return usage(),
    };
    let mut sim = match Simulation::new(&scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let until = until.map_or(sim.end(), Instant::from_millis);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // Writing stops quietly when stdout goes away (for example `| head`).
    let mut ok = write_events(&mut out, sim.last_step_events(), quiet).is_ok();
    while ok && sim.now() < until {
        match sim.next_due() {
            Some(t) if t <= until => ok = write_events(&mut out, sim.step_event(), quiet).is_ok(),
            _ => {
                sim.run_until(until);
            }
        }
    }
    if ok && summary(&mut out, &sim).and_then(|()| out.flush()).is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn write_events(out: &mut impl Write, events: &[SimEvent], quiet: bool) -> std::io::Result<()> {
    if !quiet {
        for e in events {
            serde_json::to_writer(&mut *out, e)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn summary(out: &mut impl Write, sim: &Simulation) -> std::io::Result<()> {
    let t = sim.totals();
    writeln!(out)?;
    writeln!(
        out,
        "# {} — at {} ms",
        sim.scenario().title,
        sim.now().as_millis()
    )?;
    writeln!(
        out,
        "published {}  refused {}  processed {}  events {}  trace {:#018x}",
        t.published,
        t.publish_failed,
        t.processed,
        t.events,
        sim.trace_hash().unwrap_or(0)
    )?;
    let queues = sim.queue_views();
    if !queues.is_empty() {
        writeln!(
            out,
            "{:<20} {:>8} {:>8} {:>9} {:>8} {:>9}",
            "queue", "ready", "in-flight", "dead-lett", "depth", "enqueued"
        )?;
        for q in queues {
            writeln!(
                out,
                "{:<20} {:>8} {:>8} {:>9} {:>8} {:>9}",
                q.name, q.ready, q.in_flight, q.dead_lettered, q.depth, q.enqueued
            )?;
        }
    }
    let parts = sim.partition_views();
    if !parts.is_empty() {
        writeln!(
            out,
            "{:<20} {:>9} {:>8} {:>8}",
            "partition", "", "start", "end"
        )?;
        for p in parts {
            writeln!(
                out,
                "{:<20} {:>9} {:>8} {:>8}",
                format!("{}/{}", p.stream, p.partition.partition),
                "",
                p.start.get(),
                p.end.get()
            )?;
        }
    }
    for g in sim.group_views() {
        let assignment: Vec<String> = g
            .assignment
            .iter()
            .map(|(m, ps)| {
                let ps: Vec<String> = ps.iter().map(|p| p.partition.to_string()).collect();
                format!("{m}=[{}]", ps.join(","))
            })
            .collect();
        writeln!(
            out,
            "group {:<14} generation {:>3}  lag {:>5}  {}",
            g.name,
            g.generation,
            g.lag,
            assignment.join(" ")
        )?;
    }
    writeln!(
        out,
        "{:<20} {:>9} {:>10} {:>9}  partitions (position/processed/committed lag)",
        "consumer", "status", "processed", "buffered"
    )?;
    for c in sim.consumer_views() {
        let parts: Vec<String> = c
            .partitions
            .iter()
            .map(|p| {
                let o = |x: Option<brokerlab::Offset>| {
                    x.map_or("-".to_string(), |o| o.get().to_string())
                };
                format!(
                    "{}: {}/{}/{} lag {}",
                    p.partition.partition,
                    o(p.position),
                    o(p.processed),
                    o(p.committed),
                    p.lag
                )
            })
            .collect();
        writeln!(
            out,
            "{:<20} {:>9} {:>10} {:>9}  {}",
            c.name,
            format!("{:?}", c.status),
            c.processed,
            c.buffered,
            parts.join("; ")
        )?;
    }
    Ok(())
}
