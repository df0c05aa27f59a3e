//! The queue account's moves: a delivery, an ack or nack, a requeue, a copy leaving for a
//! dead-letter reason or for good, each finding the copy it names where it must be.

use alloc::format;
use alloc::string::String;

use super::ctx::Ctx;
use super::queues::{Held, QueueBook, Queues, v};
use super::violation::{Rule, Violation};
use crate::event::{DeadLetterReason, RequeueReason};
use crate::ids::{ConsumerId, DeliveryTag, MessageId, QueueId};
use crate::sim::scenario::OverflowSpec;
use crate::storage::Storage;

impl Queues {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn delivered<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        queue: QueueId,
        consumer: ConsumerId,
        tag: DeliveryTag,
        message: MessageId,
        redelivered: bool,
        count: u32,
    ) -> Result<(), Violation> {
        let now = cx.now;
        if tag.0 <= self.last_tag {
            return Err(v(
                Rule::QueueConservation,
                now,
                format!("delivery tag {tag} reused"),
            )
            .message(message));
        }
        self.last_tag = tag.0;
        self.returned(cx, consumer)?;
        let who = cx.consumer(consumer);
        let Some(c) = self.consumers.get(&consumer).cloned() else {
            return Err(v(
                Rule::QueueSingleDelivery,
                now,
                format!("{message} delivered to {who}, which is not attached"),
            )
            .message(message)
            .entity(who));
        };
        if c.queue != queue || !c.active {
            return Err(v(
                Rule::QueueSingleDelivery,
                now,
                format!("{message} delivered to {who}, which is crashed or on another queue"),
            )
            .message(message)
            .entity(who));
        }
        let prefetch = cx.specs.prefetch(&c.name);
        let book = self.book(cx, queue)?;
        let Some(o) = book.ready_copy(message, Some(count.saturating_sub(1))) else {
            let holder = book
                .held
                .values()
                .find(|h| h.stored.message == message)
                .map(|h| h.consumer);
            let detail = match holder {
                Some(h) => format!(
                    "{message} delivered to {who} while in flight to {}",
                    cx.consumer(h)
                ),
                None => format!("{message} delivered to {who} but it is not ready"),
            };
            let rule = if holder.is_some() {
                Rule::QueueSingleDelivery
            } else {
                Rule::QueueConservation
            };
            return Err(v(rule, now, detail)
                .message(message)
                .entity(book.name.clone())
                .entity(who));
        };
        let mut s = book.ready[&o];
        if count != s.count + 1 || redelivered != (count > 1) {
            return Err(v(
                Rule::QueuePolicy,
                now,
                format!(
                    "{message} delivered with count {count} (redelivered: {redelivered}) after \
                     {} deliveries",
                    s.count
                ),
            )
            .message(message)
            .entity(book.name.clone()));
        }
        if let Some(ttl) = book.ttl()
            && now >= s.since.saturating_add(ttl)
        {
            return Err(v(
                Rule::QueuePolicy,
                now,
                format!(
                    "{message} delivered after its TTL ({ttl} ms from {} ms)",
                    s.since
                ),
            )
            .message(message)
            .entity(book.name.clone()));
        }
        book.ready.remove(&o);
        s.count = count;
        book.held.insert(
            tag,
            Held {
                offset: o,
                stored: s,
                consumer,
                at: now,
            },
        );
        if let Some(p) = prefetch {
            let holding = book
                .held
                .values()
                .filter(|h| h.consumer == consumer)
                .count();
            if holding > p as usize {
                return Err(v(
                    Rule::QueueSingleDelivery,
                    now,
                    format!("{who} holds {holding} deliveries with prefetch {p}"),
                )
                .message(message)
                .entity(who));
            }
        }
        Ok(())
    }

    pub(super) fn take_held<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        queue: QueueId,
        consumer: ConsumerId,
        tag: DeliveryTag,
        message: MessageId,
        what: &str,
    ) -> Result<Held, Violation> {
        let now = cx.now;
        let who = cx.consumer(consumer);
        let book = self.book(cx, queue)?;
        match book.held.remove(&tag) {
            Some(h) if h.consumer == consumer && h.stored.message == message => Ok(h),
            _ => Err(v(
                Rule::QueueConservation,
                now,
                format!("{message} {what} by {who} under {tag}, which is not in flight to it"),
            )
            .message(message)
            .entity(book.name.clone())
            .entity(who)),
        }
    }

    pub(super) fn requeued<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        queue: QueueId,
        consumer: ConsumerId,
        tag: DeliveryTag,
        message: MessageId,
        reason: RequeueReason,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let held = match self.settling {
            Some(s) if s.queue == queue && s.tag == tag => {
                self.settling = None;
                if !s.requeue || reason != RequeueReason::Nacked {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!("{message} requeued ({reason}) after a nack without requeue"),
                    )
                    .message(message));
                }
                s.held
            }
            _ => {
                let h = self.take_held(cx, queue, consumer, tag, message, "requeued")?;
                let vt = self.books.get(&queue).and_then(QueueBook::visibility);
                let ok = match reason {
                    RequeueReason::ConsumerCrashed | RequeueReason::ConsumerCancelled => {
                        self.released.contains(&consumer)
                    }
                    RequeueReason::VisibilityTimeout => {
                        vt.is_some_and(|t| now >= h.at.saturating_add(t))
                    }
                    _ => false,
                };
                if !ok {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} requeued from {} ({reason}) without cause (delivered at \
                             {} ms, visibility timeout {vt:?})",
                            cx.consumer(consumer),
                            h.at
                        ),
                    )
                    .message(message));
                }
                h
            }
        };
        let book = self.book(cx, queue)?;
        if book
            .max_deliveries()
            .is_some_and(|m| held.stored.count >= m)
        {
            return Err(v(
                Rule::QueuePolicy,
                now,
                format!(
                    "{message} requeued after {} deliveries; the delivery limit is {:?}",
                    held.stored.count,
                    book.max_deliveries()
                ),
            )
            .message(message)
            .entity(book.name.clone()));
        }
        if book.ready.insert(held.offset, held.stored).is_some() {
            return Err(v(
                Rule::QueueConservation,
                now,
                format!(
                    "{message} requeued at offset {}, which was ready",
                    held.offset
                ),
            )
            .message(message));
        }
        Ok(())
    }

    /// A copy leaves `queue` for a dead-letter `reason` (dead-lettered or dropped): finds it
    /// where that reason says it is.
    pub(super) fn leave<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        queue: QueueId,
        message: MessageId,
        reason: DeadLetterReason,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let fail = |detail: String| {
            v(Rule::QueueConservation, now, detail)
                .message(message)
                .entity(cx.queue(queue))
        };
        match reason {
            DeadLetterReason::Rejected => match self.settling {
                Some(s) if s.queue == queue && s.held.stored.message == message && !s.requeue => {
                    self.settling = None;
                    Ok(())
                }
                _ => Err(fail(format!(
                    "{message} dead-lettered as rejected without a reject"
                ))),
            },
            DeadLetterReason::DeliveryLimit => {
                let held = match self.settling {
                    Some(s) if s.queue == queue && s.held.stored.message == message => {
                        self.settling = None;
                        s.held
                    }
                    _ => {
                        self.touched.insert(queue);
                        let released = &self.released;
                        let Some(book) = self.books.get_mut(&queue) else {
                            return Err(fail(format!("{message} left a queue never declared")));
                        };
                        let vt = book.visibility();
                        let tag = book
                            .held
                            .iter()
                            .filter(|(_, h)| h.stored.message == message)
                            .filter(|(_, h)| {
                                released.contains(&h.consumer)
                                    || vt.is_some_and(|t| now >= h.at.saturating_add(t))
                            })
                            .map(|(&t, _)| t)
                            .next();
                        let Some(tag) = tag else {
                            return Err(fail(format!(
                                "{message} dead-lettered at the delivery limit but not in flight \
                                 to a consumer that crashed, left or timed out"
                            )));
                        };
                        book.held.remove(&tag).ok_or_else(|| fail(String::new()))?
                    }
                };
                let book = self.book(cx, queue)?;
                if book.max_deliveries().is_none_or(|m| held.stored.count < m) {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} dead-lettered for the delivery limit after {} deliveries \
                             (limit {:?})",
                            held.stored.count,
                            book.max_deliveries()
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                Ok(())
            }
            DeadLetterReason::Expired => {
                match self
                    .expired
                    .iter()
                    .position(|&(q, m)| q == queue && m == message)
                {
                    Some(i) => {
                        self.expired.remove(i);
                        Ok(())
                    }
                    None => Err(fail(format!(
                        "{message} dead-lettered as expired without being reported expired"
                    ))),
                }
            }
            DeadLetterReason::MaxLength => {
                let book = self.book(cx, queue)?;
                let (max, drop_head) = book.spec.as_ref().map_or((None, false), |s| {
                    (s.max_length, s.overflow == OverflowSpec::DropHead)
                });
                let Some((&o, s)) = book.ready.first_key_value() else {
                    return Err(fail(format!(
                        "{message} dropped for max length from a queue with nothing ready"
                    )));
                };
                if s.message != message {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} dropped for max length; the oldest ready is {}",
                            s.message
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                if !drop_head || max.is_none_or(|l| (book.ready.len() as u64) < l) {
                    return Err(v(
                        Rule::QueuePolicy,
                        now,
                        format!(
                            "{message} dropped for max length with {} ready (max {max:?}, \
                             drop-head {drop_head})",
                            book.ready.len()
                        ),
                    )
                    .message(message)
                    .entity(book.name.clone()));
                }
                book.ready.remove(&o);
                Ok(())
            }
        }
    }

    /// A copy removed for good (purge, deletion): ready or in flight.
    pub(super) fn vanish<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        queue: QueueId,
        message: MessageId,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let book = self.book(cx, queue)?;
        if let Some(o) = book.ready_copy(message, None) {
            book.ready.remove(&o);
            return Ok(());
        }
        let tag = book
            .held
            .iter()
            .find(|(_, h)| h.stored.message == message)
            .map(|(&t, _)| t);
        match tag {
            Some(t) => {
                book.held.remove(&t);
                Ok(())
            }
            None => Err(v(
                Rule::QueueConservation,
                now,
                format!("{message} dropped but the queue does not hold it"),
            )
            .message(message)),
        }
    }
}
