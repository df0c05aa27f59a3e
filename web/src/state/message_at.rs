//! Which message a cell drawn on the canvas stands for (a story opens from it): a queue's
//! cell is one of its messages, a stream's log cell one record.

use brokerlab::{MessageId, Offset, StreamPartition};

use super::AppState;

impl AppState {
    /// The message cell `index` of queue `queue`'s bar stands for: its ready messages oldest
    /// first, then those delivered and not acked, consumer by consumer.
    #[must_use]
    pub fn queue_message(&self, queue: &str, index: usize) -> Option<MessageId> {
        let e = self.engine.borrow();
        let b = e.sim.broker();
        let id = b.queue_id(queue)?;
        let ready = b.ready_messages(id);
        if let Some(m) = ready.get(index) {
            return Some(m.message);
        }
        b.queue_consumers(id)
            .flat_map(|c| b.unacked(c))
            .nth(index - ready.len())
            .map(|u| u.message)
    }

    /// The message of the record at `offset` of partition `partition` of `stream`, while the
    /// log holds it.
    #[must_use]
    pub fn record_message(&self, stream: &str, partition: u32, offset: u64) -> Option<MessageId> {
        let e = self.engine.borrow();
        let b = e.sim.broker();
        let p = StreamPartition::new(b.stream_id(stream)?, partition);
        b.stream_record(p, Offset(offset)).map(|r| r.message)
    }
}
