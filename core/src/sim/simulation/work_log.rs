//! The work log: what each consumer took, finished processing, and dropped unfinished (a
//! crash, a removal, a reconnect, a seek or a rebalance taking its buffered work away), in
//! order. Off by default; [`Simulation::record_work`] turns it on. It is kept beside the
//! events, not among them, so it changes no trace hash: checkers such as
//! [`check`](crate::sim::check) read it to tell a message that was processed from one that was
//! only delivered.

use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::{MessageId, Offset, QueueId};
use crate::sim::metrics::{ConsumerStatus, SimConsumerId};
use crate::sim::scenario::ConsumerSpec;
use crate::storage::Storage;
use crate::stream::StreamPartition;
use crate::time::Instant;

use super::Simulation;
use super::consumers::Work;

/// One piece of work a consumer held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkItem {
    /// A queue delivery.
    Delivery {
        /// The queue.
        queue: QueueId,
        /// The message.
        message: MessageId,
    },
    /// A pub/sub subscriber's copy of this message.
    Copy(MessageId),
    /// A stream record.
    Record {
        /// Its partition.
        partition: StreamPartition,
        /// Its offset.
        offset: Offset,
    },
}

/// What happened to a piece of work at a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkStep {
    /// The consumer took it (a delivery pushed to it, a record polled, a copy received).
    Received,
    /// Processing finished (whatever the ack or commit that followed).
    Finished,
    /// Taken away before processing finished.
    Dropped,
}

/// One line of the work log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkEntry {
    /// When.
    pub at: Instant,
    /// The consumer.
    pub consumer: SimConsumerId,
    /// The work.
    pub item: WorkItem,
    /// What happened.
    pub step: WorkStep,
}

/// The keys a producer published a message with (kept while the work log is on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKeys {
    /// The message.
    pub message: MessageId,
    /// The producer's key (a record key, or what a routing key was made from).
    pub key: Option<String>,
    /// The routing key, for messages sent to an exchange.
    pub routing_key: Option<String>,
}

impl From<&Work> for WorkItem {
    fn from(w: &Work) -> Self {
        match *w {
            Work::Delivery { message, queue, .. } => WorkItem::Delivery { queue, message },
            Work::Message { message } => WorkItem::Copy(message),
            Work::Record { partition, offset } => WorkItem::Record { partition, offset },
        }
    }
}

impl<S: Storage> Simulation<S> {
    /// Starts (or stops) keeping the work log; stopping also empties it.
    pub fn record_work(&mut self, on: bool) {
        self.work_log = on.then(Vec::new);
        self.published.clear();
    }

    /// Moves the work log's entries so far into `into`, oldest first.
    pub fn take_work_log(&mut self, into: &mut Vec<WorkEntry>) {
        if let Some(log) = &mut self.work_log {
            into.append(log);
        }
    }

    /// The spec of a consumer (one of the scenario's, or one added later).
    #[must_use]
    pub fn consumer_spec(&self, consumer: SimConsumerId) -> Option<&ConsumerSpec> {
        self.consumers.get(consumer.0 as usize).map(|c| &c.spec)
    }

    /// A consumer's status (running, crashed, …).
    #[must_use]
    pub fn consumer_status(&self, consumer: SimConsumerId) -> Option<ConsumerStatus> {
        self.consumers.get(consumer.0 as usize).map(|c| c.status)
    }

    /// How many consumers the run has had (ids `0..n`).
    #[must_use]
    pub fn consumer_count(&self) -> usize {
        self.consumers.len()
    }

    /// Moves the keys of the messages producers published since the last call into `into`
    /// (kept only while the work log is on; scripted publishes are not included).
    pub fn take_published(&mut self, into: &mut Vec<PublishedKeys>) {
        into.append(&mut self.published);
    }

    pub(super) fn log_publish(
        &mut self,
        message: MessageId,
        key: Option<String>,
        routing_key: Option<String>,
    ) {
        self.published.push(PublishedKeys {
            message,
            key,
            routing_key,
        });
    }

    /// Logs one piece of work of consumer `i` as ended.
    pub(super) fn log_work(&mut self, i: usize, work: &Work, step: WorkStep) {
        if let Some(log) = &mut self.work_log {
            log.push(WorkEntry {
                at: self.now,
                consumer: SimConsumerId(i as u32),
                item: work.into(),
                step,
            });
        }
    }

    /// Drops everything consumer `i` holds (its buffered work and what it is busy with),
    /// logging each piece.
    pub(super) fn drop_work(&mut self, i: usize) {
        let c = &mut self.consumers[i];
        let busy = c.busy.take().map(|(w, _)| w);
        let inbox = core::mem::take(&mut c.inbox);
        if self.work_log.is_some() {
            for w in busy.iter().chain(inbox.iter()) {
                self.log_work(i, w, WorkStep::Dropped);
            }
        }
        let mut inbox = inbox;
        inbox.clear();
        self.consumers[i].inbox = inbox;
    }

    /// Keeps the buffered work of consumer `i` that `keep` accepts, logging the rest as
    /// dropped.
    pub(super) fn retain_work(&mut self, i: usize, mut keep: impl FnMut(&Work) -> bool) {
        let mut inbox = core::mem::take(&mut self.consumers[i].inbox);
        inbox.retain(|w| {
            let k = keep(w);
            if !k && let Some(log) = &mut self.work_log {
                log.push(WorkEntry {
                    at: self.now,
                    consumer: SimConsumerId(i as u32),
                    item: w.into(),
                    step: WorkStep::Dropped,
                });
            }
            k
        });
        self.consumers[i].inbox = inbox;
    }
}
