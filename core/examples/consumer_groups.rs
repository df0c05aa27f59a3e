//! Pattern E, consumer groups: two groups read the same stream independently; one of them
//! scales from 1 to 4 members on 3 partitions (the fourth stays idle). Each join starts a
//! rebalance that the other members learn of from their heartbeats and join with their next
//! poll (the classic protocol). Each generation prints the assignment and the lag per
//! partition.
//!
//! Run: `cargo run -p brokerlab --example consumer_groups`

use brokerlab::{Broker, Event, GroupConfig, HeartbeatReply, Instant, OffsetReset, StreamConfig};

fn print_generation(broker: &Broker, group: &str) {
    let g = broker.group_id(group).unwrap();
    println!(
        "   {group} generation {}:",
        broker.group_generation(g).unwrap()
    );
    for a in broker.group_assignment(g) {
        let name = broker.stream_consumer_name(a.member).unwrap_or("?");
        let parts: Vec<String> = a
            .partitions
            .iter()
            .map(|p| {
                format!(
                    "{}/{}",
                    broker.stream_name(p.stream).unwrap_or("?"),
                    p.partition
                )
            })
            .collect();
        let owned = if parts.is_empty() {
            "(idle)".to_string()
        } else {
            parts.join(", ")
        };
        println!("     {name:<10} {owned}");
    }
    for p in broker.group_partitions(g) {
        println!(
            "     {}/{}: committed {:>2}, end {:>2}, lag {}",
            broker.stream_name(p.partition.stream).unwrap_or("?"),
            p.partition.partition,
            p.committed.map_or("-".to_string(), |o| o.get().to_string()),
            p.end.get(),
            p.lag
        );
    }
}

/// Every member of `group` heartbeats; those told of a rebalance rejoin with a poll.
fn heartbeat_all(broker: &mut Broker, now: Instant, group: &str) -> Result<(), brokerlab::Error> {
    let g = broker.group_id(group).unwrap();
    for a in broker.group_assignment(g) {
        let name = broker.stream_consumer_name(a.member).unwrap().to_string();
        if broker.heartbeat(now, group, &name)? == HeartbeatReply::RejoinNeeded {
            println!("   {name} is told to rejoin and does with its next poll");
            broker.poll(now, a.member, 0)?;
        }
    }
    Ok(())
}

/// Every member of `group` polls what it owns and commits.
fn consume_all(broker: &mut Broker, now: Instant, group: &str) -> Result<usize, brokerlab::Error> {
    let g = broker.group_id(group).unwrap();
    let mut read = 0;
    for a in broker.group_assignment(g) {
        read += broker.poll(now, a.member, 100)?.len();
        let name = broker.stream_consumer_name(a.member).unwrap().to_string();
        broker.commit_positions(now, group, &name)?;
    }
    Ok(read)
}

fn main() -> Result<(), brokerlab::Error> {
    let mut broker = Broker::default();
    let t = Instant::from_millis;
    broker.declare_stream(t(0), "orders", StreamConfig::new(3))?;
    let cfg = GroupConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    broker.join_group(t(0), "audit", "auditor", &["orders"], cfg)?;

    let mut now = 0;
    for (step, member) in ["worker-1", "worker-2", "worker-3", "worker-4"]
        .iter()
        .enumerate()
    {
        now += 1000;
        println!("-- {member} joins billing");
        broker.join_group(t(now), "billing", member, &["orders"], cfg)?;
        let g = broker.group_id("billing").unwrap();
        println!("   billing is {}", broker.group_state(g).unwrap());
        heartbeat_all(&mut broker, t(now), "billing")?;
        println!("   billing is {}", broker.group_state(g).unwrap());
        for i in 0..6 {
            let key = format!("customer-{}", (step * 6 + i) % 7);
            broker.produce(t(now), "orders", Some(key.as_bytes()), format!("order {i}"))?;
        }
        print_generation(&broker, "billing");
        let read = consume_all(&mut broker, t(now), "billing")?;
        println!("   billing read {read} records and committed");
        print_generation(&broker, "billing");
        // Keep the silent auditor alive (polling or a heartbeat does).
        broker.heartbeat(t(now), "audit", "auditor")?;
    }

    println!("-- the audit group was never touched by billing's rebalances");
    print_generation(&broker, "audit");
    let read = consume_all(&mut broker, t(now), "audit")?;
    println!("   audit read {read} records (every record, once)");
    print_generation(&broker, "audit");

    println!("-- rebalance events");
    while let Some(e) = broker.poll_event() {
        if let Event::Rebalanced {
            group,
            generation,
            assignment,
        } = &e
        {
            let members: Vec<String> = assignment
                .iter()
                .map(|a| {
                    format!(
                        "{}:{}",
                        broker.stream_consumer_name(a.member).unwrap_or("gone"),
                        a.partitions.len()
                    )
                })
                .collect();
            println!(
                "   {} gen {generation}: {}",
                broker.group_name(*group).unwrap_or("?"),
                members.join(" ")
            );
        }
    }
    Ok(())
}
