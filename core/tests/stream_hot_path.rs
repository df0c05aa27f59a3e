//! The stream and group hot path keeps its contracts: commits are persisted in storage
//! metadata under `group/<group>/<stream>/<partition>`, keyed records read back with their
//! keys however many keys share the key-metadata cache, and `poll_into` (and
//! `poll_positions_into`) read exactly what `poll` reads. Runs on both storage backends
//! (`memory::*` over `MemoryStorage`, `file::*` over `FileStorage`; see
//! `support/backend.rs`).

#[path = "support/backend.rs"]
mod backend;

use backend::Backend;
use brokerlab::storage::Storage;
use brokerlab::{Broker, Error, GroupConfig, Instant, Limits, Offset, OffsetReset, StreamConfig};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn commits_are_persisted_under_their_metadata_key<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "orders", StreamConfig::new(2))?;
    let cfg = GroupConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
    b.join_group(t(0), "billing", "m1", &["orders"], cfg)?;
    for i in 0..6u8 {
        b.produce(t(1), "orders", Some(&[i]), "x")?;
    }
    let g = b.group_id("billing").expect("the group exists");
    let generation = b.group_generation(g).unwrap_or(0);
    for (p, o) in [(0, 1), (1, 2), (0, 3), (1, 2)] {
        let sp = brokerlab::StreamPartition::new(s, p);
        b.commit(t(2), "billing", "m1", generation, &[(sp, Offset(o))])?;
    }
    let meta = |key: &str| b.storage().get_meta(key).ok().flatten();
    assert_eq!(
        meta("group/billing/orders/0"),
        Some(3u64.to_le_bytes().to_vec())
    );
    assert_eq!(
        meta("group/billing/orders/1"),
        Some(2u64.to_le_bytes().to_vec())
    );
    Ok(())
}

fn keyed_records_keep_their_keys_through_the_key_cache<S: Storage>(
    b: &mut Broker<S>,
) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "events", StreamConfig::new(1))?;
    let c = b.stream_consumer(
        t(0),
        "events",
        "reader",
        brokerlab::StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest),
    )?;
    // Far more keys than cache slots, each produced twice, and some keyless records between.
    let keys: Vec<String> = (0..300).map(|i| format!("key-{i}")).collect();
    for round in 0..2 {
        for (i, k) in keys.iter().enumerate() {
            b.produce(t(round), "events", Some(k.as_bytes()), "v")?;
            if i % 7 == 0 {
                b.produce(t(round), "events", None, "keyless")?;
            }
        }
    }
    let records = b.poll(t(3), c, usize::MAX)?;
    let mut expected: Vec<Option<&[u8]>> = Vec::new();
    for _ in 0..2 {
        for (i, k) in keys.iter().enumerate() {
            expected.push(Some(k.as_bytes()));
            if i % 7 == 0 {
                expected.push(None);
            }
        }
    }
    let got: Vec<Option<&[u8]>> = records.iter().map(|r| r.key.as_deref()).collect();
    assert_eq!(got, expected);
    let sp = brokerlab::StreamPartition::new(s, 0);
    assert_eq!(
        b.stream_record(sp, Offset(0)).and_then(|r| r.key),
        Some("key-0".into())
    );
    Ok(())
}

/// Drives three brokers through the same calls, one reading with `poll`, one with `poll_into`
/// into a buffer it keeps and one with `poll_positions_into`; all must read the same records
/// (positions) and emit the same events.
fn poll_into_reads_and_reports_exactly_what_poll_does<S: Backend>() {
    let (one, _one_dir) = S::fresh("poll");
    let (two, _two_dir) = S::fresh("poll_into");
    let (three, _three_dir) = S::fresh("poll_positions_into");
    let mut brokers = [Broker::new(one), Broker::new(two), Broker::new(three)];
    poll_into_matches_poll(&mut brokers).unwrap_or_else(|e| panic!("{}: {e}", S::NAME));
    for b in brokers {
        backend::restart_and_compare(b, Limits::default());
    }
}

