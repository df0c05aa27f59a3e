//! Messages in flight on the canvas. Each hop an event reports (published, routed, delivered,
//! dead-lettered, appended, read, received) becomes a dot that travels its edge in
//! [`FLIGHT_MS`] of wall-clock time. A message's next hop starts when its previous one
//! arrives, so a viewer can follow one message along its path. Dots are coloured by the key
//! the message was published with (the record key, or the producer key its routing key was
//! made from); a message without a key gets a colour of its own, shared by its copies.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use brokerlab::sim::{self, SimEvent, SimEventKind, Simulation};
use brokerlab::{Event, Offset, StreamPartition, Target};

use super::Entity;

/// Wall-clock milliseconds one hop takes on screen.
pub const FLIGHT_MS: f64 = 450.0;
/// Most dots on screen (the newest are kept).
pub const MAX_FLIGHTS: usize = 120;
/// Most records of one stream poll drawn as dots.
const DOTS_PER_POLL: u64 = 3;

/// One end of a hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hop {
    /// A node.
    Node(Entity),
    /// One partition row of a stream (where a group member's edge starts).
    Partition(String, u32),
}

impl Hop {
    /// The node this end is on, as [`Entity::key`] (a partition row is its stream).
    #[must_use]
    pub fn key(&self) -> String {
        match self {
            Hop::Node(e) => e.key(),
            Hop::Partition(stream, _) => Entity::Stream(stream.clone()).key(),
        }
    }
}

/// A dot travelling one edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    /// The message it carries (its story opens from the dot).
    pub message: brokerlab::MessageId,
    /// Where it leaves.
    pub from: Hop,
    /// Where it arrives.
    pub to: Hop,
    /// Hash of the message's key, or of its id when it has none; picks the colour.
    pub colour: u64,
    /// Wall-clock ms (the playground's own clock) when it leaves.
    pub depart_ms: f64,
}

impl Flight {
    /// How far along its edge it is at `wall_ms`: 0 at departure, 1 on arrival.
    #[must_use]
    pub fn progress(&self, wall_ms: f64) -> f64 {
        (wall_ms - self.depart_ms) / FLIGHT_MS
    }
}

/// The dots on screen and when each message's last hop arrives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flights {
    /// Dots, oldest first.
    pub dots: VecDeque<Flight>,
    /// When each message reaches each node: `(message, node key)` → wall-clock ms. Shared by
    /// the clones of one run's flights, as the simulation is by the states of one run: the
    /// reducer clones the flights every frame, and at thousands of messages a second there are
    /// thousands of arrivals to copy and free.
    arrivals: Rc<RefCell<BTreeMap<(u64, String), f64>>>,
}

impl Flights {
    /// Forgets everything (a reset).
    pub fn clear(&mut self) {
        self.dots.clear();
        self.arrivals = Rc::default();
    }

    /// Whether `self` and `other` share their arrivals (clones of one run's flights do).
    #[cfg(test)]
    pub(crate) fn shares_arrivals_with(&self, other: &Flights) -> bool {
        Rc::ptr_eq(&self.arrivals, &other.arrivals)
    }

    /// Drops the dots that arrived by `wall_ms` and the arrivals already past.
    pub fn expire(&mut self, wall_ms: f64) {
        self.dots.retain(|f| f.progress(wall_ms) < 1.0);
        self.arrivals.borrow_mut().retain(|_, at| *at > wall_ms);
    }

    /// Adds the hops of `events` at `wall_ms`. `chained`: a hop waits for the message's
    /// previous one to arrive (playing); otherwise the dots of earlier steps go and every
    /// hop of this one is shown halfway (stepping).
    pub fn observe<'a>(
        &mut self,
        sim: &Simulation,
        attach: &[(String, sim::Attach)],
        events: impl Iterator<Item = &'a SimEvent>,
        wall_ms: f64,
        chained: bool,
    ) {
        if !chained {
            // Stepping shows only the hops of the latest step.
            self.clear();
        }
        let mut arrivals = self.arrivals.borrow_mut();
        for event in events {
            for (message, colour, from, to) in hops(sim, attach, event) {
                let depart_ms = if chained {
                    let after = arrivals.get(&(message, from.key())).copied();
                    let depart = after.unwrap_or(wall_ms).max(wall_ms);
                    arrivals.insert((message, to.key()), depart + FLIGHT_MS);
                    depart
                } else {
                    wall_ms - FLIGHT_MS / 2.0
                };
                if self.dots.len() == MAX_FLIGHTS {
                    self.dots.pop_front();
                }
                self.dots.push_back(Flight {
                    message: brokerlab::MessageId(message),
                    from,
                    to,
                    colour,
                    depart_ms,
                });
            }
        }
    }
}

