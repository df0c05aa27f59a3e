//! Brokerlab: a deterministic, sans-IO message broker.
//!
//! (Tutorial below.)

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod assign;
mod broker;
mod error;
mod event;
mod exchange;
mod ids;
mod limits;
mod message;
pub mod partitioner;
mod queue;
pub mod storage;
mod subscription;
mod time;
pub mod topic;

pub use broker::{Broker, ExchangeRef, QueueRef, ReadyMessage, Unacked};
pub use error::{
    AckError, BindError, ConsumeError, ConsumerError, DeclareExchangeError, DeclareQueueError,
    DeleteExchangeError, Error, LimitError, LimitKind, NameError, PublishError, QueueError,
    SubscribeError, SubscriptionError, UnbindError,
};
pub use event::{DeadLetterReason, DropReason, Event, RequeueReason};
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
