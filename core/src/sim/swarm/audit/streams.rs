//! The stream account: each partition's log as appends and retention moved it. Offsets must
//! be dense from 0; retention may only move the start forward, by the count it reports, and
//! must leave the log within its bounds; every record, once read back, must read the same
//! forever (message, timestamp, key and payload, by a fingerprint); the broker's bounds and
//! byte count must match.
//!
//! Records are read back at the end of the step they were appended in; after that a rotating
//! sample of a few records per partition per step is read again, and all of them after a
//! restart.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::violation::{Rule, Violation};
use crate::event::Event;
use crate::ids::{MessageId, Offset, StreamId};
use crate::sim::scenario::RetentionSpec;
use crate::storage::Storage;
use crate::stream::StreamPartition;

/// What a record looked like when first read: its fingerprint and size (key plus payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Print {
    pub(super) message: MessageId,
    pub(super) at: u64,
    pub(super) digest: Option<(u64, u64)>,
}

/// One partition's log.
#[derive(Debug, Clone, Default)]
pub(super) struct Part {
    pub(super) start: u64,
    /// Every offset's record, from 0 (`prints.len()` is the end).
    pub(super) prints: Vec<Print>,
    /// Where the rotating re-read goes next.
    cursor: u64,
}

impl Part {
    pub(super) fn end(&self) -> u64 {
        self.prints.len() as u64
    }
}

/// Every partition, and each stream's retention.
#[derive(Debug, Clone, Default)]
pub(super) struct Streams {
    pub(super) parts: BTreeMap<StreamPartition, Part>,
    pub(super) retention: BTreeMap<StreamId, RetentionSpec>,
    pub(super) counts: BTreeMap<StreamId, u32>,
    /// This step's retention moves: partition, new start, end then, time.
    moved: Vec<(StreamPartition, u64, u64, u64)>,
}

fn v(rule: Rule, now: u64, detail: String) -> Violation {
    Violation::new(rule, now, detail)
}

/// FNV-1a over the key (with a marker for none) and the payload.
fn fingerprint(key: Option<&[u8]>, payload: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    let mut eat = |b: u8| h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    match key {
        Some(k) => {
            eat(1);
            k.iter().for_each(|&b| eat(b));
        }
        None => eat(0),
    }
    eat(0xff);
    payload.iter().for_each(|&b| eat(b));
    h
}

impl Streams {
    /// The partition's end (records ever appended), if it exists.
    pub(super) fn end(&self, p: StreamPartition) -> Option<u64> {
        self.parts.get(&p).map(Part::end)
    }

    /// The partition's start, if it exists.
    pub(super) fn start(&self, p: StreamPartition) -> Option<u64> {
        self.parts.get(&p).map(|x| x.start)
    }

