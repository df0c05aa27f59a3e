//! The [`Broker`]: one way in (time-stamped calls), events out.
//!
//! Every call that can change state takes `now`; the broker never reads a clock. After any
//! call, drain [`Broker::poll_event`] until it returns `None`, and arrange to call
//! [`Broker::handle_timeout`] at [`Broker::poll_timeout`]. Time never runs backwards inside
//! the broker: a `now` earlier than one already seen is treated as the latest seen.
//!
//! The broker is split by concern: [`topology`](self) (exchanges, queues, bindings),
//! publishing, consuming and pub/sub each live in their own file.

mod consume;
mod durable;
mod groups;
mod lookup;
mod publish;

pub use publish::{Destination, PublishedBatch};
mod pubsub;
mod share_groups;
mod streams;
mod topology;

pub use durable::{QueueRecovery, RecoverError, Recovered, StreamRecovery};
pub use streams::StreamRef;

use alloc::string::String;
use alloc::vec::Vec;

use crate::event::{Delivery, Event, EventFilter};
use crate::exchange::DeclareExchangeError;
use crate::exchange::{Exchange, ExchangeKind};
use crate::ids::StreamId;
use crate::ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, MessageId, Offset, QueueId, Ref,
    SubscriptionId, Target,
};
use crate::limits::Limits;
use crate::outbox::Out;
use crate::pubsub::SubscribeError;
use crate::pubsub::Subscription;
use crate::queue::{ConsumeError, DeclareQueueError};
use crate::queue::{EnqueueError, Queue, dead_letter_copy};
use crate::registry::{Named, Registry, Taken};
use crate::storage::{MemoryStorage, Storage};
use crate::stream::DeclareStreamError;
use crate::time::Instant;
use crate::vec_map::VecMap;
use crate::{LimitError, LimitKind};

/// Names a queue by name or by id.
pub type QueueRef<'a> = Ref<'a, QueueId>;

/// Names an exchange by name (`""` is the default exchange) or by id.
pub type ExchangeRef<'a> = Ref<'a, ExchangeId>;

/// A message waiting in a queue, as listed by [`Broker::ready_messages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyMessage {
    /// The message.
    pub message: MessageId,
    /// Its offset in the queue's log.
    pub offset: Offset,
    /// How often it was delivered before (0 if never).
    pub delivery_count: u32,
}

/// A delivery a consumer holds, as listed by [`Broker::unacked`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unacked {
    /// The delivery tag.
    pub delivery: DeliveryTag,
    /// The message.
    pub message: MessageId,
    /// How many times it has been delivered.
    pub delivery_count: u32,
    /// When the visibility timeout requeues it ([`Instant::MAX`] if never).
    pub deadline: Instant,
}

#[derive(Clone, Debug)]
struct ConsumerEntry {
    name: String,
    queue: QueueId,
}

impl Named for ConsumerEntry {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Queue {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Exchange {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for crate::stream::Stream {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for crate::group::Group {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Subscription {
    fn name(&self) -> &str {
        &self.name
    }
}

/// A taken or invalid name, as each declaring call reports it.
macro_rules! taken_into {
    ($($error:ty, $id:ty, $exists:ident;)*) => {
        $(impl From<Taken<$id>> for $error {
            fn from(taken: Taken<$id>) -> Self {
                match taken {
                    Taken::Invalid(e) => e.into(),
                    Taken::Exists(id) => <$error>::$exists(id),
                }
            }
        })*
    };
}

taken_into! {
    DeclareExchangeError, ExchangeId, AlreadyExists;
    DeclareQueueError, QueueId, AlreadyExists;
    ConsumeError, ConsumerId, DuplicateName;
    SubscribeError, SubscriptionId, DuplicateName;
    DeclareStreamError, StreamId, AlreadyExists;
}

/// Everything the broker keeps for the queue side (patterns A, B, C): exchanges and their
/// bindings, queues and their consumers, pub/sub subscriptions. The stream side (patterns D,
/// E) is [`streams::StreamSide`].
#[derive(Clone, Debug)]
struct QueueSide {
    exchanges: Registry<ExchangeId, Exchange>,
    queues: Registry<QueueId, Queue>,
    consumers: Registry<ConsumerId, ConsumerEntry>,
    subscriptions: Registry<SubscriptionId, Subscription>,
    /// Which exchange holds each binding.
    binding_index: VecMap<BindingId, ExchangeId>,
    next_binding: u32,
    /// Scratch for routing one message (empty between calls).
    route_scratch: Vec<(BindingId, Target)>,
}

/// A deterministic, sans-IO message broker over a [`Storage`].
///
/// See the [crate docs](crate) for a tutorial.
#[derive(Debug, Clone)]
pub struct Broker<S: Storage = MemoryStorage> {
    storage: S,
    limits: Limits,
    now: Instant,
    out: Out,
    next_message: u64,
    next_log: u64,
    queue_side: QueueSide,
    stream_side: streams::StreamSide,
    share_side: share_groups::ShareSide,
    saved_acks: durable::SavedAcks,
}

fn next_id(counter: &mut u32) -> Result<u32, LimitError> {
    let id = *counter;
    *counter = counter.checked_add(1).ok_or(LimitError {
        kind: LimitKind::Ids,
        limit: u32::MAX as usize,
    })?;
    Ok(id)
}

impl<S: Storage> Broker<S> {
    /// A broker over `storage` with [`Limits::default`].
    pub fn new(storage: S) -> Self {
        Self::with_limits(storage, Limits::default())
    }

