//! The queue account at the end of a step: what the step still owes (routed copies not
//! enqueued, nacks not settled, crashed consumers still holding), the queues' limits, and
//! the account against the broker's read API (`queue_stats`, `ready_messages`,
//! `queue_consumers`, `unacked`).

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::queues::{QueueBook, Queues, v};
use super::violation::{Rule, Violation};
use crate::ids::{ConsumerId, DeliveryTag, MessageId, QueueId};
use crate::sim::scenario::OverflowSpec;
use crate::storage::Storage;

impl Queues {
    /// What the step still owes, and the account against the broker's read API.
    pub(super) fn end_step<S: Storage>(&mut self, cx: &Ctx<'_, S>) -> Result<(), Violation> {
        let now = cx.now;
        if let Some(&(m, q)) = self.expect.first() {
            return Err(v(
                Rule::Routing,
                now,
                format!(
                    "{m} routed or dead-lettered to {} and neither enqueued nor reported \
                     rejected",
                    cx.queue(q)
                ),
            )
            .message(m)
            .entity(cx.queue(q)));
        }
        if let Some(s) = self.settling.take() {
            return Err(v(
                Rule::QueueConservation,
                now,
                format!(
                    "{} nacked and neither requeued nor dead-lettered",
                    s.held.stored.message
                ),
            )
            .message(s.held.stored.message));
        }
        if let Some(&(q, m)) = self.expired.first() {
            return Err(v(
                Rule::QueueConservation,
                now,
                format!("{m} expired and neither dead-lettered nor dropped"),
            )
            .message(m)
            .entity(cx.queue(q)));
        }
        for c in self.released.clone() {
            self.returned(cx, c)?;
        }
        for c in core::mem::take(&mut self.cancelled) {
            self.consumers.remove(&c);
        }
        let touched = core::mem::take(&mut self.touched);
        // A limit that passed may wait for the broker's next deadline, which must then be due.
        let woken = cx
            .broker
            .poll_timeout()
            .is_some_and(|t| t.as_millis() <= now);
        for (&q, book) in &self.books {
            check_policies(now, book, woken)?;
            if touched.contains(&q) {
                self.check_against_broker(cx, q, book)?;
            }
        }
        Ok(())
    }

    pub(super) fn check_against_broker<S: Storage>(
        &self,
        cx: &Ctx<'_, S>,
        q: QueueId,
        book: &QueueBook,
    ) -> Result<(), Violation> {
        let now = cx.now;
        let fail =
            |detail: String| v(Rule::QueueConservation, now, detail).entity(book.name.clone());
        let Some(stats) = cx.broker.queue_stats(q) else {
            return Err(fail(format!("{} is gone from the broker", book.name)));
        };
        if stats.ready != book.ready.len()
            || stats.unacked != book.held.len()
            || stats.enqueued != book.log.len() as u64
        {
            return Err(fail(format!(
                "{}: the broker counts {} ready, {} unacked, {} enqueued; the account {} ready, \
                 {} in flight, {} enqueued ({} acked, {} dead-lettered, {} dropped)",
                book.name,
                stats.ready,
                stats.unacked,
                stats.enqueued,
                book.ready.len(),
                book.held.len(),
                book.log.len(),
                book.acked,
                book.dead_lettered,
                book.dropped
            )));
        }
        let mut ready: Vec<(u64, MessageId, u32)> = cx
            .broker
            .ready_messages(q)
            .iter()
            .map(|r| (r.offset.0, r.message, r.delivery_count))
            .collect();
        crate::sort::sort(&mut ready);
        let mine: Vec<(u64, MessageId, u32)> = book
            .ready
            .iter()
            .map(|(&o, s)| (o, s.message, s.count))
            .collect();
        if ready != mine {
            let mut e = fail(format!(
                "{}: the broker's ready messages differ from the account",
                book.name
            ));
            for (o, m, c) in ready.iter().chain(&mine) {
                if !(ready.contains(&(*o, *m, *c)) && mine.contains(&(*o, *m, *c))) {
                    e = e.message(*m);
                }
            }
            return Err(e);
        }
        let attached: BTreeSet<ConsumerId> = cx.broker.queue_consumers(q).collect();
        let known: BTreeSet<ConsumerId> = self
            .consumers
            .iter()
            .filter(|(_, c)| c.queue == q)
            .map(|(&id, _)| id)
            .collect();
        if attached != known {
            return Err(fail(format!(
                "{}: the broker lists {} consumers, the account {}",
                book.name,
                attached.len(),
                known.len()
            )));
        }
        for &c in &attached {
            let mut theirs: Vec<(DeliveryTag, MessageId, u32)> = cx
                .broker
                .unacked(c)
                .iter()
                .map(|u| (u.delivery, u.message, u.delivery_count))
                .collect();
            crate::sort::sort(&mut theirs);
            let mine: Vec<(DeliveryTag, MessageId, u32)> = book
                .held
                .iter()
                .filter(|(_, h)| h.consumer == c)
                .map(|(&t, h)| (t, h.stored.message, h.stored.count))
                .collect();
            if theirs != mine {
                return Err(fail(format!(
                    "{}: {} holds {} deliveries in the broker, {} in the account",
                    book.name,
                    cx.consumer(c),
                    theirs.len(),
                    mine.len()
                ))
                .entity(cx.consumer(c)));
            }
        }
        Ok(())
    }
}

/// The queue's limits hold at the end of a step: max length; a visibility timeout or TTL
/// that passed only while the broker asks to be called now (`woken`).
fn check_policies(now: u64, book: &QueueBook, woken: bool) -> Result<(), Violation> {
    let Some(spec) = &book.spec else {
        return Ok(());
    };
    // Requeues may take a `reject-publish` queue past its limit (they refuse nothing); a
    // `drop-head` queue trims back at once (after a restart, at its next call).
    if let Some(l) = spec.max_length
        && spec.overflow == OverflowSpec::DropHead
        && !woken
        && book.ready.len() as u64 > l
    {
        return Err(v(
            Rule::QueuePolicy,
            now,
            format!(
                "{} holds {} ready with max length {l}",
                book.name,
                book.ready.len()
            ),
        )
        .entity(book.name.clone()));
    }
    if let Some(t) = spec.visibility_timeout_ms
        && !woken
        && let Some(h) = book.held.values().find(|h| now >= h.at.saturating_add(t))
    {
        return Err(v(
            Rule::QueuePolicy,
            now,
            format!(
                "{} in flight since {} ms, past the visibility timeout of {t} ms, and the \
                 broker does not ask to be called",
                h.stored.message, h.at
            ),
        )
        .message(h.stored.message)
        .entity(book.name.clone()));
    }
    if let Some(t) = spec.message_ttl_ms
        && !woken
        && let Some(s) = book
            .ready
            .values()
            .find(|s| now >= s.since.saturating_add(t))
    {
        return Err(v(
            Rule::QueuePolicy,
            now,
            format!(
                "{} still ready at {now} ms, enqueued at {} ms with TTL {t} ms, and the \
                 broker does not ask to be called",
                s.message, s.since
            ),
        )
        .message(s.message)
        .entity(book.name.clone()));
    }
    Ok(())
}
