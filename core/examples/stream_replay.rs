//! Pattern D, a log with offsets: one consumer reads live while another replays the stream
//! from offset 0 and reads the identical records; retention, not reading, removes records.
//!
//! Run: `cargo run -p brokerlab --example stream_replay`

use brokerlab::{
    Broker, Instant, Offset, OffsetReset, Retention, SeekTo, StreamConfig, StreamConsumerConfig,
    StreamConsumerId, StreamRecord,
};

fn show(broker: &Broker, who: StreamConsumerId, records: &[StreamRecord]) {
    let name = broker.stream_consumer_name(who).unwrap_or("?");
    for r in records {
        let stream = broker.stream_name(r.partition.stream).unwrap_or("?");
        println!(
            "   {name:<8} read {stream}/{} offset {} (t={}ms) {:?}{}",
            r.partition.partition,
            r.offset.get(),
            r.timestamp.as_millis(),
            r.payload,
            if r.redelivered { "  (again)" } else { "" }
        );
    }
}

fn main() -> Result<(), brokerlab::Error> {
    let mut broker = Broker::default();
    let t = Instant::from_millis;
    let cfg = StreamConfig::new(1).with_retention(Retention::default().with_max_records(8));
    broker.declare_stream(t(0), "clicks", cfg)?;
    let live = broker.stream_consumer(t(0), "clicks", "live", StreamConsumerConfig::default())?;

    println!("-- produce 5 clicks; the live consumer reads as they arrive");
    for i in 0..5 {
        broker.produce(t(10 * i), "clicks", None, format!("click {i}"))?;
        let got = broker.poll(t(10 * i), live, 10)?;
        show(&broker, live, &got);
    }

    println!("-- a replay consumer joins later and starts from offset 0");
    let replay_cfg = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    let replay = broker.stream_consumer(t(50), "clicks", "replay", replay_cfg)?;
    let replayed = broker.poll(t(50), replay, 100)?;
    show(&broker, replay, &replayed);

    println!("-- the live consumer seeks back to t=20ms and reads the same records again");
    let part = broker.assigned_partitions(live)[0];
    broker.seek(t(50), live, part, SeekTo::Timestamp(t(20)))?;
    let again = broker.poll(t(50), live, 100)?;
    show(&broker, live, &again);
    assert!(
        again
            .iter()
            .zip(&replayed[2..])
            .all(|(a, b)| a.payload == b.payload && a.offset == b.offset)
    );

    println!("-- 6 more clicks: retention keeps 8 records, so the log start moves");
    for i in 5..11 {
        broker.produce(t(100 + i), "clicks", None, format!("click {i}"))?;
    }
    let stats = broker.partition_stats(part).unwrap();
    println!(
        "   clicks/0 holds offsets {}..{} ({} bytes)",
        stats.bounds.start.get(),
        stats.bounds.end.get(),
        stats.bytes
    );
    println!(
        "-- replay from 0 again: offsets below the log start are gone, earliest reset applies"
    );
    broker.seek(t(120), replay, part, SeekTo::Offset(Offset(0)))?;
    let after = broker.poll(t(120), replay, 100)?;
    show(&broker, replay, &after);

    println!("-- the events of the reads (names: sc1 = live, sc2 = replay)");
    while let Some(e) = broker.poll_event() {
        if matches!(
            e,
            brokerlab::Event::Polled { .. }
                | brokerlab::Event::Seeked { .. }
                | brokerlab::Event::OffsetReset { .. }
        ) {
            println!("   {e}");
        }
    }
    Ok(())
}