    /// A broker over `storage` with the given limits.
    pub fn with_limits(storage: S, limits: Limits) -> Self {
        let mut exchanges = Registry::new();
        exchanges.restore(
            ExchangeId::DEFAULT,
            Exchange::new(ExchangeId::DEFAULT, String::new(), ExchangeKind::Direct),
        );
        Broker {
            storage,
            out: Out::new(limits.max_events, limits.max_dead_letter_hops),
            limits,
            now: Instant::ZERO,
            next_message: 1,
            next_log: 1,
            queue_side: QueueSide {
                exchanges,
                queues: Registry::new(),
                consumers: Registry::new(),
                subscriptions: Registry::new(),
                binding_index: VecMap::new(),
                next_binding: 1,
                route_scratch: Vec::new(),
            },
            stream_side: streams::StreamSide::new(),
            share_side: share_groups::ShareSide::new(),
            saved_acks: durable::SavedAcks::default(),
        }
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The storage backend.
    #[must_use]
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Writes what the broker needs to [`recover`](Self::recover) after a restart to the storage
    /// metadata and asks the storage to make everything durable ([`Storage::flush`]). Call it
    /// before confirming anything to a client: a message published, an ack taken. With
    /// [`MemoryStorage`] it costs next to nothing.
    ///
    /// # Errors
    /// What the storage reports; the broker's state is unchanged either way.
    pub fn flush(&mut self) -> Result<(), crate::StorageError> {
        self.save_state()?;
        self.storage.flush()
    }

    /// Gives the storage back, ending the broker (what a restart does; see
    /// [`Broker::recover`]). Nothing is saved: call [`flush`](Self::flush) first to keep the
    /// latest state.
    #[must_use]
    pub fn into_storage(self) -> S {
        self.storage
    }

    /// The latest `now` the broker has seen.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Takes the next event, oldest first. Call until it returns `None` after every call that
    /// changes state; events are what the UI animates and what tests check.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.out.poll()
    }

    /// Events waiting to be drained.
    #[must_use]
    pub fn pending_events(&self) -> usize {
        self.out.pending()
    }

    /// Chooses which events are buffered for [`poll_event`](Self::poll_event) from now on
    /// (the default is [`EventFilter::ALL`]). Events already buffered stay. Filtering changes
    /// no state: the broker does exactly the same with or without it. A filter without
    /// [`EventKind::Delivered`](crate::EventKind::Delivered) moves deliveries to
    /// [`poll_deliveries`](Self::poll_deliveries) instead of dropping them.
    ///
    /// ```
    /// use brokerlab::{Broker, ConsumerConfig, EventFilter, Instant, Publish, QueueConfig};
    ///
    /// # fn main() -> Result<(), brokerlab::Error> {
    /// let mut broker = Broker::default();
    /// let now = Instant::ZERO;
    /// broker.declare_queue(now, "work", QueueConfig::default())?;
    /// let worker = broker.consume(now, "work", "worker", ConsumerConfig::default())?;
    /// while broker.poll_event().is_some() {} // queue-declared, consumer-added
    /// broker.set_event_filter(EventFilter::NONE);
    /// let batch = broker.publish_batch(now, "", "work", ["a", "b", "c"])?;
    /// assert_eq!(batch.count, 3);
    ///
    /// let mut deliveries = Vec::new();
    /// assert_eq!(broker.poll_deliveries(usize::MAX, &mut deliveries), 3);
    /// assert_eq!(&*deliveries[2].payload, b"c");
    /// assert_eq!(broker.ack_multiple(now, worker, deliveries[2].delivery)?, 3);
    /// assert_eq!(broker.poll_event(), None); // nothing else was recorded
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_event_filter(&mut self, filter: EventFilter) {
        self.out.set_filter(filter);
    }

    /// The event filter in force.
    #[must_use]
    pub fn event_filter(&self) -> EventFilter {
        self.out.filter()
    }

