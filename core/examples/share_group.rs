//! Share groups (Kafka's KIP-932, "queues for Kafka"): three workers share the records of a
//! 2-partition stream one by one, each record acquired by one worker at a time under a lock.
//! Printed record by record: who acquired what with which delivery count, what was accepted,
//! released or rejected, a lock that expired and the record going to another worker, a worker
//! that crashes while holding a record, a record released at the delivery limit and archived,
//! and each partition's start offset (SPSO) moving past what is settled.
//!
//! Run: `cargo run -p brokerlab --example share_group`

use brokerlab::{
    AcknowledgeType, AcquiredRecord, Broker, Duration, Event, Instant, Offset, ShareGroupConfig,
    ShareMemberId, ShareOffsetReset, StreamConfig, StreamPartition,
};

type BoxError = Box<dyn std::error::Error>;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// Prints the share events the last calls reported, one line each, with member names.
fn print_events(broker: &mut Broker, names: &[(ShareMemberId, &str)]) {
    let name = |m: ShareMemberId| {
        names
            .iter()
            .find(|(id, _)| *id == m)
            .map_or("?", |(_, n)| *n)
    };
    let events: Vec<Event> = std::iter::from_fn(|| broker.poll_event()).collect();
    let at = |p: StreamPartition, o: Offset| {
        let stream = broker.stream_name(p.stream).unwrap_or("?");
        format!("{stream}/{}@{}", p.partition, o.get())
    };
    for e in events {
        let line = match e {
            Event::ShareAcquired {
                member,
                partition,
                offset,
                delivery_count,
                until,
                ..
            } => format!(
                "{:<8} acquired {} (delivery {delivery_count}), locked until {until}",
                name(member),
                at(partition, offset)
            ),
            Event::ShareAcknowledged {
                member,
                partition,
                offset,
                kind,
                ..
            } => {
                let verb = match kind {
                    AcknowledgeType::Accept => "accepted",
                    AcknowledgeType::Release => "released",
                    AcknowledgeType::Reject => "rejected",
                };
                format!("{:<8} {verb} {}", name(member), at(partition, offset))
            }
            Event::ShareLockExpired {
                member,
                partition,
                offset,
                ..
            } => format!(
                "{:<8} lock expired on {}: available again",
                name(member),
                at(partition, offset)
            ),
            Event::ShareReleased {
                member,
                partition,
                offset,
                reason,
                ..
            } => format!(
                "{:<8} {reason}: {} goes back to the group",
                name(member),
                at(partition, offset)
            ),
            Event::ShareArchived {
                partition,
                offset,
                delivery_count,
                reason,
                ..
            } => format!(
                "         {} archived after {delivery_count} deliveries ({reason})",
                at(partition, offset)
            ),
            Event::ShareStartMoved {
                partition,
                start,
                previous,
                ..
            } => {
                let stream = broker.stream_name(partition.stream).unwrap_or("?");
                format!(
                    "         start offset of {stream}/{} moved {} -> {}",
                    partition.partition,
                    previous.get(),
                    start.get()
                )
            }
            _ => continue,
        };
        println!("  {line}");
    }
}

fn settle(
    broker: &mut Broker,
    now: Instant,
    member: ShareMemberId,
    records: &[AcquiredRecord],
    kind: AcknowledgeType,
) -> Result<(), BoxError> {
    for r in records {
        broker.share_acknowledge(now, member, r.record.partition, r.record.offset, kind)?;
    }
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let mut broker = Broker::default();
    broker.declare_stream(t(0), "orders", StreamConfig::new(2))?;
    let config = ShareGroupConfig {
        record_lock_duration: Duration::from_millis(1_000),
        delivery_count_limit: 3,
        auto_offset_reset: ShareOffsetReset::Earliest,
        ..ShareGroupConfig::default()
    };
    broker.create_share_group(t(0), "fulfilment", &["orders"], config)?;
    let anna = broker.join_share_group(t(0), "fulfilment", "anna")?;
    let ben = broker.join_share_group(t(0), "fulfilment", "ben")?;
    let cleo = broker.join_share_group(t(0), "fulfilment", "cleo")?;
    let names = [(anna, "anna"), (ben, "ben"), (cleo, "cleo")];
    for i in 0..8 {
        broker.produce(t(0), "orders", None, format!("order {i}").into_bytes())?;
    }
    while broker.poll_event().is_some() {}
    println!("8 orders on 2 partitions; anna, ben and cleo share them (lock 1 s, limit 3)");

    println!("t=10ms: each fetches two");
    let a = broker.share_fetch(t(10), anna, 2)?;
    let b = broker.share_fetch(t(10), ben, 2)?;
    let c = broker.share_fetch(t(10), cleo, 2)?;
    print_events(&mut broker, &names);

    println!("t=200ms: anna accepts both; ben accepts one and releases one; cleo is stuck");
    settle(&mut broker, t(200), anna, &a, AcknowledgeType::Accept)?;
    settle(&mut broker, t(200), ben, &b[..1], AcknowledgeType::Accept)?;
    settle(&mut broker, t(200), ben, &b[1..], AcknowledgeType::Release)?;
    print_events(&mut broker, &names);

    println!("t=300ms: anna fetches again: the released record first, then new ones");
    let a = broker.share_fetch(t(300), anna, 3)?;
    print_events(&mut broker, &names);
    println!("t=400ms: anna rejects a poison order, accepts the rest");
    settle(&mut broker, t(400), anna, &a[..1], AcknowledgeType::Reject)?;
    settle(&mut broker, t(400), anna, &a[1..], AcknowledgeType::Accept)?;
    print_events(&mut broker, &names);

    println!("t=1010ms: cleo's locks expire (handle_timeout)");
    broker.handle_timeout(t(1_010));
    print_events(&mut broker, &names);
    println!("t=1020ms: ben fetches cleo's records, delivery 2");
    let b = broker.share_fetch(t(1_020), ben, 4)?;
    print_events(&mut broker, &names);
    println!("t=1100ms: cleo wakes up and accepts what it held: too late");
    for r in &c {
        if let Err(e) = broker.share_acknowledge(
            t(1_100),
            cleo,
            r.record.partition,
            r.record.offset,
            AcknowledgeType::Accept,
        ) {
            println!(
                "  cleo     cannot accept orders/{}@{}: {e}",
                r.record.partition.partition,
                r.record.offset.get()
            );
        }
    }
    println!("t=1200ms: ben crashes holding them");
    broker.crash_share_member(t(1_200), ben)?;
    print_events(&mut broker, &names);
    println!(
        "t=1300ms: anna takes them (delivery 3), accepts one and releases the other: \
         released at the limit, it is archived"
    );
    let a = broker.share_fetch(t(1_300), anna, 10)?;
    settle(
        &mut broker,
        t(1_300),
        anna,
        &a[..1],
        AcknowledgeType::Accept,
    )?;
    settle(
        &mut broker,
        t(1_300),
        anna,
        &a[1..],
        AcknowledgeType::Release,
    )?;
    print_events(&mut broker, &names);
    drop(b);

    let group = broker.share_group_id("fulfilment").ok_or("no group")?;
    for p in broker.share_member_partitions(anna).unwrap_or_default() {
        if let Some(sp) = broker.share_partition(group, p) {
            println!(
                "orders/{}: start {}, end {}, {} in flight",
                p.partition,
                sp.start().get(),
                sp.end().get(),
                sp.in_flight()
            );
        }
    }
    Ok(())
}
