//! The transcript commands for streams and consumer groups (see `mod.rs` for the language).
//!
//! A stream partition is written `STREAM/P` (`orders/0`), a commit `STREAM/P@OFFSET`
//! (`orders/0@2`), a stream consumer by its name (a standalone consumer) or `GROUP/MEMBER` (a
//! group member). Unknown names resolve to ids no broker hands out, so the broker's own error
//! shows in the transcript.

use std::fmt::Write as _;

use brokerlab::assign::Assignor;
use brokerlab::{
    Broker, Duration, Error, GroupConfig, HeartbeatReply, Instant, Offset, OffsetReset, Partition,
    Retention, SeekTo, Storage, StreamConfig, StreamConsumerConfig, StreamConsumerId, StreamId,
    StreamPartition,
};

use super::{num, opt};

/// A partition `STREAM/P` by the stream's name.
fn partition<S: Storage>(broker: &Broker<S>, s: &str) -> StreamPartition {
    let (stream, p) = s.rsplit_once('/').expect("STREAM/PARTITION");
    let id = broker.stream_id(stream).unwrap_or(StreamId(u32::MAX));
    StreamPartition::new(id, p.parse().expect("partition number"))
}

/// A partition and offset `STREAM/P@OFFSET`.
fn partition_offset<S: Storage>(broker: &Broker<S>, s: &str) -> (StreamPartition, Offset) {
    let (sp, o) = s.split_once('@').expect("STREAM/PARTITION@OFFSET");
    (partition(broker, sp), Offset(o.parse().expect("offset")))
}

/// A standalone consumer by name, or a group member as `GROUP/MEMBER`.
fn consumer<S: Storage>(broker: &Broker<S>, s: &str) -> StreamConsumerId {
    match s.split_once('/') {
        Some((group, member)) => broker.group_member(group, member),
        None => broker.stream_consumer_id(s),
    }
    .unwrap_or(StreamConsumerId(u32::MAX))
}

fn reset(args: &[&str]) -> Option<OffsetReset> {
    opt(args, "reset").map(|r| match r {
        "earliest" => OffsetReset::Earliest,
        "latest" => OffsetReset::Latest,
        "none" => OffsetReset::None,
        other => panic!("unknown reset {other}"),
    })
}

fn assignor(name: &str) -> Assignor {
    Assignor::ALL
        .into_iter()
        .find(|a| a.name() == name)
        .unwrap_or_else(|| panic!("unknown assignor {name}"))
}

fn seek_to(s: &str) -> SeekTo {
    match s {
        "beginning" => SeekTo::Beginning,
        "end" => SeekTo::End,
        _ => match (s.strip_prefix('@'), s.strip_prefix("t=")) {
            (Some(o), _) => SeekTo::Offset(Offset(o.parse().expect("offset"))),
            (_, Some(ms)) => SeekTo::Timestamp(Instant::from_millis(ms.parse().expect("ms"))),
            _ => panic!("seek to beginning, end, @OFFSET or t=MS, not {s}"),
        },
    }
}

fn or_none<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

