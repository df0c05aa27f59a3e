//! The trace of a run: every event in order, with its time, and a stable 64-bit hash of it.
//!
//! The hash is FNV-1a (64-bit offset basis and prime) applied to 64-bit little-endian words
//! rather than single bytes. Each event is encoded as words: its time in milliseconds, a tag
//! (the [`EventKind`](crate::EventKind) number for broker events, `200 +` a number for
//! simulation notes), then every field as a `u64` (ids, offsets, counts, booleans as 0/1,
//! enum reasons as small numbers, `None` as a distinct marker) and byte strings as their
//! length followed by their bytes packed eight to a word. Nothing depends on `usize`,
//! pointers or floats, so the hash is the same natively and in WebAssembly.

use crate::event::{Event, TraceWords, WordSink};

use super::simulation::{SimEvent, SimEventKind, SimNote};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over 64-bit words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHasher {
    h: u64,
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher { h: FNV_OFFSET }
    }
}

impl TraceHasher {
    /// A hasher at the FNV offset basis.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Mixes one word.
    #[inline]
    pub fn word(&mut self, w: u64) {
        self.h = (self.h ^ w).wrapping_mul(FNV_PRIME);
    }

    /// Mixes a byte string: its length, then its bytes eight to a word (little-endian, the
    /// last word zero-padded).
    pub fn bytes(&mut self, b: &[u8]) {
        b.trace_words(self);
    }

    /// The hash so far.
    #[must_use]
    pub fn finish(&self) -> u64 {
        self.h
    }

    /// Mixes one simulation event.
    pub fn event(&mut self, e: &SimEvent) {
        self.word(e.at.as_millis());
        match &e.kind {
            SimEventKind::Broker(ev) => self.broker_event(ev),
            SimEventKind::Sim(note) => self.note(note),
        }
    }

    fn note(&mut self, n: &SimNote) {
        match n {
            SimNote::ConsumerCrashed { consumer } => {
                self.word(200);
                self.word(consumer.0.into());
            }
            SimNote::ConsumerRestarted { consumer } => {
                self.word(201);
                self.word(consumer.0.into());
            }
            SimNote::ConsumerAdded { consumer } => {
                self.word(202);
                self.word(consumer.0.into());
            }
            SimNote::ConsumerRemoved { consumer } => {
                self.word(203);
                self.word(consumer.0.into());
            }
            SimNote::RateChanged {
                producer,
                rate_per_sec,
            } => {
                self.word(204);
                self.word(producer.0.into());
                self.word((*rate_per_sec).into());
            }
            SimNote::PublishFailed { producer, error } => {
                self.word(205);
                producer.map(|p| p.0).trace_words(self);
                self.bytes(error.as_bytes());
            }
            SimNote::ConsumerFailed { consumer, error } => {
                self.word(206);
                self.word(consumer.0.into());
                self.bytes(error.as_bytes());
            }
            SimNote::StreamCommitted {
                consumer,
                partition,
                offset,
            } => {
                self.word(207);
                self.word(consumer.0.into());
                partition.trace_words(self);
                offset.trace_words(self);
            }
            SimNote::ActionFailed { error } => {
                self.word(208);
                self.bytes(error.as_bytes());
            }
            SimNote::BrokerRestarted => self.word(209),
        }
    }

    /// Mixes one broker event: its kind number, then its fields in order (the event table,
    /// `crate::event`).
    fn broker_event(&mut self, e: &Event) {
        e.trace_words(self);
    }
}

impl WordSink for TraceHasher {
    #[inline]
    fn word(&mut self, w: u64) {
        TraceHasher::word(self, w);
    }
}

#[cfg(test)]
mod samples;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_words_are_stable() {
        let mut h = TraceHasher::new();
        assert_eq!(h.finish(), FNV_OFFSET);
        h.word(0);
        assert_eq!(h.finish(), FNV_OFFSET.wrapping_mul(FNV_PRIME));
        let mut a = TraceHasher::new();
        a.bytes(b"abc");
        let mut b = TraceHasher::new();
        b.bytes(b"abc\0");
        assert_ne!(a.finish(), b.finish(), "the length is part of the encoding");
    }
}
