//! The queue account: every copy a queue took, by offset, as ready or in flight to a
//! consumer, and what left it (acked, dead-lettered, dropped), built from the step's events
//! and checked against the broker's read API (`queue_stats`, `ready_messages`, `unacked`,
//! `queue_consumers`) after every step.
//!
//! Each event must find the copy it names in the state it needs (a delivery needs a ready
//! copy, an ack a copy in flight to that consumer under that tag: `queue_moves.rs`), so a
//! copy that vanishes, appears twice or is delivered twice shows at once; a copy that leaves
//! without an event shows when the broker's lists no longer match the account
//! (`queue_checks.rs`).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::violation::{Rule, Violation};
use crate::event::{DropReason, Event};
use crate::ids::{ConsumerId, DeliveryTag, MessageId, QueueId, Target};
use crate::sim::scenario::{OverflowSpec, QueueSpec};
use crate::storage::Storage;

/// A copy in a queue: its message, how often it was delivered, when it was enqueued (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stored {
    pub(super) message: MessageId,
    pub(super) count: u32,
    pub(super) since: u64,
}

/// A copy in flight: where it sits in the log, to whom, since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Held {
    pub(super) offset: u64,
    pub(super) stored: Stored,
    pub(super) consumer: ConsumerId,
    pub(super) at: u64,
}

/// One queue's account.
#[derive(Debug, Clone)]
pub(super) struct QueueBook {
    pub(super) name: String,
    pub(super) spec: Option<QueueSpec>,
    /// Ready copies by offset.
    pub(super) ready: BTreeMap<u64, Stored>,
    /// Copies in flight by delivery tag.
    pub(super) held: BTreeMap<DeliveryTag, Held>,
    /// Every offset's message and enqueue time, as the queue appended them.
    pub(super) log: Vec<(MessageId, u64)>,
    pub(super) acked: u64,
    pub(super) dead_lettered: u64,
    pub(super) dropped: u64,
}

impl QueueBook {
    pub(super) fn new(name: String, spec: Option<QueueSpec>) -> QueueBook {
        QueueBook {
            name,
            spec,
            ready: BTreeMap::new(),
            held: BTreeMap::new(),
            log: Vec::new(),
            acked: 0,
            dead_lettered: 0,
            dropped: 0,
        }
    }

    pub(super) fn ttl(&self) -> Option<u64> {
        self.spec.as_ref().and_then(|s| s.message_ttl_ms)
    }

    pub(super) fn max_deliveries(&self) -> Option<u32> {
        self.spec.as_ref().and_then(|s| s.max_deliveries)
    }

    pub(super) fn visibility(&self) -> Option<u64> {
        self.spec.as_ref().and_then(|s| s.visibility_timeout_ms)
    }

    /// The lowest ready offset holding `m`, preferring one delivered `count` times.
    pub(super) fn ready_copy(&self, m: MessageId, count: Option<u32>) -> Option<u64> {
        let mut any = None;
        for (&o, s) in &self.ready {
            if s.message == m {
                if count.is_none_or(|c| s.count == c) {
                    return Some(o);
                }
                any.get_or_insert(o);
            }
        }
        any
    }
}

/// A queue consumer as the account knows it.
#[derive(Debug, Clone)]
pub(super) struct QConsumer {
    pub(super) queue: QueueId,
    pub(super) name: String,
    pub(super) active: bool,
}

/// A nacked delivery waiting for what its nack does: requeued or dead-lettered.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settling {
    pub(super) queue: QueueId,
    pub(super) tag: DeliveryTag,
    pub(super) held: Held,
    pub(super) requeue: bool,
}

/// Every queue's account, and what the current step still owes.
#[derive(Debug, Clone, Default)]
pub(super) struct Queues {
    pub(super) books: BTreeMap<QueueId, QueueBook>,
    pub(super) consumers: BTreeMap<ConsumerId, QConsumer>,
    pub(super) last_tag: u64,
    /// Copies routed or dead-lettered to a queue, not yet enqueued or reported rejected.
    pub(super) expect: Vec<(MessageId, QueueId)>,
    pub(super) settling: Option<Settling>,
    /// Copies reported expired, not yet dead-lettered or dropped.
    pub(super) expired: Vec<(QueueId, MessageId)>,
    /// Consumers that crashed or were cancelled in this step.
    pub(super) released: Vec<ConsumerId>,
    pub(super) cancelled: Vec<ConsumerId>,
    pub(super) touched: BTreeSet<QueueId>,
}