/// Runs a stream or group command; `Ok(false)` if `w[0]` is not one.
pub(super) fn exec<S: Storage>(
    broker: &mut Broker<S>,
    now: Instant,
    w: &[&str],
    out: &mut String,
) -> Result<bool, Error> {
    match w[0] {
        "stream" => {
            let mut retention = Retention::default();
            if let Some(n) = num(w, "max_records") {
                retention = retention.with_max_records(n);
            }
            if let Some(n) = num(w, "max_bytes") {
                retention = retention.with_max_bytes(n);
            }
            if let Some(n) = num(w, "max_age") {
                retention = retention.with_max_age(Duration::from_millis(n));
            }
            let partitions = num(w, "partitions").unwrap_or(1) as u32;
            broker.declare_stream(
                now,
                w[1],
                StreamConfig::new(partitions).with_retention(retention),
            )?;
        }
        "add-partitions" => {
            let n = broker.add_partitions(now, w[1], w[2].parse().expect("count"))?;
            writeln!(out, "  = {n}").unwrap();
        }
        "produce" => {
            let key = opt(w, "key").map(str::as_bytes);
            match num(w, "partition") {
                Some(p) => broker.produce_to(now, w[1], Partition(p as u32), key, w[2])?,
                None => broker.produce(now, w[1], key, w[2])?,
            };
        }
        "stream-consumer" => {
            let mut cfg = StreamConsumerConfig::default();
            if let Some(r) = reset(w) {
                cfg = cfg.with_auto_offset_reset(r);
            }
            broker.stream_consumer(now, w[1], w[2], cfg)?;
        }
        "close" => broker.close_stream_consumer(now, consumer(broker, w[1]))?,
        "poll" => {
            let max = num(w, "max").unwrap_or(100) as usize;
            for r in broker.poll(now, consumer(broker, w[1]), max)? {
                write!(
                    out,
                    "  = {}{} {} {:?}",
                    r.partition, r.offset, r.message, r.payload
                )
                .unwrap();
                if let Some(k) = &r.key {
                    write!(out, " key={k:?}").unwrap();
                }
                if r.redelivered {
                    write!(out, " redelivered").unwrap();
                }
                writeln!(out).unwrap();
            }
        }
        "seek" => {
            let c = consumer(broker, w[1]);
            let sp = partition(broker, w[2]);
            let o = broker.seek(now, c, sp, seek_to(w[3]))?;
            writeln!(out, "  = {o}").unwrap();
        }
        "position" => {
            let p = broker.position(consumer(broker, w[1]), partition(broker, w[2]));
            writeln!(out, "  = {}", or_none(p)).unwrap();
        }
        "assigned" => {
            let parts = broker.assigned_partitions(consumer(broker, w[1]));
            let parts: Vec<String> = parts.iter().map(ToString::to_string).collect();
            writeln!(out, "  = [{}]", parts.join(" ")).unwrap();
        }
        "stats" => match broker.partition_stats(partition(broker, w[1])) {
            Some(s) => writeln!(
                out,
                "  = {}..{} bytes={} oldest={}",
                s.bounds.start,
                s.bounds.end,
                s.bytes,
                or_none(s.oldest)
            )
            .unwrap(),
            None => writeln!(out, "  = unknown").unwrap(),
        },
        "join" => {
            let mut cfg = GroupConfig::default();
            if let Some(a) = opt(w, "assignor") {
                cfg = cfg.with_assignor(assignor(a));
            }
            if let Some(ms) = num(w, "session") {
                cfg = cfg.with_session_timeout(Duration::from_millis(ms));
            }
            if let Some(r) = reset(w) {
                cfg = cfg.with_auto_offset_reset(r);
            }
            let streams: Vec<&str> = w[3].split(',').collect();
            broker.join_group(now, w[1], w[2], &streams, cfg)?;
        }
        "leave" => broker.leave_group(now, w[1], w[2])?,
        "rejoin" => {
            // A classic member learns of the rebalance from its heartbeat and rejoins with
            // its next poll.
            let reply = broker.heartbeat(now, w[1], w[2])?;
            writeln!(out, "  = {reply:?}").unwrap();
            let id = broker.group_member(w[1], w[2]).expect("a member");
            broker.poll(now, id, 0)?;
        }
        "heartbeat" => {
            let reply = broker.heartbeat(now, w[1], w[2])?;
            if reply != HeartbeatReply::Ok {
                writeln!(out, "  = {reply:?}").unwrap();
            }
        }
        "commit" => {
            let generation = w[3].parse().expect("generation");
            let offsets: Vec<(StreamPartition, Offset)> =
                w[4..].iter().map(|s| partition_offset(broker, s)).collect();
            broker.commit(now, w[1], w[2], generation, &offsets)?;
        }
        "commit-positions" => {
            broker.commit_positions(now, w[1], w[2])?;
        }
        "lag" => {
            let sp = partition(broker, w[2]);
            let lag = broker.group_id(w[1]).and_then(|g| broker.lag(g, sp));
            writeln!(out, "  = {}", or_none(lag)).unwrap();
        }
        "committed" => {
            let sp = partition(broker, w[2]);
            let c = broker.group_id(w[1]).and_then(|g| broker.committed(g, sp));
            writeln!(out, "  = {}", or_none(c)).unwrap();
        }
        _ => return Ok(false),
    }
    Ok(true)
}
