//! The umbrella [`Error`], which every per-operation error converts into. Those live with
//! their pattern: `queue/error.rs`, `exchange/error.rs`, `pubsub/error.rs`, `stream/error.rs`,
//! `group/error.rs`; what they all share (`NameError`, `LimitError`) is in `common_error.rs`,
//! below them. The umbrella imports the per-operation errors, never the other way.
//!
//! Operating errors (bad names, unknown ids, full queues, limits) are `Result`s; no input
//! makes the broker panic.

use core::fmt;

use crate::exchange::{BindError, DeclareExchangeError, DeleteExchangeError, UnbindError};
use crate::group::{CommitError, DeleteGroupError, GroupError, JoinGroupError};
use crate::pubsub::{SubscribeError, SubscriptionError};
use crate::queue::{
    AckError, ConsumeError, ConsumerError, DeclareQueueError, PublishError, QueueError,
};
use crate::share::{
    CreateShareGroupError, JoinShareGroupError, ShareAcknowledgeError, ShareMemberError,
};
use crate::storage::StorageError;
use crate::stream::{DeclareStreamError, PollError, ProduceError, SeekError, StreamConsumerError};

/// Any broker error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// From declaring an exchange.
    DeclareExchange(DeclareExchangeError),
    /// From deleting an exchange.
    DeleteExchange(DeleteExchangeError),
    /// From declaring a queue.
    DeclareQueue(DeclareQueueError),
    /// From purging or deleting a queue.
    Queue(QueueError),
    /// From binding.
    Bind(BindError),
    /// From unbinding.
    Unbind(UnbindError),
    /// From publishing.
    Publish(PublishError),
    /// From attaching a consumer.
    Consume(ConsumeError),
    /// From cancelling, crashing or restarting a consumer.
    Consumer(ConsumerError),
    /// From ack, nack or reject.
    Ack(AckError),
    /// From subscribing.
    Subscribe(SubscribeError),
    /// From receiving or unsubscribing.
    Subscription(SubscriptionError),
    /// From storage.
    Storage(StorageError),
    /// From declaring a stream or adding partitions.
    DeclareStream(crate::stream::DeclareStreamError),
    /// From producing to a stream.
    Produce(crate::stream::ProduceError),
    /// From creating or closing a stream consumer.
    StreamConsumer(crate::stream::StreamConsumerError),
    /// From polling a stream consumer.
    Poll(crate::stream::PollError),
    /// From seeking a stream consumer.
    Seek(crate::stream::SeekError),
    /// From joining a consumer group.
    JoinGroup(crate::group::JoinGroupError),
    /// From leaving a group or heartbeating.
    Group(crate::group::GroupError),
    /// From committing offsets.
    Commit(crate::group::CommitError),
    /// From deleting a group.
    DeleteGroup(crate::group::DeleteGroupError),
    /// From creating a share group.
    CreateShareGroup(crate::share::CreateShareGroupError),
    /// From joining a share group.
    JoinShareGroup(crate::share::JoinShareGroupError),
    /// From a share group member's fetch, leave or crash.
    ShareMember(crate::share::ShareMemberError),
    /// From acknowledging share group records.
    ShareAcknowledge(crate::share::ShareAcknowledgeError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::DeclareExchange(e) => write!(f, "declare exchange: {e}"),
            Error::DeleteExchange(e) => write!(f, "delete exchange: {e}"),
            Error::DeclareQueue(e) => write!(f, "declare queue: {e}"),
            Error::Queue(e) => write!(f, "queue: {e}"),
            Error::Bind(e) => write!(f, "bind: {e}"),
            Error::Unbind(e) => write!(f, "unbind: {e}"),
            Error::Publish(e) => write!(f, "publish: {e}"),
            Error::Consume(e) => write!(f, "consume: {e}"),
            Error::Consumer(e) => write!(f, "consumer: {e}"),
            Error::Ack(e) => write!(f, "ack: {e}"),
            Error::Subscribe(e) => write!(f, "subscribe: {e}"),
            Error::Subscription(e) => write!(f, "subscription: {e}"),
            Error::Storage(e) => write!(f, "storage: {e}"),
            Error::DeclareStream(e) => write!(f, "declare stream: {e}"),
            Error::Produce(e) => write!(f, "produce: {e}"),
            Error::StreamConsumer(e) => write!(f, "stream consumer: {e}"),
            Error::Poll(e) => write!(f, "poll: {e}"),
            Error::Seek(e) => write!(f, "seek: {e}"),
            Error::JoinGroup(e) => write!(f, "join group: {e}"),
            Error::Group(e) => write!(f, "group: {e}"),
            Error::Commit(e) => write!(f, "commit: {e}"),
            Error::DeleteGroup(e) => write!(f, "delete group: {e}"),
            Error::CreateShareGroup(e) => write!(f, "create share group: {e}"),
            Error::JoinShareGroup(e) => write!(f, "join share group: {e}"),
            Error::ShareMember(e) => write!(f, "share group member: {e}"),
            Error::ShareAcknowledge(e) => write!(f, "share acknowledge: {e}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(match self {
            Error::DeclareExchange(e) => e,
            Error::DeleteExchange(e) => e,
            Error::DeclareQueue(e) => e,
            Error::Queue(e) => e,
            Error::Bind(e) => e,
            Error::Unbind(e) => e,
            Error::Publish(e) => e,
            Error::Consume(e) => e,
            Error::Consumer(e) => e,
            Error::Ack(e) => e,
            Error::Subscribe(e) => e,
            Error::Subscription(e) => e,
            Error::Storage(e) => e,
            Error::DeclareStream(e) => e,
            Error::Produce(e) => e,
            Error::StreamConsumer(e) => e,
            Error::Poll(e) => e,
            Error::Seek(e) => e,
            Error::JoinGroup(e) => e,
            Error::Group(e) => e,
            Error::Commit(e) => e,
            Error::DeleteGroup(e) => e,
            Error::CreateShareGroup(e) => e,
            Error::JoinShareGroup(e) => e,
            Error::ShareMember(e) => e,
            Error::ShareAcknowledge(e) => e,
        })
    }
}