pub(super) fn v(rule: Rule, now: u64, detail: String) -> Violation {
    Violation::new(rule, now, detail)
}

impl Queues {
    /// Takes one event of the step into the account.
    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        e: &Event,
    ) -> Result<(), Violation> {
        let now = cx.now;
        match *e {
            Event::QueueDeclared { queue } => {
                let name = cx.queue(queue);
                let spec = cx.specs.queue(&name).cloned();
                self.books.insert(queue, QueueBook::new(name, spec));
            }
            Event::Routed {
                message,
                target: Target::Queue(q),
                ..
            } => self.expect.push((message, q)),
            Event::Enqueued {
                message,
                queue,
                offset,
            } => {
                self.touched.insert(queue);
                let Some(i) = self
                    .expect
                    .iter()
                    .position(|&(m, q)| m == message && q == queue)
                else {
                    return Err(v(
                        Rule::Routing,
                        now,
                        format!("{message} enqueued without being routed or dead-lettered there"),
                    )
                    .message(message)
                    .entity(cx.queue(queue)));
                };
                self.expect.remove(i);
                let book = self.book(cx, queue)?;
                let refuses = book.spec.as_ref().is_some_and(|s| {
                    s.overflow == OverflowSpec::RejectPublish
                        && s.max_length.is_some_and(|l| book.ready.len() as u64 >= l)
                });
                if refuses {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} enqueued into a full reject-publish queue ({} ready)",
                            book.ready.len()
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                if offset.0 != book.log.len() as u64 {
                    return Err(v(
                        Rule::QueueConservation,
                        now,
                        format!(
                            "{message} enqueued at offset {}, the next offset is {}",
                            offset.0,
                            book.log.len()
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                book.log.push((message, now));
                book.ready.insert(
                    offset.0,
                    Stored {
                        message,
                        count: 0,
                        since: now,
                    },
                );
            }
            Event::Rejected { message, queue } => {
                self.touched.insert(queue);
                let Some(i) = self
                    .expect
                    .iter()
                    .position(|&(m, q)| m == message && q == queue)
                else {
                    return Err(v(
                        Rule::Routing,
                        now,
                        format!("{message} reported rejected without being routed there"),
                    )
                    .message(message)
                    .entity(cx.queue(queue)));
                };
                self.expect.remove(i);
                let book = self.book(cx, queue)?;
                let full = book.spec.as_ref().is_some_and(|s| {
                    s.overflow == OverflowSpec::RejectPublish
                        && s.max_length.is_some_and(|l| book.ready.len() as u64 >= l)
                });
                if !full {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} refused by a queue that is not full and reject-publish \
                             ({} ready)",
                            book.ready.len()
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
            }
            Event::Delivered {
                message,
                queue,
                consumer,
                delivery,
                redelivered,
                delivery_count,
                ..
            } => self.delivered(
                cx,
                queue,
                consumer,
                delivery,
                message,
                redelivered,
                delivery_count,
            )?,
            Event::Acked {
                message,
                queue,
                consumer,
                delivery,
            } => {
                let h = self.take_held(cx, queue, consumer, delivery, message, "acked")?;
                let _ = h;
                self.book(cx, queue)?.acked += 1;
            }
            Event::Nacked {
                message,
                queue,
                consumer,
                delivery,
                requeue,
            } => {
                if let Some(s) = self.settling {
                    return Err(v(
                        Rule::QueueConservation,
                        now,
                        format!(
                            "{} was nacked and neither requeued nor dead-lettered",
                            s.held.stored.message
                        ),
                    )
                    .message(s.held.stored.message));
                }
                let held = self.take_held(cx, queue, consumer, delivery, message, "nacked")?;
                self.settling = Some(Settling {
                    queue,
                    tag: delivery,
                    held,
                    requeue,
                });
            }
            Event::Requeued {
                message,
                queue,
                consumer,
                delivery,
                reason,
            } => self.requeued(cx, queue, consumer, delivery, message, reason)?,
            Event::Expired { message, queue } => {
                self.touched.insert(queue);
                let book = self.book(cx, queue)?;
                let Some(o) = book.ready_copy(message, None) else {
                    return Err(v(
                        Rule::QueueConservation,
                        now,
                        format!("{message} reported expired but it is not ready"),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                };
                let s = book.ready[&o];
                if book.ttl().is_none_or(|t| now < s.since.saturating_add(t)) {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} expired at {now} ms; enqueued at {} ms with TTL {:?}",
                            s.since,
                            book.ttl()
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                book.ready.remove(&o);
                self.expired.push((queue, message));
            }
            Event::DeadLettered {
                message,
                queue,
                dead_letter_queue,
                reason,
            } => {
                self.leave(cx, queue, message, reason)?;
                let book = self.book(cx, queue)?;
                book.dead_lettered += 1;
                let configured = book
                    .spec
                    .as_ref()
                    .and_then(|s| s.dead_letter_queue.as_deref())
                    .and_then(|n| cx.broker.queue_id(n));
                if configured != Some(dead_letter_queue) {
                    return Err(v(
                        Rule::Routing,
                        now,
                        format!(
                            "{message} dead-lettered to {}, not its queue's dead-letter queue",
                            cx.queue(dead_letter_queue)
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                self.expect.push((message, dead_letter_queue));
            }
            Event::Dropped {
                message,
                queue,
                reason,
            } => {
                match reason {
                    DropReason::DeadLetter(r) => self.leave(cx, queue, message, r)?,
                    _ => self.vanish(cx, queue, message)?,
                }
                let book = self.book(cx, queue)?;
                book.dropped += 1;
                let dlq = book
                    .spec
                    .as_ref()
                    .and_then(|s| s.dead_letter_queue.as_deref())
                    .and_then(|n| cx.broker.queue_id(n));
                if matches!(reason, DropReason::DeadLetter(_)) && dlq.is_some() {
                    return Err(v(
                        Rule::Routing,
                        now,
                        format!("{message} dropped though its queue has a dead-letter queue"),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
            }
            Event::ConsumerAdded { consumer, queue } => {
                self.touched.insert(queue);
                self.consumers.insert(
                    consumer,
                    QConsumer {
                        queue,
                        name: cx.consumer(consumer),
                        active: true,
                    },
                );
            }
            Event::ConsumerCrashed { consumer, queue } => {
                self.touched.insert(queue);
                if let Some(c) = self.consumers.get_mut(&consumer) {
                    c.active = false;
                }
                self.released.push(consumer);
            }
            Event::ConsumerRestarted { consumer, queue } => {
                self.touched.insert(queue);
                self.returned(cx, consumer)?;
                if let Some(c) = self.consumers.get_mut(&consumer) {
                    c.active = true;
                }
            }
            Event::ConsumerCancelled { consumer, queue } => {
                self.touched.insert(queue);
                if let Some(c) = self.consumers.get_mut(&consumer) {
                    c.active = false;
                }
                self.released.push(consumer);
                self.cancelled.push(consumer);
            }
            _ => {}
        }
        Ok(())
    }

    /// A consumer that crashed or left must hold nothing before it receives again (or by
    /// the end of the step): everything it held came back.
    pub(super) fn returned<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        c: ConsumerId,
    ) -> Result<(), Violation> {
        let Some(i) = self.released.iter().position(|&r| r == c) else {
            return Ok(());
        };
        self.released.remove(i);
        let kept: Vec<MessageId> = self
            .books
            .values()
            .flat_map(|b| b.held.values())
            .filter(|h| h.consumer == c)
            .map(|h| h.stored.message)
            .collect();
        if kept.is_empty() {
            return Ok(());
        }
        let mut e = v(
            Rule::QueueCrashReturn,
            cx.now,
            format!(
                "{} crashed or left and {} of its deliveries did not come back",
                cx.consumer(c),
                kept.len()
            ),
        )
        .entity(cx.consumer(c));
        for m in kept {
            e = e.message(m);
        }
        Err(e)
    }

    pub(super) fn book<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        queue: QueueId,
    ) -> Result<&mut QueueBook, Violation> {
        self.touched.insert(queue);
        self.books.get_mut(&queue).ok_or_else(|| {
            v(
                Rule::QueueConservation,
                cx.now,
                format!(
                    "an event names {}, which was never declared",
                    cx.queue(queue)
                ),
            )
        })
    }

    /// Forgets consumers and the step's debts (the broker restarted).
    pub(super) fn reset_connections(&mut self) {
        self.consumers.clear();
        // Delivery tags belong to connections: a new broker counts again.
        self.last_tag = 0;
        self.expect.clear();
        self.settling = None;
        self.expired.clear();
        self.released.clear();
        self.cancelled.clear();
        self.touched = self.books.keys().copied().collect();
        for b in self.books.values_mut() {
            b.held.clear();
        }
    }
}
