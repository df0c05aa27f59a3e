//! Producers: the per-producer state (rate, arrival process, scripted times and bursts,
//! keys, templates, seeded [`Rng`]) and how the [`Simulation`] publishes what is due.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::Broker;
use crate::ids::{MessageId, StreamId};
use crate::message::{Payload, Publish};
use crate::sim::metrics::SimProducerId;
use crate::sim::rng::{Rng, Skewed};
use crate::sim::scenario::{ArrivalSpec, KeySpec, TargetSpec};
use crate::storage::Storage;
use crate::time::Instant;

use super::events::SimNote;
use super::template::{Piece, parse_template, render, render_string};
use super::{NS_PER_MS, Simulation};

/// How many recent messages' key hashes [`Simulation::message_key_hash`] answers for.
pub const KEYS_KEPT: usize = 4096;
/// One producer: what it publishes where, when it is next due, and its own [`Rng`].
#[derive(Clone, Debug)]
pub(super) struct Producer {
    pub(super) name: String,
    pub(super) target: TargetSpec,
    /// The target stream's id, resolved once (streams are declared at setup only).
    pub(super) stream: Option<StreamId>,
    pub(super) rate: u32,
    pub(super) arrival: ArrivalSpec,
    pub(super) stop_ns: u64,
    /// The next rate-driven arrival, in nanoseconds (`u64::MAX`: none).
    pub(super) next_ns: u64,
    pub(super) times: Vec<u64>,
    pub(super) next_time: usize,
    pub(super) bursts: Vec<(u64, u32)>,
    pub(super) next_burst: usize,
    pub(super) keys: KeySpec,
    /// `{prefix}{i}` for `uniform` and `skewed` keys, built once.
    pub(super) key_names: Vec<String>,
    pub(super) skew: Option<Skewed>,
    pub(super) rr: usize,
    pub(super) payload: Vec<Piece>,
    pub(super) routing: Vec<Piece>,
    pub(super) seq: u64,
    pub(super) rng: Rng,
}

impl Producer {
    pub(super) fn gap_ns(&mut self) -> u64 {
        if self.rate == 0 {
            return u64::MAX;
        }
        let mean = 1_000_000_000 / u64::from(self.rate);
        match self.arrival {
            ArrivalSpec::Regular => mean,
            ArrivalSpec::Poisson => self.rng.exponential(mean),
        }
    }

    pub(super) fn due_ms(&self) -> Option<u64> {
        let rate = (self.next_ns < self.stop_ns).then(|| self.next_ns.div_ceil(NS_PER_MS));
        let time = self.times.get(self.next_time).copied();
        let burst = self.bursts.get(self.next_burst).map(|b| b.0);
        [rate, time, burst].into_iter().flatten().min()
    }

    fn key(&mut self, buf: &mut String) {
        buf.clear();
        match &self.keys {
            KeySpec::None => {}
            KeySpec::Fixed(k) => buf.push_str(k),
            KeySpec::RoundRobin(keys) => {
                if let Some(k) = keys.get(self.rr % keys.len().max(1)) {
                    buf.push_str(k);
                }
                self.rr = self.rr.wrapping_add(1);
            }
            KeySpec::Uniform { count, .. } => {
                let i = self.rng.below(u64::from(*count)) as usize;
                buf.push_str(self.key_names.get(i).map_or("", String::as_str));
            }
            KeySpec::Skewed { .. } => {
                let i = self.skew.as_ref().map_or(0, |s| s.sample(&mut self.rng)) as usize;
                buf.push_str(self.key_names.get(i).map_or("", String::as_str));
            }
        }
    }
}

/// The parsed routing-key template of `target` (empty unless it is an exchange).
pub(super) fn routing_template(target: &TargetSpec) -> Vec<Piece> {
    match target {
        TargetSpec::Exchange { routing_key, .. } => parse_template(routing_key),
        _ => Vec::new(),
    }
}

/// Sends one message to `target`: the one publish path of producers and scripted publishes.
/// `routing_key` is called for exchanges only; `stream_key` is the record key for streams,
/// and `stream` the target stream's id when already resolved (else it is found by name).
pub(super) fn send<S: Storage>(
    broker: &mut Broker<S>,
    now: Instant,
    target: &TargetSpec,
    stream: Option<StreamId>,
    routing_key: impl FnOnce() -> String,
    stream_key: Option<&[u8]>,
    payload: impl Into<Payload>,
) -> Result<(), String> {
    match target {
        TargetSpec::Queue(q) => broker
            .publish(now, Publish::to_queue(q.as_str(), payload))
            .map(|_| ())
            .map_err(|e| e.to_string()),
        TargetSpec::Exchange { exchange, .. } => broker
            .publish(now, Publish::new(exchange.as_str(), routing_key(), payload))
            .map(|_| ())
            .map_err(|e| e.to_string()),
        TargetSpec::Stream(s) => match stream {
            Some(id) => broker.produce(now, id, stream_key, payload),
            None => broker.produce(now, s.as_str(), stream_key, payload),
        }
        .map(|_| ())
        .map_err(|e| e.to_string()),
    }
}

