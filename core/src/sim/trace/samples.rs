//! The trace encoding and `Display` of one sample of every event variant (and every reason,
//! target, option and string shape), pinned: the values were computed with the hand-written
//! encoding that preceded the event table, so a change to the table that changes a hash or a
//! line fails here, even for events no ready-made scenario produces. A new event may add its
//! samples (and their lines to `samples.txt`); existing lines never change. The share-group
//! samples (kinds 51–59) were pinned with the table when those events were added.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::TraceHasher;
use crate::event::{DeadLetterReason, DropReason, Event, RequeueReason};
use crate::exchange::ExchangeKind;
use crate::group::{LeaveReason, MemberAssignment};
use crate::ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, GroupId, LogId, MessageId, Offset, QueueId,
    StreamConsumerId, StreamId, SubscriptionId, Target,
};
use crate::ids::{ShareGroupId, ShareMemberId};
use crate::message::Payload;
use crate::share::{AcknowledgeType, ArchiveReason, ReleaseReason};
use crate::storage::StorageError;
use crate::stream::{OffsetReset, RetentionReason, StreamPartition};

fn sp(stream: u32, partition: u32) -> StreamPartition {
    StreamPartition::new(StreamId(stream), partition)
}

#[allow(clippy::too_many_lines)]
fn samples() -> Vec<Event> {
    let m = MessageId(7);
    let q = QueueId(3);
    let x = ExchangeId(2);
    let c = ConsumerId(5);
    let s = SubscriptionId(4);
    let d = DeliveryTag(9);
    let sc = StreamConsumerId(6);
    let g = GroupId(8);
    let mut v = Vec::new();
    for kind in [
        ExchangeKind::Direct,
        ExchangeKind::Fanout,
        ExchangeKind::Topic,
    ] {
        v.push(Event::ExchangeDeclared { exchange: x, kind });
    }
    v.push(Event::ExchangeDeleted { exchange: x });
    v.push(Event::QueueDeclared { queue: q });
    v.push(Event::QueueDeleted { queue: q });
    v.push(Event::QueuePurged {
        queue: q,
        count: 12,
    });
    for target in [Target::Queue(q), Target::Subscription(s)] {
        v.push(Event::Bound {
            binding: BindingId(1),
            exchange: x,
            target,
        });
        v.push(Event::Unbound {
            binding: BindingId(1),
            exchange: x,
            target,
        });
    }
    v.push(Event::ConsumerAdded {
        consumer: c,
        queue: q,
    });
    v.push(Event::ConsumerCancelled {
        consumer: c,
        queue: q,
    });
    v.push(Event::ConsumerCrashed {
        consumer: c,
        queue: q,
    });
    v.push(Event::ConsumerRestarted {
        consumer: c,
        queue: q,
    });
    v.push(Event::Subscribed { subscription: s });
    v.push(Event::Unsubscribed { subscription: s });
    v.push(Event::Published {
        message: m,
        exchange: x,
    });
    for binding in [Some(BindingId(11)), None] {
        for target in [Target::Queue(q), Target::Subscription(s)] {
            v.push(Event::Routed {
                message: m,
                exchange: x,
                binding,
                target,
            });
        }
    }
    v.push(Event::Unroutable {
        message: m,
        exchange: x,
    });
    v.push(Event::Enqueued {
        message: m,
        queue: q,
        offset: Offset(40),
    });
    v.push(Event::Rejected {
        message: m,
        queue: q,
    });
    for (redelivered, payload) in [
        (false, Payload::from("")),
        (true, Payload::from("abc")),
        (false, Payload::from("12345678")),
        (true, Payload::from("hello, world")),
    ] {
        v.push(Event::Delivered {
            message: m,
            queue: q,
            consumer: c,
            delivery: d,
            redelivered,
            delivery_count: 2,
            payload,
        });
    }
    v.push(Event::Acked {
        message: m,
        queue: q,
        consumer: c,
        delivery: d,
    });
    for requeue in [false, true] {
        v.push(Event::Nacked {
            message: m,
            queue: q,
            consumer: c,
            delivery: d,
            requeue,
        });
    }
    for reason in [
        RequeueReason::Nacked,
        RequeueReason::ConsumerCancelled,
        RequeueReason::ConsumerCrashed,
        RequeueReason::VisibilityTimeout,
    ] {
        v.push(Event::Requeued {
            message: m,
            queue: q,
            consumer: c,
            delivery: d,
            reason,
        });
    }
    v.push(Event::Expired {
        message: m,
        queue: q,
    });
    let dead = [
        DeadLetterReason::Rejected,
        DeadLetterReason::Expired,
        DeadLetterReason::MaxLength,
        DeadLetterReason::DeliveryLimit,
    ];
    for reason in dead {
        v.push(Event::DeadLettered {
            message: m,
            queue: q,
            dead_letter_queue: QueueId(13),
            reason,
        });
        v.push(Event::Dropped {
            message: m,
            queue: q,
            reason: DropReason::DeadLetter(reason),
        });
    }
    for reason in [DropReason::Purged, DropReason::QueueDeleted] {
        v.push(Event::Dropped {
            message: m,
            queue: q,
            reason,
        });
    }
    v.push(Event::Buffered {
        message: m,
        subscription: s,
    });
    v.push(Event::Received {
        message: m,
        subscription: s,
    });
    v.push(Event::Lagged {
        message: m,
        subscription: s,
        missed: 3,
    });
    for error in [
        StorageError::UnknownLog(LogId(1)),
        StorageError::LogExists(LogId(2)),
        StorageError::OutOfRange {
            log: LogId(3),
            offset: Offset(4),
        },
        StorageError::Full,
        StorageError::Corrupt {
            log: LogId(5),
            offset: Offset(6),
        },
        StorageError::Io,
    ] {
        v.push(Event::StorageFailed { queue: q, error });
    }
    v.push(Event::EventsLost { count: 100 });
    v.push(Event::StreamDeclared {
        stream: StreamId(1),
        partitions: 4,
    });
    v.push(Event::PartitionsAdded {
        stream: StreamId(1),
        partitions: 6,
    });
    v.push(Event::Appended {
        message: m,
        partition: sp(1, 2),
        offset: Offset(17),
    });
    for reason in [
        RetentionReason::Records,
        RetentionReason::Bytes,
        RetentionReason::Age,
    ] {
        v.push(Event::RetentionApplied {
            partition: sp(1, 3),
            start: Offset(20),
            dropped: 5,
            reason,
        });
    }
    v.push(Event::StreamConsumerCreated {
        consumer: sc,
        stream: StreamId(1),
    });
    v.push(Event::StreamConsumerClosed { consumer: sc });
    for redelivered in [0, 2] {
        v.push(Event::Polled {
            consumer: sc,
            partition: sp(1, 0),
            first: Offset(3),
            count: 4,
            redelivered,
        });
    }
    v.push(Event::Seeked {
        consumer: sc,
        partition: sp(1, 1),
        offset: Offset(30),
    });
    for (from, policy) in [
        (Some(Offset(2)), OffsetReset::Earliest),
        (None, OffsetReset::Latest),
        (Some(Offset(50)), OffsetReset::None),
    ] {
        v.push(Event::OffsetReset {
            consumer: sc,
            partition: sp(2, 1),
            from,
            to: Offset(10),
            policy,
        });
    }
    v.push(Event::GroupCreated { group: g });
    v.push(Event::MemberJoined {
        group: g,
        member: sc,
    });
    for reason in [LeaveReason::Left, LeaveReason::SessionTimeout] {
        v.push(Event::MemberLeft {
            group: g,
            member: sc,
            reason,
        });
    }
    for partitions in [vec![], vec![sp(1, 0), sp(1, 2)]] {
        v.push(Event::PartitionsRevoked {
            group: g,
            generation: 3,
            member: sc,
            partitions,
        });
    }
    for assignment in [
        vec![],
        vec![
            MemberAssignment {
                member: sc,
                partitions: vec![sp(1, 0), sp(2, 1)],
            },
            MemberAssignment {
                member: StreamConsumerId(10),
                partitions: vec![],
            },
        ],
    ] {
        v.push(Event::Rebalanced {
            group: g,
            generation: 4,
            assignment,
        });
    }
    for previous in [None, Some(Offset(8))] {
        v.push(Event::Committed {
            group: g,
            member: sc,
            partition: sp(1, 2),
            offset: Offset(12),
            previous,
        });
    }
    share_samples(&mut v);
    v
}