fn poll_into_matches_poll<S: Storage>([one, two, three]: &mut [Broker<S>; 3]) -> Result<(), Error> {
    use brokerlab::{
        Event, PollError, PolledPosition, SeekTo, StreamConsumerConfig, StreamPartition,
    };

    fn setup<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
        b.declare_stream(t(0), "s", StreamConfig::new(3))?;
        let cfg = GroupConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
        b.join_group(t(0), "g", "a", &["s"], cfg)?;
        b.stream_consumer(
            t(0),
            "s",
            "solo",
            StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::None),
        )?;
        Ok(())
    }
    fn events<S: Storage>(b: &mut Broker<S>) -> Vec<Event> {
        core::iter::from_fn(|| b.poll_event()).collect()
    }

    setup(one)?;
    setup(two)?;
    setup(three)?;
    let a = one.group_member("g", "a").expect("member a");
    let solo = one.stream_consumer_id("solo").expect("solo");
    let mut buf = vec![];
    let mut positions = vec![];
    for step in 0..40u64 {
        for b in [&mut *one, &mut *two, &mut *three] {
            for k in 0..(step % 5) {
                let key = [(step * 7 + k) as u8];
                b.produce(t(step), "s", Some(&key), "v")?;
            }
            if step == 10 {
                b.join_group(t(step), "g", "b", &["s"], GroupConfig::default())?;
            }
            if step == 20 {
                b.leave_group(t(step), "g", "b")?;
                b.seek(
                    t(step),
                    a,
                    StreamPartition::new(brokerlab::StreamId(1), 0),
                    SeekTo::Beginning,
                )?;
            }
            if step == 30 {
                b.seek_all(t(step), solo, SeekTo::Offset(Offset(1)))?;
            }
        }
        for consumer in [a, solo] {
            let max = (step % 4) as usize * 3;
            let want = one.poll(t(step), consumer, max);
            buf.truncate(1);
            let kept = buf.clone();
            let got = two.poll_into(t(step), consumer, max, &mut buf);
            positions.clear();
            let got_positions = three.poll_positions_into(t(step), consumer, max, &mut positions);
            match (&want, got_positions) {
                (Ok(records), Ok(n)) => {
                    assert_eq!(n, records.len());
                    let from_records: Vec<PolledPosition> = records
                        .iter()
                        .map(|r| PolledPosition {
                            partition: r.partition,
                            offset: r.offset,
                            redelivered: r.redelivered,
                        })
                        .collect();
                    assert_eq!(positions, from_records);
                }
                (Err(e), Err(f)) => assert_eq!(*e, f),
                (want, got) => panic!("poll gave {want:?}, poll_positions_into {got:?}"),
            }
            match (want, got) {
                (Ok(records), Ok(n)) => {
                    assert_eq!(n, records.len());
                    assert_eq!(&buf[..kept.len()], &kept[..]);
                    assert_eq!(&buf[kept.len()..], &records[..]);
                }
                (Err(e), Err(f)) => {
                    assert_eq!(e, f);
                    assert!(matches!(e, PollError::NoOffset(_)));
                    assert_eq!(buf, kept, "an error leaves the buffer as it was");
                }
                (want, got) => panic!("poll gave {want:?}, poll_into {got:?}"),
            }
            if buf.is_empty() {
                buf.extend(one.poll(t(step), a, 1)?);
                two.poll(t(step), a, 1)?;
                three.poll(t(step), a, 1)?;
            }
        }
        let expected = events(one);
        assert_eq!(expected, events(two), "step {step}");
        assert_eq!(expected, events(three), "step {step}");
    }
    Ok(())
}

on_every_backend! {
    broker:
        commits_are_persisted_under_their_metadata_key,
        keyed_records_keep_their_keys_through_the_key_cache;
    generic: poll_into_reads_and_reports_exactly_what_poll_does;
}