/// FNV-1a (as [`Simulation::message_key_hash`]), for colours that are the same natively
/// and in the browser.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `(message, colour, from, to)` of each hop one event reports.
fn hops(
    sim: &Simulation,
    attach: &[(String, sim::Attach)],
    event: &SimEvent,
) -> Vec<(u64, u64, Hop, Hop)> {
    let SimEventKind::Broker(e) = &event.kind else {
        return Vec::new();
    };
    let b = sim.broker();
    let node = Hop::Node;
    let by_message = |m: u64| {
        sim.message_key_hash(brokerlab::MessageId(m))
            .unwrap_or_else(|| hash(&m.to_le_bytes()))
    };
    let producer_of = |target: &Entity| {
        sim.scenario()
            .producers
            .iter()
            .find(|p| match (&p.target, target) {
                (sim::TargetSpec::Queue(q), Entity::Queue(t)) => q == t,
                (sim::TargetSpec::Exchange { exchange, .. }, Entity::Exchange(t)) => exchange == t,
                (sim::TargetSpec::Stream(s), Entity::Stream(t)) => s == t,
                _ => false,
            })
            .map(|p| Entity::Producer(p.name.clone()))
    };
    let target = |t: &Target| match *t {
        Target::Queue(q) => Entity::Queue(b.queue_name(q).unwrap_or_default().to_owned()),
        Target::Subscription(s) => {
            Entity::Subscription(b.subscription_name(s).unwrap_or_default().to_owned())
        }
    };
    // Older than the simulation's memory of keys: the record still holds its key.
    let record_colour = |p: StreamPartition, o: Offset, message: u64| {
        sim.message_key_hash(brokerlab::MessageId(message))
            .or_else(|| {
                b.stream_record(p, o)
                    .and_then(|r| r.key)
                    .map(|k| hash(k.as_bytes()))
            })
            .unwrap_or_else(|| hash(&message.to_le_bytes()))
    };
    let mut out = Vec::new();
    match e {
        Event::Published { message, exchange } => {
            let x = b.exchange_name(*exchange).unwrap_or_default();
            if !x.is_empty() {
                let x = Entity::Exchange(x.to_owned());
                if let Some(p) = producer_of(&x) {
                    out.push((message.0, by_message(message.0), node(p), node(x)));
                }
            }
        }
        Event::Routed {
            message,
            exchange,
            target: t,
            ..
        } => {
            let to = target(t);
            let x = b.exchange_name(*exchange).unwrap_or_default();
            let from = if x.is_empty() {
                producer_of(&to)
            } else {
                Some(Entity::Exchange(x.to_owned()))
            };
            if let Some(from) = from {
                out.push((message.0, by_message(message.0), node(from), node(to)));
            }
        }
        Event::Delivered {
            message,
            queue,
            consumer,
            ..
        } => {
            let q = Entity::Queue(b.queue_name(*queue).unwrap_or_default().to_owned());
            let c = Entity::Consumer(b.consumer_name(*consumer).unwrap_or_default().to_owned());
            out.push((message.0, by_message(message.0), node(q), node(c)));
        }
        Event::DeadLettered {
            message,
            queue,
            dead_letter_queue,
            ..
        } => {
            let q = |id| Entity::Queue(b.queue_name(id).unwrap_or_default().to_owned());
            out.push((
                message.0,
                by_message(message.0),
                node(q(*queue)),
                node(q(*dead_letter_queue)),
            ));
        }
        Event::Received {
            message,
            subscription,
        } => {
            let name = b.subscription_name(*subscription).unwrap_or_default();
            out.push((
                message.0,
                by_message(message.0),
                node(Entity::Subscription(name.to_owned())),
                node(Entity::Consumer(name.to_owned())),
            ));
        }
        Event::Appended {
            message,
            partition,
            offset,
        } => {
            let s = Entity::Stream(
                b.stream_name(partition.stream)
                    .unwrap_or_default()
                    .to_owned(),
            );
            if let Some(p) = producer_of(&s) {
                let colour = record_colour(*partition, *offset, message.0);
                out.push((message.0, colour, node(p), node(s)));
            }
        }
        Event::Polled {
            consumer,
            partition,
            first,
            count,
            ..
        } => {
            let name = b.stream_consumer_name(*consumer).unwrap_or_default();
            let stream = b.stream_name(partition.stream).unwrap_or_default();
            let in_group = attach
                .iter()
                .any(|(n, a)| n == name && matches!(a, sim::Attach::Group(_)));
            let from = if in_group {
                Hop::Partition(stream.to_owned(), partition.partition.0)
            } else {
                node(Entity::Stream(stream.to_owned()))
            };
            let skip = count.saturating_sub(DOTS_PER_POLL);
            for o in first.0 + skip..first.0 + count {
                let Some(r) = b.stream_record(*partition, Offset(o)) else {
                    continue;
                };
                let m = r.message.0;
                out.push((
                    m,
                    record_colour(*partition, Offset(o), m),
                    from.clone(),
                    node(Entity::Consumer(name.to_owned())),
                ));
            }
        }
        _ => {}
    }
    out
}