    fn grow<S: Storage>(&mut self, cx: &Ctx<'_, S>, stream: StreamId, partitions: u32) {
        let old = self.counts.get(&stream).copied().unwrap_or(0);
        for p in old..partitions {
            self.parts
                .insert(StreamPartition::new(stream, p), Part::default());
        }
        self.counts.insert(stream, partitions.max(old));
        let name = cx.broker.stream_name(stream).unwrap_or_default();
        self.retention.insert(stream, cx.specs.retention(name));
    }

    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        e: &Event,
    ) -> Result<(), Violation> {
        let now = cx.now;
        match *e {
            Event::StreamDeclared { stream, partitions } => self.grow(cx, stream, partitions),
            Event::PartitionsAdded { stream, partitions } => {
                let old = self.counts.get(&stream).copied().unwrap_or(0);
                if partitions <= old {
                    return Err(v(
                        Rule::StreamOffsets,
                        now,
                        format!("partitions added, yet the count went from {old} to {partitions}"),
                    ));
                }
                self.grow(cx, stream, partitions);
            }
            Event::Appended {
                message,
                partition,
                offset,
            } => {
                let Some(part) = self.parts.get_mut(&partition) else {
                    return Err(v(
                        Rule::StreamOffsets,
                        now,
                        format!(
                            "{message} appended to {}, which does not exist",
                            cx.partition(partition)
                        ),
                    )
                    .message(message));
                };
                if offset.0 != part.end() {
                    return Err(v(
                        Rule::StreamOffsets,
                        now,
                        format!(
                            "{message} appended at offset {} of {}; the next offset is {}",
                            offset.0,
                            cx.partition(partition),
                            part.end()
                        ),
                    )
                    .message(message)
                    .entity(cx.partition(partition)));
                }
                part.prints.push(Print {
                    message,
                    at: now,
                    digest: None,
                });
            }
            Event::RetentionApplied {
                partition,
                start,
                dropped,
                ..
            } => {
                let Some(part) = self.parts.get_mut(&partition) else {
                    return Err(v(
                        Rule::StreamRetention,
                        now,
                        format!(
                            "retention applied to {}, which does not exist",
                            cx.partition(partition)
                        ),
                    ));
                };
                if start.0 <= part.start || start.0 != part.start + dropped || start.0 > part.end()
                {
                    return Err(v(
                        Rule::StreamRetention,
                        now,
                        format!(
                            "retention moved {} from {} to {} reporting {dropped} removed \
                             (end {})",
                            cx.partition(partition),
                            part.start,
                            start.0,
                            part.end()
                        ),
                    )
                    .entity(cx.partition(partition)));
                }
                part.start = start.0;
                self.moved.push((partition, start.0, part.end(), now));
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads record `o` of `p` back and compares it with what it was; the first read sets
    /// the fingerprint.
    fn reread<S: Storage>(
        cx: &Ctx<'_, S>,
        p: StreamPartition,
        o: u64,
        print: &mut Print,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let Some(r) = cx.broker.stream_record(p, Offset(o)) else {
            return Err(v(
                Rule::StreamRetention,
                now,
                format!(
                    "offset {o} of {} is within the log but cannot be read",
                    cx.partition(p)
                ),
            )
            .message(print.message)
            .entity(cx.partition(p)));
        };
        let key = r.key.as_ref().map(|k| k.as_bytes());
        let size = r.payload.len() as u64 + key.map_or(0, |k| k.len() as u64);
        let digest = (fingerprint(key, r.payload.as_bytes()), size);
        if r.message != print.message
            || r.timestamp.as_millis() != print.at
            || print.digest.is_some_and(|d| d != digest)
        {
            return Err(v(
                Rule::StreamRecords,
                now,
                format!(
                    "offset {o} of {} changed: {} at {} ms, was {} at {} ms (same bytes: {})",
                    cx.partition(p),
                    r.message,
                    r.timestamp.as_millis(),
                    print.message,
                    print.at,
                    print.digest.is_none_or(|d| d == digest)
                ),
            )
            .message(print.message)
            .entity(cx.partition(p)));
        }
        print.digest = Some(digest);
        Ok(())
    }

    /// Retention removed no more than it had to: the last record it removed still broke a
    /// bound when it went (too many records, too many bytes, too old). A size not known (a
    /// record removed in the step that appended it) counts as breaking the byte bound.
    fn check_moves<S: Storage>(&mut self, cx: &Ctx<'_, S>) -> Result<(), Violation> {
        for (p, start, end, at) in core::mem::take(&mut self.moved) {
            let (Some(part), Some(r)) = (self.parts.get(&p), self.retention.get(&p.stream)) else {
                continue;
            };
            let Some(last) = part.prints.get(start as usize - 1) else {
                continue;
            };
            let kept = part
                .prints
                .get(start as usize - 1..end as usize)
                .unwrap_or_default();
            let bytes: Option<u64> = kept.iter().map(|x| x.digest.map(|d| d.1)).sum();
            let needed = r.max_records.is_some_and(|m| end - (start - 1) > m)
                || r.max_bytes.is_some_and(|m| bytes.is_none_or(|b| b > m))
                || r.max_age_ms
                    .is_some_and(|age| last.at.saturating_add(age) <= at);
            if !needed {
                return Err(v(
                    Rule::StreamRetention,
                    at,
                    format!(
                        "retention moved the start of {} to {start} (end {end}), removing {} \
                         which broke none of {r:?}",
                        cx.partition(p),
                        last.message
                    ),
                )
                .message(last.message)
                .entity(cx.partition(p)));
            }
        }
        Ok(())
    }

    /// Reads back what the step appended and a rotating sample (everything with `all`),
    /// and checks bounds, bytes and retention against the broker.
    pub(super) fn end_step<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        all: bool,
    ) -> Result<(), Violation> {
        let now = cx.now;
        // Read what was appended first, so that the sizes retention needs are known.
        for (&p, part) in &mut self.parts {
            let start = part.start;
            for o in start..part.end() {
                let print = &mut part.prints[o as usize];
                if print.digest.is_none() {
                    Self::reread(cx, p, o, print)?;
                }
            }
        }
        self.check_moves(cx)?;
        for (&p, part) in &mut self.parts {
            let name = || cx.partition(p);
            let Some(stats) = cx.broker.partition_stats(p) else {
                return Err(v(
                    Rule::StreamOffsets,
                    now,
                    format!("{} is gone from the broker", name()),
                ));
            };
            let end = part.end();
            if stats.bounds.start.0 != part.start || stats.bounds.end.0 != end {
                return Err(v(
                    Rule::StreamRetention,
                    now,
                    format!(
                        "{}: the broker holds {}..{}, the account {}..{end}",
                        name(),
                        stats.bounds.start.0,
                        stats.bounds.end.0,
                        part.start
                    ),
                )
                .entity(name()));
            }
            if part.start > 0 && cx.broker.stream_record(p, Offset(part.start - 1)).is_some() {
                return Err(v(
                    Rule::StreamRetention,
                    now,
                    format!(
                        "{}: offset {} is before the start and still readable",
                        name(),
                        part.start - 1
                    ),
                )
                .entity(name()));
            }
            let start = part.start;
            for o in start..end {
                let print = &mut part.prints[o as usize];
                if all || print.digest.is_none() {
                    Self::reread(cx, p, o, print)?;
                }
            }
            if !all && start < end {
                for _ in 0..2 {
                    part.cursor = part.cursor.clamp(start, end - 1);
                    let o = part.cursor;
                    Self::reread(cx, p, o, &mut part.prints[o as usize])?;
                    part.cursor = if o + 1 >= end { start } else { o + 1 };
                }
            }
            let bytes: u64 = part.prints[start as usize..]
                .iter()
                .map(|x| x.digest.map_or(0, |d| d.1))
                .sum();
            if bytes != stats.bytes {
                return Err(v(
                    Rule::StreamRetention,
                    now,
                    format!(
                        "{}: the broker counts {} bytes, the records hold {bytes}",
                        name(),
                        stats.bytes
                    ),
                )
                .entity(name()));
            }
            let r = self.retention.get(&p.stream).copied().unwrap_or_default();
            let count = end - start;
            // Retention by age (and any retention after a restart) waits for the broker's
            // next deadline, which must then be due.
            let woken = cx
                .broker
                .poll_timeout()
                .is_some_and(|t| t.as_millis() <= now);
            let too_old = !woken
                && r.max_age_ms.is_some_and(|age| {
                    part.prints
                        .get(start as usize)
                        .is_some_and(|x| x.at.saturating_add(age) <= now)
                });
            let over =
                r.max_records.is_some_and(|m| count > m) || r.max_bytes.is_some_and(|m| bytes > m);
            if (over && !woken) || too_old {
                return Err(v(
                    Rule::StreamRetention,
                    now,
                    format!(
                        "{} keeps {count} records, {bytes} bytes, the oldest from {:?} ms, beyond \
                         its retention {r:?}",
                        name(),
                        part.prints.get(start as usize).map(|x| x.at)
                    ),
                )
                .entity(name()));
            }
        }
        Ok(())
    }
}