/// One sample of each share-group event (kinds 51–59), every reason and acknowledgement.
fn share_samples(v: &mut Vec<Event>) {
    let group = ShareGroupId(2);
    let member = ShareMemberId(3);
    let partition = sp(1, 2);
    let partitions = vec![sp(1, 0), sp(1, 1)];
    v.push(Event::ShareGroupCreated {
        group,
        partitions: partitions.clone(),
    });
    v.push(Event::ShareMemberJoined {
        group,
        member,
        partitions,
    });
    for reason in [ReleaseReason::Left, ReleaseReason::Crashed] {
        v.push(Event::ShareMemberLeft {
            group,
            member,
            reason,
        });
        v.push(Event::ShareReleased {
            group,
            member,
            partition,
            offset: Offset(4),
            reason,
        });
    }
    v.push(Event::ShareAcquired {
        group,
        member,
        partition,
        offset: Offset(4),
        message: MessageId(7),
        delivery_count: 2,
        until: crate::time::Instant::from_millis(1_500),
    });
    for kind in [
        AcknowledgeType::Accept,
        AcknowledgeType::Release,
        AcknowledgeType::Reject,
    ] {
        v.push(Event::ShareAcknowledged {
            group,
            member,
            partition,
            offset: Offset(4),
            kind,
        });
    }
    v.push(Event::ShareLockExpired {
        group,
        member,
        partition,
        offset: Offset(4),
    });
    for reason in [ArchiveReason::DeliveryLimit, ArchiveReason::Gone] {
        v.push(Event::ShareArchived {
            group,
            partition,
            offset: Offset(4),
            delivery_count: 5,
            reason,
        });
    }
    v.push(Event::ShareStartMoved {
        group,
        partition,
        start: Offset(6),
        previous: Offset(4),
    });
}

fn hash(e: &Event) -> u64 {
    let mut h = TraceHasher::new();
    h.broker_event(e);
    h.finish()
}

/// Every sample as `hash line`, one a line.
fn rendered() -> String {
    let mut out = String::new();
    for e in samples() {
        out.push_str(&format!("{:#018x} {e}\n", hash(&e)));
    }
    out
}

/// `hash line` for each sample, computed before the table replaced the hand-written code.
const PINNED: &str = include_str!("samples.txt");

#[test]
fn every_variant_encodes_and_displays_as_pinned() {
    let got = rendered();
    for (i, (g, p)) in got.lines().zip(PINNED.lines()).enumerate() {
        assert_eq!(g, p, "sample {i}");
    }
    assert_eq!(got.lines().count(), PINNED.lines().count());
}
