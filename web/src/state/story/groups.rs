//! "Why not" for a group member: for a stream record, each member of a group reading its
//! stream that did not read it first, and why. Told from the story's own events: each poll
//! names its reader, and before a member's first read of the record the story holds the
//! assignment the engine reported that gave it the partition (a generation's `Rebalanced`,
//! or the member's `MemberAssigned` under the consumer protocol). Nothing here assigns
//! partitions: it only reads who the engine said owned what.

use brokerlab::sim::{Attach, SimConsumerId, Simulation, Story};
use brokerlab::{Event, StreamConsumerId};

/// One read of the record: when, by whom, in which group, and the assignment event it
/// happened under.
struct Read<'a> {
    at_ms: u64,
    name: String,
    group: &'a str,
    under: Option<&'a Event>,
}

/// Members of the groups reading the record's stream that did not read it first, and why.
pub(super) fn not_read(sim: &Simulation, story: &Story) -> Vec<(String, String)> {
    let Some((record, _)) = story.record else {
        return Vec::new();
    };
    let b = sim.broker();
    let name = |id| {
        b.stream_consumer_name(id)
            .or_else(|| sim.stream_consumer_name(id))
            .unwrap_or("?")
            .to_owned()
    };
    let stream = b.stream_name(record.stream).unwrap_or("?");
    // Every group member of the run: name, group, when it started.
    let members: Vec<(&str, &str, u64)> = (0..sim.consumer_count())
        .filter_map(|i| {
            let spec = sim.consumer_spec(SimConsumerId(i as u32))?;
            match &spec.attach {
                Attach::Group(g) => Some((spec.name.as_str(), g.as_str(), spec.start_ms)),
                _ => None,
            }
        })
        .collect();

    let mut owners: Vec<&Event> = Vec::new();
    let mut reads: Vec<Read<'_>> = Vec::new();
    for e in &story.events {
        let Some(event) = e.broker() else { continue };
        match event {
            Event::Rebalanced { .. } | Event::MemberAssigned { .. } => owners.push(event),
            Event::Polled {
                consumer,
                partition,
                ..
            } if *partition == record => {
                let reader = name(*consumer);
                let Some(&(_, group, _)) = members.iter().find(|(n, ..)| *n == reader) else {
                    continue;
                };
                let under = owners.iter().rev().find(|o| names(o, *consumer)).copied();
                reads.push(Read {
                    at_ms: e.at.as_millis(),
                    name: reader,
                    group,
                    under,
                });
            }
            _ => {}
        }
    }

    let label = format!("{stream}/{}", record.partition.0);
    let mut out = Vec::new();
    for &(member, group, joined_ms) in &members {
        if !sim
            .scenario()
            .topology
            .groups
            .iter()
            .any(|g| g.name == group && g.streams.iter().any(|s| s == stream))
        {
            continue;
        }
        let why = match reads.iter().find(|r| r.group == group) {
            Some(f) if f.name == member => continue,
            Some(f) => {
                let now = if joined_ms > f.at_ms {
                    format!("had not joined yet (it joined at {joined_ms} ms)")
                } else {
                    status(f.under, member, &name).to_owned()
                };
                let later = reads
                    .iter()
                    .find(|r| r.name == member)
                    .map_or_else(String::new, |r| {
                        format!(
                            "; it got it later, at {} ms, when the partition had moved to it",
                            r.at_ms
                        )
                    });
                format!(
                    "in {group}: {} owned {label}{} and read it at {} ms; {member} {now}{later}",
                    f.name,
                    f.under.map(generation).unwrap_or_default(),
                    f.at_ms
                )
            }
            None => format!("in {group}: no member has read it yet"),
        };
        out.push((member.to_owned(), why));
    }
    out
}

/// The generation (or, under the consumer protocol, the epoch) of an assignment event, as
/// " in generation 4".
fn generation(e: &Event) -> String {
    match e {
        Event::Rebalanced { generation, .. } => format!(" in generation {generation}"),
        Event::MemberAssigned { epoch, .. } => format!(" in epoch {epoch}"),
        _ => String::new(),
    }
}

/// Whether an assignment event names `member`.
fn names(e: &Event, member: StreamConsumerId) -> bool {
    match e {
        Event::Rebalanced { assignment, .. } => assignment.iter().any(|a| a.member == member),
        Event::MemberAssigned { member: m, .. } => *m == member,
        _ => false,
    }
}

/// Where `member` stood in the generation a read happened under, when its event lists the
/// whole group.
fn status(
    under: Option<&Event>,
    member: &str,
    name: &dyn Fn(StreamConsumerId) -> String,
) -> &'static str {
    let Some(Event::Rebalanced { assignment, .. }) = under else {
        return "did not own it";
    };
    match assignment.iter().find(|a| name(a.member) == member) {
        None => "was not in that generation (offline: crashed, left, or not rejoined yet)",
        Some(a) if a.partitions.is_empty() => {
            "was in it but idle (the group had more members than partitions)"
        }
        Some(_) => "owned other partitions then",
    }
}