macro_rules! into_umbrella {
    ($($from:ident => $variant:ident),* $(,)?) => {
        $(impl From<$from> for Error {
            fn from(e: $from) -> Self {
                Error::$variant(e)
            }
        })*
    };
}

into_umbrella!(
    DeclareExchangeError => DeclareExchange,
    DeleteExchangeError => DeleteExchange,
    DeclareQueueError => DeclareQueue,
    QueueError => Queue,
    BindError => Bind,
    UnbindError => Unbind,
    PublishError => Publish,
    ConsumeError => Consume,
    ConsumerError => Consumer,
    AckError => Ack,
    SubscribeError => Subscribe,
    SubscriptionError => Subscription,
    StorageError => Storage,
);

into_umbrella!(
    DeclareStreamError => DeclareStream,
    ProduceError => Produce,
    StreamConsumerError => StreamConsumer,
    PollError => Poll,
    SeekError => Seek,
    JoinGroupError => JoinGroup,
    GroupError => Group,
    CommitError => Commit,
    DeleteGroupError => DeleteGroup,
);

into_umbrella!(
    CreateShareGroupError => CreateShareGroup,
    JoinShareGroupError => JoinShareGroup,
    ShareMemberError => ShareMember,
    ShareAcknowledgeError => ShareAcknowledge,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common_error::LimitError;
    use crate::ids::{DeliveryTag, QueueId};
    use alloc::string::ToString;

    #[test]
    fn display_and_conversion() {
        let e: Error = AckError::NotOutstanding(DeliveryTag(4)).into();
        assert_eq!(
            e.to_string(),
            "ack: delivery d4 is not outstanding for this consumer"
        );
        assert!(core::error::Error::source(&e).is_some());
    }

    #[test]
    fn the_chain_reaches_the_cause() {
        use crate::common_error::LimitKind;
        use core::error::Error as _;
        let limit = LimitError {
            kind: LimitKind::Queues,
            limit: 3,
        };
        let e: Error = DeclareQueueError::from(limit).into();
        let operation = e.source().expect("the operation's error");
        let cause = operation.source().expect("the limit");
        assert_eq!(cause.to_string(), limit.to_string());
        let e = DeclareQueueError::AlreadyExists(QueueId(1));
        assert!(e.source().is_none(), "nothing below a plain refusal");
    }
}