    /// Moves up to `max` deliveries to `into`, oldest first, and returns how many. Deliveries
    /// land here instead of in [`Event::Delivered`] while the [event
    /// filter](Self::set_event_filter) leaves `Delivered` out; a [`Delivery`] carries exactly
    /// what the event would have. Settle them as usual ([`ack`](Self::ack),
    /// [`ack_multiple`](Self::ack_multiple), [`nack`](Self::nack)).
    pub fn poll_deliveries(&mut self, max: usize, into: &mut Vec<Delivery>) -> usize {
        self.out.poll_deliveries(max, into)
    }

    /// Takes the oldest buffered delivery (see [`poll_deliveries`](Self::poll_deliveries)).
    #[must_use]
    pub fn poll_delivery(&mut self) -> Option<Delivery> {
        self.out.poll_delivery()
    }

    /// Deliveries waiting in the delivery buffer.
    #[must_use]
    pub fn pending_deliveries(&self) -> usize {
        self.out.pending_deliveries()
    }

    /// When the broker next needs [`handle_timeout`](Self::handle_timeout): the earliest
    /// visibility-timeout deadline or TTL expiry of a queue head, retention age of a stream
    /// partition, session deadline of a group member, or record lock of a share group; at
    /// once ([`Instant::ZERO`]) when a restart brought a queue or partition back past its
    /// limit. `None` if nothing is pending.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let queues = self
            .queue_side
            .queues
            .values()
            .filter_map(|q| q.next_deadline(&self.storage))
            .min();
        [
            queues,
            self.stream_side.next_deadline(),
            self.share_side.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Acts on every deadline at or before `now`: requeues deliveries whose visibility timeout
    /// passed (or dead-letters them past `max_deliveries`), expires queue heads whose TTL
    /// passed, then dispatches; applies stream retention by age; evicts group members whose
    /// session timeout passed and rebalances their groups; expires share-group record locks
    /// whose time is up (the records become available again, or are archived at the
    /// delivery limit).
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.clock(now);
        for q in self.queue_side.queues.values_mut() {
            q.handle_timeout(&mut self.storage, &mut self.out, now);
            q.dispatch(&mut self.storage, &mut self.out, now);
        }
        self.flush_dead_letters(now);
        self.handle_stream_timeouts(now);
        self.handle_share_timeouts(now);
    }

    fn clock(&mut self, now: Instant) -> Instant {
        self.now = self.now.max(now);
        self.now
    }

    fn resolve_queue(&self, q: QueueRef<'_>) -> Option<QueueId> {
        self.queue_side.queues.resolve(q)
    }

    fn resolve_exchange(&self, x: ExchangeRef<'_>) -> Option<ExchangeId> {
        self.queue_side.exchanges.resolve(x)
    }

    fn dispatch(&mut self, queue: QueueId, now: Instant) {
        if let Some(q) = self.queue_side.queues.get_mut(&queue) {
            q.dispatch(&mut self.storage, &mut self.out, now);
        }
    }

    /// Appends dead-lettered messages to their dead-letter queues, cascading at most
    /// `max_dead_letter_hops` times within one call.
    fn flush_dead_letters(&mut self, now: Instant) {
        while let Some(job) = self.out.dead_letters.pop_front() {
            let message = job.record.message;
            let Some(q) = self.queue_side.queues.get_mut(&job.to) else {
                continue;
            };
            self.out.hops = job.hops + 1;
            let record = dead_letter_copy(job.record, now);
            match q.enqueue(&mut self.storage, &mut self.out, record) {
                Ok(_) => q.dispatch(&mut self.storage, &mut self.out, now),
                // `Rejected` was reported by the queue.
                Err(EnqueueError::Rejected) => {}
                Err(EnqueueError::Full) => self.out.emit(Event::Rejected {
                    message,
                    queue: job.to,
                }),
                Err(EnqueueError::Storage(error)) => {
                    self.out.emit(Event::StorageFailed {
                        queue: job.to,
                        error,
                    });
                    self.out.emit(Event::Rejected {
                        message,
                        queue: job.to,
                    });
                }
            }
            self.out.hops = 0;
        }
    }

    /// Re-resolves every queue's dead-letter queue after a queue was declared or deleted.
    fn resolve_dead_letter_queues(&mut self) {
        let targets: Vec<Option<QueueId>> = self
            .queue_side
            .queues
            .values()
            .map(|q| {
                let name = q.config.dead_letter_queue.as_deref()?;
                self.queue_side.queues.id_of(name)
            })
            .collect();
        for (q, target) in self.queue_side.queues.values_mut().zip(targets) {
            q.dead_letter_to = target;
        }
    }
}

impl Default for Broker<MemoryStorage> {
    fn default() -> Self {
        Broker::new(MemoryStorage::new())
    }
}
