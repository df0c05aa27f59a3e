//! Brokerlab: a deterministic, sans-IO message broker.
//!
//! The [`Broker`] performs no I/O and never reads a clock: every call that depends on time
//! takes `now` (an [`Instant`] in milliseconds), everything that happens comes out as an
//! [`Event`] drained with [`Broker::poll_event`], and [`Broker::poll_timeout`] says when to call
//! [`Broker::handle_timeout`] next. The same calls at the same times give the same events,
//! natively and in WebAssembly. Queue messages live in logs of a pluggable [`Storage`]
//! ([`MemoryStorage`] by default, and it works without `std`). Every collection is bounded by
//! [`Limits`]; every failure is a small typed error convertible into [`Error`].
//!
//! This page is a tutorial of the three patterns the crate implements so far.
//!
//! # A. Queue: competing consumers
//!
//! Each message goes to exactly one consumer; consumers with free prefetch capacity take turns;
//! a message is gone once acked; an unacked message comes back when its consumer dies.
//!
//! ```
//! use brokerlab::{Broker, ConsumerConfig, Event, Instant, MemoryStorage, Publish, QueueConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::new(MemoryStorage::new());
//! let now = Instant::from_millis(0);
//! broker.declare_queue(now, "work", QueueConfig::default())?;
//! let fair = ConsumerConfig::default().with_prefetch(1);
//! let alice = broker.consume(now, "work", "alice", fair)?;
//! let bob = broker.consume(now, "work", "bob", fair)?;
//!
//! for job in ["resize", "encode", "upload"] {
//!     broker.publish(now, Publish::to_queue("work", job))?;
//! }
//!
//! // Drain the events: alice got "resize", bob got "encode", "upload" waits for a free slot.
//! let mut deliveries = Vec::new();
//! while let Some(event) = broker.poll_event() {
//!     if let Event::Delivered { consumer, delivery, payload, .. } = event {
//!         deliveries.push((broker.consumer_name(consumer).unwrap().to_owned(), delivery, payload));
//!     }
//! }
//! assert_eq!(deliveries.len(), 2);
//! assert_eq!((deliveries[0].0.as_str(), &*deliveries[0].2), ("alice", &b"resize"[..]));
//! assert_eq!((deliveries[1].0.as_str(), &*deliveries[1].2), ("bob", &b"encode"[..]));
//!
//! // Bob crashes holding "encode": it goes back to the queue. Alice acks and gets "encode"
//! // redelivered (oldest first), flagged as such.
//! broker.crash_consumer(now, bob)?;
//! broker.ack(now, alice, deliveries[0].1)?;
//! let redelivered: Vec<Event> = std::iter::from_fn(|| broker.poll_event()).collect();
//! assert!(redelivered.iter().any(|e| matches!(e,
//!     Event::Delivered { consumer, redelivered: true, delivery_count: 2, .. } if *consumer == alice)));
//!
//! // Acking twice is an error, not a silent no-op.
//! assert!(broker.ack(now, alice, deliveries[0].1).is_err());
//! # Ok(())
//! # }
//! ```
//!
//! Queues also have `nack`/`reject` with or without requeue, a visibility timeout,
//! `max_deliveries` with a dead-letter queue, `max_length` with `drop-head` or
//! `reject-publish`, and queue and per-message TTL. Time only moves when you say so:
//!
//! ```
//! use brokerlab::{Broker, ConsumerConfig, DeadLetterReason, Duration, Event, Instant, Publish, QueueConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t0 = Instant::from_millis(0);
//! broker.declare_queue(t0, "jobs.dlq", QueueConfig::default())?;
//! let cfg = QueueConfig::default()
//!     .with_visibility_timeout(Duration::from_secs(30))
//!     .with_max_deliveries(2)
//!     .with_dead_letter_queue("jobs.dlq");
//! broker.declare_queue(t0, "jobs", cfg)?;
//! broker.consume(t0, "jobs", "slow-worker", ConsumerConfig::default())?;
//! broker.publish(t0, Publish::to_queue("jobs", "never acked"))?;
//!
//! // The worker never acks. Each time the visibility timeout passes the message is requeued
//! // and redelivered; after two deliveries it is dead-lettered with the reason.
//! let mut reasons = Vec::new();
//! while let Some(deadline) = broker.poll_timeout() {
//!     broker.handle_timeout(deadline);
//!     while let Some(e) = broker.poll_event() {
//!         if let Event::DeadLettered { reason, .. } = e {
//!             reasons.push(reason);
//!         }
//!     }
//! }
//! assert_eq!(reasons, [DeadLetterReason::DeliveryLimit]);
//! let dlq = broker.queue_id("jobs.dlq").unwrap();
//! assert_eq!(broker.queue_stats(dlq).unwrap().ready, 1);
//! assert_eq!(broker.now(), Instant::from_millis(60_000));
//! # Ok(())
//! # }
//! ```
//!
//! # B. Pub/Sub: broadcast to whoever listens
//!
//! Every subscriber connected at publish time gets a copy; the publisher knows no subscriber;
//! an offline subscriber misses what was sent meanwhile; a slow one with a full inbox is told
//! how many it lost.
//!
//! ```
//! use brokerlab::{Broker, ExchangeKind, Instant, Publish, Received, SubscriptionConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let now = Instant::from_millis(0);
//! broker.declare_exchange(now, "prices", ExchangeKind::Topic)?;
//! broker.publish(now, Publish::new("prices", "stock.acme", "100"))?; // nobody listens yet
//!
//! let small = SubscriptionConfig::default().with_capacity(2);
//! let all = broker.subscribe(now, "prices", "stock.#", "dashboard", small)?;
//! let acme = broker.subscribe(now, "prices", "*.acme", "acme-bot", small)?;
//! for (key, price) in [("stock.acme", "101"), ("stock.init", "7"), ("stock.acme", "102")] {
//!     broker.publish(now, Publish::new("prices", key, price))?;
//! }
//!
//! // The dashboard's inbox holds two: the oldest was overwritten and it is told so.
//! assert_eq!(broker.receive(now, all)?, Some(Received::Lagged(1)));
//! let Some(Received::Message { payload, .. }) = broker.receive(now, all)? else { panic!() };
//! assert_eq!(&*payload, b"7");
//! // The acme bot matched two of the three and missed nothing.
//! let Some(Received::Message { payload, .. }) = broker.receive(now, acme)? else { panic!() };
//! assert_eq!(&*payload, b"101");
//! # Ok(())
//! # }
//! ```
//!
//! # C. Fan-out: one publish, a copy in every bound durable queue
//!
//! Each queue has its own consumers and state: a crashed consumer's queue fills up while the
//! others keep draining; nothing is lost, and the backlog drains on restart.
//!
//! ```
//! use brokerlab::{Broker, ConsumerConfig, Event, ExchangeKind, Instant, Publish, QueueConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let now = Instant::from_millis(0);
//! broker.declare_exchange(now, "orders", ExchangeKind::Fanout)?;
//! let mut workers = Vec::new();
//! for q in ["billing", "shipping"] {
//!     broker.declare_queue(now, q, QueueConfig::default())?;
//!     broker.bind(now, "orders", q, "")?;
//!     workers.push(broker.consume(now, q, &format!("{q}-worker"), ConsumerConfig::default())?);
//! }
//! broker.crash_consumer(now, workers[1])?; // shipping is down
//!
//! // Ack everything that gets delivered, as a running worker would.
//! fn pump(broker: &mut brokerlab::Broker, now: Instant) -> usize {
//!     let mut acked = 0;
//!     while let Some(e) = broker.poll_event() {
//!         if let Event::Delivered { consumer, delivery, .. } = e {
//!             broker.ack(now, consumer, delivery).unwrap();
//!             acked += 1;
//!         }
//!     }
//!     acked
//! }
//!
//! for i in 0..10 {
//!     broker.publish(now, Publish::new("orders", "", format!("order {i}")))?;
//! }
//! assert_eq!(pump(&mut broker, now), 10); // billing drained all ten
//! let shipping = broker.queue_id("shipping").unwrap();
//! assert_eq!(broker.queue_stats(shipping).unwrap().ready, 10); // shipping kept its backlog
//!
//! broker.restart_consumer(now, workers[1])?;
//! assert_eq!(pump(&mut broker, now), 10); // and drains it on restart
//! # Ok(())
//! # }
//! ```
//!
//! # Where things are
//!
//! - [`time`](Instant): `Instant` and `Duration`; [`ids`](QueueId): small `Copy` ids.
//! - [`Publish`], [`Payload`]: what a publisher sends; [`Event`]: what happened.
//! - [`EventFilter`]: record only some kinds of events (all by default); a filter without
//!   `Delivered` hands deliveries out as [`Delivery`] values through
//!   [`Broker::poll_deliveries`], which with [`Broker::publish_batch`] and
//!   [`Broker::ack_multiple`] is the fastest way through a queue.
//! - [`QueueConfig`], [`ConsumerConfig`], [`SubscriptionConfig`], [`Limits`]: configuration.
//! - [`storage`]: the [`Storage`] trait and [`MemoryStorage`]; [`topic`]: the topic matcher.
//! - Errors: one enum per operation ([`PublishError`], [`AckError`], …) and [`Error`].

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod broker;
mod error;
mod event;
mod exchange;
mod ids;
mod limits;
mod message;
mod queue;
pub mod storage;
mod subscription;
mod time;
pub mod topic;

pub use broker::{Broker, ExchangeRef, PublishedBatch, QueueRef, ReadyMessage, Unacked};
pub use error::{
    AckError, BindError, ConsumeError, ConsumerError, DeclareExchangeError, DeclareQueueError,
    DeleteExchangeError, Error, LimitError, LimitKind, NameError, PublishError, QueueError,
    SubscribeError, SubscriptionError, UnbindError,
};
pub use event::{
    DeadLetterReason, Delivery, DropReason, Event, EventFilter, EventKind, RequeueReason,
};
pub use exchange::{BindingInfo, ExchangeKind};
pub use ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, LogId, MessageId, Offset, QueueId,
    SubscriptionId, Target,
};
pub use limits::Limits;
pub use message::{MessageMeta, Payload, Publish};
pub use queue::{ConsumerConfig, ConsumerInfo, ConsumerState, Overflow, QueueConfig, QueueStats};
pub use storage::{LogBounds, MemoryStorage, Record, Storage, StorageError};
pub use subscription::{Received, SubscriptionConfig};
pub use time::{Duration, Instant};
pub use topic::{TopicPattern, topic_matches};
