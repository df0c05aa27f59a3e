//! The table of events: every [`Event`] variant once, with its doc comment, its fields and
//! their docs, its [`EventKind`] number (which the trace hash writes, so it never changes) and
//! its `Display` line. The trace encoding is the kind number, then the fields in order. Adding
//! an event is adding an entry here (and emitting it); see the [module docs](super).

use super::{DeadLetterReason, DropReason, RequeueReason, write_partitions};
use crate::exchange::ExchangeKind;
use crate::group::{GroupState, LeaveReason, MemberAssignment};
use crate::ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, GroupId, MessageId, Offset, QueueId,
    ShareGroupId, ShareMemberId, StreamConsumerId, StreamId, SubscriptionId, Target,
};
use crate::message::Payload;
use crate::share::{AcknowledgeType, ArchiveReason, ReleaseReason};
use crate::storage::StorageError;
use crate::stream::{OffsetReset, RetentionReason, StreamPartition};
use crate::time::Instant;
use alloc::vec::Vec;

event_table! {
    /// Something that happened in the broker. Drain them with
    /// [`Broker::poll_event`](crate::Broker::poll_event).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    #[non_exhaustive]
    pub enum Event;

    /// The kind of an [`Event`], without its data; what an [`EventFilter`](super::EventFilter)
    /// selects.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    #[non_exhaustive]
    #[repr(u8)]
    pub enum EventKind;

    /// An exchange was declared.
    ExchangeDeclared = 0 {
        /// The exchange.
        exchange: ExchangeId,
        /// Its routing kind.
        kind: ExchangeKind,
    }
    display("exchange-declared {exchange} {kind}");

    /// An exchange and its bindings were deleted.
    ExchangeDeleted = 1 {
        /// The exchange.
        exchange: ExchangeId,
    }
    display("exchange-deleted {exchange}");

    /// A queue was declared.
    QueueDeclared = 2 {
        /// The queue.
        queue: QueueId,
    }
    display("queue-declared {queue}");

    /// A queue was deleted (its messages are reported as dropped first).
    QueueDeleted = 3 {
        /// The queue.
        queue: QueueId,
    }
    display("queue-deleted {queue}");

    /// A queue's ready messages were removed (each is also reported as dropped).
    QueuePurged = 4 {
        /// The queue.
        queue: QueueId,
        /// How many messages were removed.
        count: u64,
    }
    display("purged {queue} n={count}");

    /// A binding was created.
    Bound = 5 {
        /// The binding.
        binding: BindingId,
        /// Its exchange.
        exchange: ExchangeId,
        /// Where it sends messages.
        target: Target,
    }
    display("bound {binding} {exchange}->{target}");

    /// A binding was removed.
    Unbound = 6 {
        /// The binding.
        binding: BindingId,
        /// Its exchange.
        exchange: ExchangeId,
        /// Where it sent messages.
        target: Target,
    }
    display("unbound {binding} {exchange}->{target}");

    /// A consumer attached to a queue.
    ConsumerAdded = 7 {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    }
    display("consumer-added {consumer} {queue}");

    /// A consumer was cancelled and forgotten.
    ConsumerCancelled = 8 {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    }
    display("consumer-cancelled {consumer} {queue}");

    /// A consumer crashed; it receives nothing until restarted.
    ConsumerCrashed = 9 {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    }
    display("consumer-crashed {consumer} {queue}");

    /// A crashed consumer came back.
    ConsumerRestarted = 10 {
        /// The consumer.
        consumer: ConsumerId,
        /// Its queue.
        queue: QueueId,
    }
    display("consumer-restarted {consumer} {queue}");

    /// A pub/sub subscription was created.
    Subscribed = 11 {
        /// The subscription.
        subscription: SubscriptionId,
    }
    display("subscribed {subscription}");

    /// A subscription and its bindings were removed.
    Unsubscribed = 12 {
        /// The subscription.
        subscription: SubscriptionId,
    }
    display("unsubscribed {subscription}");

    /// A message was accepted for routing.
    Published = 13 {
        /// The message.
        message: MessageId,
        /// The exchange it was published to.
        exchange: ExchangeId,
    }
    display("published {message} {exchange}");

    /// A message matched a binding (or the default exchange's queue).
    Routed = 14 {
        /// The message.
        message: MessageId,
        /// The exchange.
        exchange: ExchangeId,
        /// The binding that matched; `None` for the default exchange.
        binding: Option<BindingId>,
        /// Where it goes.
        target: Target,
    }
    display(|f| {
        write!(f, "routed {message} {exchange}->{target}")?;
        if let Some(b) = binding {
            write!(f, " via {b}")?;
        }
        Ok(())
    });

    /// A message matched no binding and was discarded.
    Unroutable = 15 {
        /// The message.
        message: MessageId,
        /// The exchange.
        exchange: ExchangeId,
    }
    display("unroutable {message} {exchange}");

    /// A copy of a message was appended to a queue's log.
    Enqueued = 16 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// Its offset in the queue's log.
        offset: Offset,
    }
    display("enqueued {message} {queue}{offset}");

    /// A full `reject-publish` queue refused a message.
    Rejected = 17 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
    }
    display("rejected {message} {queue}");

    /// A message was handed to a consumer.
    Delivered = 18 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer.
        consumer: ConsumerId,
        /// The handle to ack or nack it with.
        delivery: DeliveryTag,
        /// Whether it was delivered before.
        redelivered: bool,
        /// How many times it has been delivered, this time included.
        delivery_count: u32,
        /// The bytes.
        payload: Payload,
    }
    display(|f| {
        write!(f, "delivered {message} {queue}->{consumer} {delivery}")?;
        if *redelivered {
            write!(f, " redelivered n={delivery_count}")?;
        }
        write!(f, " {payload:?}")
    });

    /// A delivery was acknowledged; the message is gone.
    Acked = 19 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer.
        consumer: ConsumerId,
        /// The delivery.
        delivery: DeliveryTag,
    }
    display("acked {message} {consumer} {delivery}");

    /// A delivery was negatively acknowledged (nack or reject).
    Nacked = 20 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer.
        consumer: ConsumerId,
        /// The delivery.
        delivery: DeliveryTag,
        /// Whether the consumer asked for it to be requeued.
        requeue: bool,
    }
    display(|f| {
        write!(f, "nacked {message} {consumer} {delivery}")?;
        if *requeue {
            f.write_str(" requeue")?;
        }
        Ok(())
    });

    /// An unacked delivery went back to the queue, to be redelivered.
    Requeued = 21 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// The consumer that held it.
        consumer: ConsumerId,
        /// The delivery that ended.
        delivery: DeliveryTag,
        /// Why.
        reason: RequeueReason,
    }
    display("requeued {message} {queue} from {consumer} {delivery} ({reason})");

    /// A message's TTL passed while it was waiting in a queue; it will never be delivered.
    Expired = 22 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
    }
    display("expired {message} {queue}");

    /// A message moved to its queue's dead-letter queue.
    DeadLettered = 23 {
        /// The message.
        message: MessageId,
        /// The queue it left.
        queue: QueueId,
        /// The dead-letter queue it goes to.
        dead_letter_queue: QueueId,
        /// Why.
        reason: DeadLetterReason,
    }
    display("dead-lettered {message} {queue}->{dead_letter_queue} ({reason})");

    /// A message was removed from a queue without an ack.
    Dropped = 24 {
        /// The message.
        message: MessageId,
        /// The queue.
        queue: QueueId,
        /// Why.
        reason: DropReason,
    }
    display("dropped {message} {queue} ({reason})");

    /// A message was put in a subscription's inbox.
    Buffered = 25 {
        /// The message.
        message: MessageId,
        /// The subscription.
        subscription: SubscriptionId,
    }
    display("buffered {message} {subscription}");

    /// A subscriber took a message from its inbox.
    Received = 26 {
        /// The message.
        message: MessageId,
        /// The subscription.
        subscription: SubscriptionId,
    }
    display("received {message} {subscription}");

    /// A full inbox overwrote its oldest message; the subscriber will be told it lagged.
    Lagged = 27 {
        /// The message that was lost.
        message: MessageId,
        /// The subscription.
        subscription: SubscriptionId,
        /// Messages lost since the subscriber last received.
        missed: u64,
    }
    display("lagged {message} {subscription} missed={missed}");

    /// Storage failed while the broker served a queue; see [`Storage`](crate::Storage).
    StorageFailed = 28 {
        /// The queue.
        queue: QueueId,
        /// The error.
        error: StorageError,
    }
    display("storage-failed {queue}: {error}");

    /// The event buffer was full and this many of the oldest events were discarded.
    EventsLost = 29 {
        /// How many.
        count: u64,
    }
    display("events-lost n={count}");

    /// A stream was declared.
    StreamDeclared = 30 {
        /// The stream.
        stream: StreamId,
        /// Its partition count.
        partitions: u32,
    }
    display("stream-declared {stream} partitions={partitions}");

    /// Partitions were added to a stream.
    PartitionsAdded = 31 {
        /// The stream.
        stream: StreamId,
        /// Its partition count now.
        partitions: u32,
    }
    display("partitions-added {stream} partitions={partitions}");

    /// A record was appended to a stream partition.
    Appended = 32 {
        /// The record's message id.
        message: MessageId,
        /// Where.
        partition: StreamPartition,
        /// Its offset.
        offset: Offset,
    }
    display("appended {message} {partition}{offset}");

    /// Retention advanced a partition's log start; the records before it are gone.
    RetentionApplied = 33 {
        /// The partition.
        partition: StreamPartition,
        /// The new log start.
        start: Offset,
        /// How many records were removed.
        dropped: u64,
        /// The bound that removed the first of them.
        reason: RetentionReason,
    }
    display("retention {partition} start={start} dropped={dropped} ({reason})");

    /// A standalone stream consumer was created.
    StreamConsumerCreated = 34 {
        /// The consumer.
        consumer: StreamConsumerId,
        /// Its stream.
        stream: StreamId,
    }
    display("stream-consumer-created {consumer} {stream}");

    /// A standalone stream consumer was closed.
    StreamConsumerClosed = 35 {
        /// The consumer.
        consumer: StreamConsumerId,
    }
    display("stream-consumer-closed {consumer}");

    /// A consumer read `count` records of a partition, offsets `first..first + count`.
    Polled = 36 {
        /// The consumer.
        consumer: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The first offset read.
        first: Offset,
        /// How many records.
        count: u64,
        /// How many of them lie below the furthest offset handed out before (to this standalone
        /// consumer, or to any member of its group): a replay, or an at-least-once redelivery.
        redelivered: u64,
    }
    display(|f| {
        write!(f, "polled {consumer} {partition}{first} n={count}")?;
        if *redelivered > 0 {
            write!(f, " redelivered={redelivered}")?;
        }
        Ok(())
    });

    /// A consumer moved its position by seeking.
    Seeked = 37 {
        /// The consumer.
        consumer: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The new position.
        offset: Offset,
    }
    display("seeked {consumer} {partition}{offset}");

    /// `auto_offset_reset` moved a position that was missing or outside the log.
    OffsetReset = 38 {
        /// The consumer.
        consumer: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The position before (`None`: there was none).
        from: Option<Offset>,
        /// The position now.
        to: Offset,
        /// The policy applied.
        policy: OffsetReset,
    }
    display(|f| {
        write!(f, "offset-reset {consumer} {partition} ")?;
        match from {
            Some(o) => write!(f, "{o}")?,
            None => f.write_str("none")?,
        }
        write!(f, "->{to} ({policy})")
    });

    /// A consumer group was created by its first join.
    GroupCreated = 39 {
        /// The group.
        group: GroupId,
    }
    display("group-created {group}");

    /// A member joined a group.
    MemberJoined = 40 {
        /// The group.
        group: GroupId,
        /// The member.
        member: StreamConsumerId,
    }
    display("joined {group} {member}");

    /// A member left a group or was evicted.
    MemberLeft = 41 {
        /// The group.
        group: GroupId,
        /// The member.
        member: StreamConsumerId,
        /// Why.
        reason: LeaveReason,
    }
    display("left {group} {member} ({reason})");

    /// A member gave up partitions in the first phase of a cooperative rebalance; they are
    /// assigned to their new owners in the next generation.
    PartitionsRevoked = 42 {
        /// The group.
        group: GroupId,
        /// The generation in which the member no longer owns them.
        generation: u32,
        /// The member.
        member: StreamConsumerId,
        /// The partitions.
        partitions: Vec<StreamPartition>,
    }
    display(|f| {
        write!(f, "revoked {group} gen={generation} {member} [")?;
        write_partitions(f, partitions)?;
        f.write_str("]")
    });

    /// A group entered a new generation with this full assignment (members sorted by id;
    /// idle members have no partitions).
    Rebalanced = 43 {
        /// The group.
        group: GroupId,
        /// The new generation.
        generation: u32,
        /// Every member and its partitions.
        assignment: Vec<MemberAssignment>,
    }
    display(|f| {
        write!(f, "rebalanced {group} gen={generation}")?;
        for a in assignment {
            write!(f, " {}=[", a.member)?;
            write_partitions(f, &a.partitions)?;
            f.write_str("]")?;
        }
        Ok(())
    });

    /// A group committed an offset for a partition.
    Committed = 44 {
        /// The group.
        group: GroupId,
        /// The member that committed.
        member: StreamConsumerId,
        /// The partition.
        partition: StreamPartition,
        /// The committed offset (the next one to read).
        offset: Offset,
        /// The offset committed before, if any.
        previous: Option<Offset>,
    }
    display(|f| {
        write!(f, "committed {group} {member} {partition}{offset}")?;
        if let Some(p) = previous {
            write!(f, " was {p}")?;
        }
        Ok(())
    });

    /// An empty group's committed offset was reset from outside it
    /// ([`Broker::reset_offsets`](crate::Broker::reset_offsets), Kafka's
    /// `kafka-consumer-groups --reset-offsets --execute`).
    OffsetsReset = 45 {
        /// The group.
        group: GroupId,
        /// The partition.
        partition: StreamPartition,
        /// The new committed offset.
        offset: Offset,
        /// The offset committed before, if any.
        previous: Option<Offset>,
    }
    display(|f| {
        write!(f, "offsets-reset {group} {partition}{offset}")?;
        if let Some(p) = previous {
            write!(f, " was {p}")?;
        }
        Ok(())
    });

    /// A static member rejoined with its group instance id before its session timed out:
    /// it took over its previous incarnation's partitions in the same generation, with no
    /// rebalance (Kafka's static membership, KIP-345). The previous one was fenced.
    StaticMemberRejoined = 46 {
        /// The group.
        group: GroupId,
        /// The member now.
        member: StreamConsumerId,
        /// The member it replaced.
        previous: StreamConsumerId,
        /// The generation, unchanged.
        generation: u32,
    }
    display("static-rejoined {group} {member} was {previous} generation {generation}");

    /// Compaction removed records from a partition of a compacted stream: older records of
    /// keys that have a newer one, and tombstones whose time was up. Offsets do not change:
    /// the removed ones are gaps readers step over.
    Compacted = 47 {
        /// The partition.
        partition: StreamPartition,
        /// How many records were removed.
        removed: u64,
        /// How many of them were tombstones whose `tombstone_retention` had passed.
        tombstones: u64,
        /// How many records the partition keeps.
        kept: u64,
    }
    display(|f| {
        write!(f, "compacted {partition} removed={removed} tombstones={tombstones} kept={kept}")
    });

    /// A group moved to another state of its rebalance protocol (see
    /// [`GroupState`](crate::GroupState)).
    GroupStateChanged = 48 {
        /// The group.
        group: GroupId,
        /// The state it left.
        from: GroupState,
        /// The state it is in now.
        to: GroupState,
    }
    display("group-state {group} {from}->{to}");

    /// Consumer protocol: a member's partitions changed on its heartbeat, as it reconciles
    /// towards its target (the partitions it gave up are reported first as
    /// `PartitionsRevoked`).
    MemberAssigned = 49 {
        /// The group.
        group: GroupId,
        /// The member.
        member: StreamConsumerId,
        /// The group epoch its partitions come from.
        epoch: u32,
        /// Every partition it owns now, sorted.
        partitions: Vec<StreamPartition>,
        /// Target partitions it waits for while their previous owners give them up.
        pending: u32,
    }
    display(|f| {
        write!(f, "member-assigned {group} {member} epoch={epoch} [")?;
        write_partitions(f, partitions)?;
        write!(f, "] pending={pending}")
    });

    /// Consumer protocol: the group epoch moved (a member joined or left, or a subscribed
    /// stream grew) and the server-side assignor computed the new target assignment.
    TargetAssignmentChanged = 50 {
        /// The group.
        group: GroupId,
        /// The new group epoch.
        epoch: u32,
        /// Each member's target partitions, members sorted by member id.
        assignment: Vec<MemberAssignment>,
    }
    display(|f| {
        write!(f, "target {group} epoch={epoch}")?;
        for a in assignment {
            write!(f, " {}=[", a.member)?;
            write_partitions(f, &a.partitions)?;
            f.write_str("]")?;
        }
        Ok(())
    });

    /// A share group was created ([`Broker::create_share_group`](crate::Broker::create_share_group),
    /// Kafka's KIP-932): its members share the records of its streams one at a time.
    ShareGroupCreated = 51 {
        /// The share group.
        group: ShareGroupId,
        /// Every partition of its streams, sorted.
        partitions: Vec<StreamPartition>,
    }
    display(|f| {
        write!(f, "share-group-created {group} [")?;
        write_partitions(f, partitions)?;
        f.write_str("]")
    });

    /// A member joined a share group and was assigned partitions by the server-side simple
    /// assignor: every partition of the group's streams (Kafka's `SimpleAssignor`), so every
    /// member gets work however many partitions there are.
    ShareMemberJoined = 52 {
        /// The share group.
        group: ShareGroupId,
        /// The member.
        member: ShareMemberId,
        /// The partitions it may fetch from, sorted.
        partitions: Vec<StreamPartition>,
    }
    display(|f| {
        write!(f, "share-joined {group} {member} [")?;
        write_partitions(f, partitions)?;
        f.write_str("]")
    });

    /// A member left a share group or crashed; the records it held were released first.
    ShareMemberLeft = 53 {
        /// The share group.
        group: ShareGroupId,
        /// The member.
        member: ShareMemberId,
        /// Left or crashed.
        reason: ReleaseReason,
    }
    display("share-left {group} {member} ({reason})");

    /// A share fetch acquired a record for a member, locked until `until`.
    ShareAcquired = 54 {
        /// The share group.
        group: ShareGroupId,
        /// The member that holds it.
        member: ShareMemberId,
        /// The partition.
        partition: StreamPartition,
        /// The record's offset.
        offset: Offset,
        /// The record's message.
        message: MessageId,
        /// Deliveries so far, this one included.
        delivery_count: u32,
        /// When the lock expires.
        until: Instant,
    }
    display("share-acquired {group} {member} {partition}{offset} {message} n={delivery_count} until {until}");

    /// A member acknowledged a record it held: accepted (done), released (available again)
    /// or rejected (archived).
    ShareAcknowledged = 55 {
        /// The share group.
        group: ShareGroupId,
        /// The member.
        member: ShareMemberId,
        /// The partition.
        partition: StreamPartition,
        /// The record's offset.
        offset: Offset,
        /// Accept, release or reject.
        kind: AcknowledgeType,
    }
    display("share-acked {group} {member} {partition}{offset} {kind}");

    /// A record's lock expired before its holder acknowledged it: the record is available
    /// again (or archived, reported next, at the delivery limit).
    ShareLockExpired = 56 {
        /// The share group.
        group: ShareGroupId,
        /// The member that held it.
        member: ShareMemberId,
        /// The partition.
        partition: StreamPartition,
        /// The record's offset.
        offset: Offset,
    }
    display("share-lock-expired {group} {member} {partition}{offset}");

    /// A member left or crashed while holding a record: the record is available again (or
    /// archived, reported next, at the delivery limit).
    ShareReleased = 57 {
        /// The share group.
        group: ShareGroupId,
        /// The member that held it.
        member: ShareMemberId,
        /// The partition.
        partition: StreamPartition,
        /// The record's offset.
        offset: Offset,
        /// Left or crashed.
        reason: ReleaseReason,
    }
    display("share-released {group} {member} {partition}{offset} ({reason})");

    /// A record was archived instead of becoming available again: it was delivered
    /// `delivery_count_limit` times, or retention removed it from the log.
    ShareArchived = 58 {
        /// The share group.
        group: ShareGroupId,
        /// The partition.
        partition: StreamPartition,
        /// The record's offset.
        offset: Offset,
        /// How many times it was delivered.
        delivery_count: u32,
        /// Why.
        reason: ArchiveReason,
    }
    display("share-archived {group} {partition}{offset} n={delivery_count} ({reason})");

    /// A share-partition's start offset (SPSO) moved forward past records all acknowledged or
    /// archived.
    ShareStartMoved = 59 {
        /// The share group.
        group: ShareGroupId,
        /// The partition.
        partition: StreamPartition,
        /// The new start offset.
        start: Offset,
        /// The start offset before.
        previous: Offset,
    }
    display("share-start {group} {partition}{start} was {previous}");
}
