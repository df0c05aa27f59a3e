//! "Why not" for a group member: for a stream record, each member of a group reading its
//! stream that did not read it first, and why. Told from the story's own events: each poll
//! names its reader, and before a member's first read of the record the story holds the
//! assignment the engine reported that gave it the partition (a generation's `Rebalanced`,
//! or the member's `MemberAssigned` under the consumer protocol). Nothing here assigns
//! partitions: it only reads who the engine said owned what.

use brokerlab::sim::{Attach, SimConsumerId, Simulation, Story};
use brokerlab::{Event, StreamPartition};

/// The assignment a read happened under: the generation (or epoch) in words and, when the
/// event lists the whole group, every member with its partitions of this record's stream.
#[derive(Clone)]
struct Owners {
    generation: String,
    members: Option<Vec<(String, Vec<u32>)>>,
}

/// One read of the record.
struct Read {
    at_ms: u64,
    reader: String,
    group: String,
    under: Option<Owners>,
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
    let stream = b.stream_name(record.stream).unwrap_or("?").to_owned();
    let label = format!("{stream}/{}", record.partition.0);
    // Every consumer of the run in a group: name, group, when it started.
    let members: Vec<(String, String, u64)> = (0..sim.consumer_count())
        .filter_map(|i| {
            let spec = sim.consumer_spec(SimConsumerId(i as u32))?;
            match &spec.attach {
                Attach::Group(g) => Some((spec.name.clone(), g.clone(), spec.start_ms)),
                _ => None,
            }
        })
        .collect();
    let group_of = |reader: &str| {
        members
            .iter()
            .find(|(n, ..)| n == reader)
            .map(|(_, g, _)| g.clone())
    };
    let in_stream = |ps: &[StreamPartition]| -> Vec<u32> {
        ps.iter()
            .filter(|p| p.stream == record.stream)
            .map(|p| p.partition.0)
            .collect()
    };

    let mut latest: Vec<(String, Owners)> = Vec::new();
    let mut reads: Vec<Read> = Vec::new();
    for e in &story.events {
        let at_ms = e.at.as_millis();
        match e.broker() {
            Some(Event::Rebalanced {
                group,
                generation,
                assignment,
            }) => {
                let g = b.group_name(*group).unwrap_or("?").to_owned();
                let owners = Owners {
                    generation: format!("generation {generation}"),
                    members: Some(
                        assignment
                            .iter()
                            .map(|a| (name(a.member), in_stream(&a.partitions)))
                            .collect(),
                    ),
                };
                latest.retain(|(x, _)| *x != g);
                latest.push((g, owners));
            }
            Some(Event::MemberAssigned { group, epoch, .. }) => {
                let g = b.group_name(*group).unwrap_or("?").to_owned();
                latest.retain(|(x, _)| *x != g);
                latest.push((
                    g,
                    Owners {
                        generation: format!("epoch {epoch}"),
                        members: None,
                    },
                ));
            }
            Some(Event::Polled {
                consumer,
                partition,
                ..
            }) if *partition == record => {
                let reader = name(*consumer);
                let Some(group) = group_of(&reader) else {
                    continue;
                };
                let under = latest
                    .iter()
                    .find(|(g, _)| *g == group)
                    .map(|(_, o)| o.clone());
                reads.push(Read {
                    at_ms,
                    reader,
                    group,
                    under,
                });
            }
            _ => {}
        }
    }

    let appended_ms = story.events.first().map_or(0, |e| e.at.as_millis());
    let mut out = Vec::new();
    let scenario = sim.scenario();
    for g in scenario
        .topology
        .groups
        .iter()
        .filter(|g| g.streams.contains(&stream))
    {
        let first = reads.iter().find(|r| r.group == g.name);
        for (member, _, joined_ms) in members.iter().filter(|(_, x, _)| *x == g.name) {
            if first.is_some_and(|f| f.reader == *member) {
                continue;
            }
            let why = match first {
                None if *joined_ms > appended_ms => format!(
                    "in {}: no member has read it yet; {member} joined at {joined_ms} ms, after it was appended ({appended_ms} ms)",
                    g.name
                ),
                None => format!("in {}: no member has read it yet", g.name),
                Some(f) => why_not(member, *joined_ms, f, &label, &reads),
            };
            out.push((member.clone(), why));
        }
    }
    out
}

/// Why `member` did not read the record that `first` read first for its group.
fn why_not(member: &str, joined_ms: u64, first: &Read, label: &str, reads: &[Read]) -> String {
    let owner = &first.reader;
    let generation = first
        .under
        .as_ref()
        .map_or_else(String::new, |o| format!(" in {}", o.generation));
    let mut why = format!(
        "in {}: {owner} owned {label}{generation} and read it at {} ms",
        first.group, first.at_ms
    );
    let was = first
        .under
        .as_ref()
        .and_then(|o| o.members.as_ref())
        .map(|ms| {
            ms.iter()
                .find(|(n, _)| n == member)
                .map(|(_, ps)| ps.clone())
        });
    let status = match was {
        _ if joined_ms > first.at_ms => {
            format!("; {member} had not joined yet (it joined at {joined_ms} ms)")
        }
        Some(None) => format!(
            "; {member} was not in that generation (offline: crashed, left, or not rejoined yet)"
        ),
        Some(Some(ps)) if ps.is_empty() => {
            format!("; {member} was in it but idle (the group had more members than partitions)")
        }
        Some(Some(ps)) => {
            let ps: Vec<String> = ps.iter().map(ToString::to_string).collect();
            format!("; {member} owned partition(s) {} instead", ps.join(", "))
        }
        None => String::new(),
    };
    why.push_str(&status);
    if let Some(later) = reads
        .iter()
        .find(|r| r.reader == member && r.group == first.group)
    {
        let generation = later
            .under
            .as_ref()
            .map_or_else(String::new, |o| format!(", owning it in {}", o.generation));
        why.push_str(&format!(
            "; it got it later, at {} ms{generation} (a replay after the partition moved)",
            later.at_ms
        ));
    }
    why
}