/// Publishes one message with headers to a queue or an exchange, or produces one record with
/// headers to a stream (keyed by `stream_key`).
pub(super) fn send_with_headers<S: Storage>(
    broker: &mut Broker<S>,
    now: Instant,
    target: &TargetSpec,
    routing_key: impl FnOnce() -> String,
    stream_key: Option<&[u8]>,
    payload: impl Into<Payload>,
    headers: &[(String, String)],
) -> Result<(), String> {
    let publish = match target {
        TargetSpec::Queue(q) => Publish::to_queue(q.as_str(), payload),
        TargetSpec::Exchange { exchange, .. } => {
            Publish::new(exchange.as_str(), routing_key(), payload)
        }
        TargetSpec::Stream(s) => {
            return broker
                .produce_with_headers(now, s.as_str(), stream_key, payload, headers.to_vec())
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
    };
    let publish = headers
        .iter()
        .fold(publish, |p, (k, v)| p.with_header(k.as_str(), v.as_str()));
    broker
        .publish(now, publish)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl<S: Storage> Simulation<S> {
    pub(super) fn produce_due(&mut self, p: usize, t: u64) {
        loop {
            let pr = &mut self.producers[p];
            let rate_due = pr.next_ns < pr.stop_ns && pr.next_ns.div_ceil(NS_PER_MS) <= t;
            if rate_due {
                let gap = pr.gap_ns();
                pr.next_ns = pr.next_ns.saturating_add(gap);
                self.publish_one(p, t);
                continue;
            }
            if pr.times.get(pr.next_time).is_some_and(|&x| x <= t) {
                pr.next_time += 1;
                self.publish_one(p, t);
                continue;
            }
            if let Some(&(at, count)) = pr.bursts.get(pr.next_burst)
                && at <= t
            {
                pr.next_burst += 1;
                for _ in 0..count {
                    self.publish_one(p, t);
                }
                continue;
            }
            break;
        }
    }

    fn publish_one(&mut self, p: usize, t: u64) {
        let mut payload = core::mem::take(&mut self.scratch);
        let mut key = core::mem::take(&mut self.key_buf);
        let pr = &mut self.producers[p];
        pr.key(&mut key);
        render(&mut payload, &pr.payload, pr.seq, &key, &pr.name, t);
        pr.seq += 1;
        let pr = &*pr;
        let stream_key = (!matches!(pr.keys, KeySpec::None)).then_some(key.as_bytes());
        let routing_key = || render_string(&pr.routing, pr.seq - 1, &key, &pr.name, t);
        let bytes = self.arena.alloc(&payload);
        let id = self.broker.next_message_id();
        let keyed = self.options.trace && !matches!(pr.keys, KeySpec::None);
        let logged = self.work_log.is_some().then(|| {
            let routing = (!pr.routing.is_empty())
                .then(|| render_string(&pr.routing, pr.seq - 1, &key, &pr.name, t));
            let record_key = (!matches!(pr.keys, KeySpec::None)).then(|| key.clone());
            (record_key, routing)
        });
        let result = send(
            &mut self.broker,
            self.now,
            &pr.target,
            pr.stream,
            routing_key,
            stream_key,
            bytes,
        );
        if keyed && result.is_ok() {
            self.remember_key(id, key.as_bytes());
        }
        #[cfg(feature = "stories")]
        if result.is_ok() && self.stories.is_some() {
            let pr = &self.producers[p];
            let routing = matches!(pr.target, TargetSpec::Exchange { .. })
                .then(|| render_string(&pr.routing, pr.seq - 1, &key, &pr.name, t));
            let name = pr.name.clone();
            self.story_published(id, Some(&name), routing);
        }
        if let (Ok(()), Some((key, routing_key))) = (&result, logged) {
            self.log_publish(id, key, routing_key);
        }
        self.scratch = payload;
        self.key_buf = key;
        self.after_publish(Some(SimProducerId(p as u32)), result);
    }

    /// Notes the key `message` was published with, for [`Simulation::message_key_hash`].
    pub(super) fn remember_key(&mut self, message: MessageId, key: &[u8]) {
        if self.message_keys.is_empty() {
            self.message_keys = alloc::vec![(MessageId(0), 0); KEYS_KEPT];
        }
        let hash = key.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        self.message_keys[(message.0 % KEYS_KEPT as u64) as usize] = (message, hash);
    }

    /// A hash (64-bit FNV-1a) of the key a recent message was published with: the record key
    /// or the producer key a routing key was made from. `None` for a message published
    /// without a key, or one of more than [`KEYS_KEPT`] messages ago, or without
    /// [`SimOptions::trace`](super::SimOptions::trace) (the fast mode records nothing it
    /// does not need). Meant for UIs that colour messages by key.
    #[must_use]
    pub fn message_key_hash(&self, message: MessageId) -> Option<u64> {
        let slot = self
            .message_keys
            .get((message.0 % KEYS_KEPT as u64) as usize)?;
        (slot.0 == message).then_some(slot.1)
    }

    pub(super) fn after_publish(
        &mut self,
        producer: Option<SimProducerId>,
        result: Result<(), String>,
    ) {
        // Any publish may append to a stream (and only then can a poll find more).
        self.appends += 1;
        match result {
            Ok(()) => self.totals.published += 1,
            Err(error) => {
                self.totals.publish_failed += 1;
                self.note(SimNote::PublishFailed { producer, error });
            }
        }
        self.drain();
    }
}
