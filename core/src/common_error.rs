//! The errors every per-operation error enum builds on: a refused name or key
//! ([`NameError`], with the checks `check_name` and `check_key`) and a configured limit
//! reached ([`LimitError`], [`LimitKind`]), and the `error_boilerplate` macro the enums use.
//!
//! Below `error.rs` (queues and the umbrella `Error`), `stream/error.rs` and `group/error.rs`,
//! so none has to import another to share them.

use core::fmt;

/// Why a name or key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// Names must not be empty.
    Empty,
    /// Longer than the configured maximum, in bytes.
    TooLong {
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// Contains a control character.
    ControlChar,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("name is empty"),
            NameError::TooLong { len, max } => write!(f, "{len} bytes long, the maximum is {max}"),
            NameError::ControlChar => f.write_str("contains a control character"),
        }
    }
}

impl core::error::Error for NameError {}

/// Which bounded collection is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::max_exchanges`](crate::Limits::max_exchanges).
    Exchanges,
    /// [`Limits::max_queues`](crate::Limits::max_queues).
    Queues,
    /// [`Limits::max_bindings`](crate::Limits::max_bindings).
    Bindings,
    /// [`Limits::max_consumers`](crate::Limits::max_consumers).
    Consumers,
    /// [`Limits::max_subscriptions`](crate::Limits::max_subscriptions).
    Subscriptions,
    /// [`Limits::max_queue_messages`](crate::Limits::max_queue_messages).
    QueueMessages,
    /// An id counter ran out.
    Ids,
    /// [`Limits::max_streams`](crate::Limits::max_streams).
    Streams,
    /// [`Limits::max_partitions`](crate::Limits::max_partitions).
    Partitions,
    /// [`Limits::max_partition_records`](crate::Limits::max_partition_records).
    PartitionRecords,
    /// [`Limits::max_stream_consumers`](crate::Limits::max_stream_consumers).
    StreamConsumers,
    /// [`Limits::max_groups`](crate::Limits::max_groups).
    Groups,
    /// [`Limits::max_group_members`](crate::Limits::max_group_members).
    GroupMembers,
    /// [`Limits::max_share_groups`](crate::Limits::max_share_groups).
    ShareGroups,
    /// [`Limits::max_share_group_members`](crate::Limits::max_share_group_members).
    ShareGroupMembers,
}

/// A configured cap was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitError {
    /// What is full.
    pub kind: LimitKind,
    /// The cap.
    pub limit: usize,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            LimitKind::Exchanges => "exchanges",
            LimitKind::Queues => "queues",
            LimitKind::Bindings => "bindings",
            LimitKind::Consumers => "consumers",
            LimitKind::Subscriptions => "subscriptions",
            LimitKind::QueueMessages => "messages in one queue",
            LimitKind::Ids => "ids",
            LimitKind::Streams => "streams",
            LimitKind::Partitions => "partitions in one stream",
            LimitKind::PartitionRecords => "records in one partition",
            LimitKind::StreamConsumers => "stream consumers",
            LimitKind::Groups => "consumer groups",
            LimitKind::GroupMembers => "members in one group",
            LimitKind::ShareGroups => "share groups",
            LimitKind::ShareGroupMembers => "members in one share group",
        };
        write!(f, "limit of {} {what} reached", self.limit)
    }
}

impl core::error::Error for LimitError {}

/// Implements `core::error::Error` and the `From` conversions of a per-operation error enum;
/// each wrapped error is its [`source`](core::error::Error::source), so callers can walk the
/// chain down to the cause (a name, a limit, storage).
macro_rules! error_boilerplate {
    ($name:ident { $($from:ident => $variant:ident),* $(,)? }) => {
        impl core::error::Error for $name {
            #[allow(unreachable_patterns)]
            fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
                match self {
                    $($name::$variant(e) => Some(e),)*
                    _ => None,
                }
            }
        }
        $(
            impl From<$from> for $name {
                fn from(e: $from) -> Self {
                    $name::$variant(e)
                }
            }
        )*
    };
}
pub(crate) use error_boilerplate;

/// Checks an entity name: non-empty, at most `max` bytes, no control characters.
pub(crate) fn check_name(name: &str, max: usize) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    check_key(name, max)
}

/// Checks a routing or binding key: at most `max` bytes, no control characters.
pub(crate) fn check_key(key: &str, max: usize) -> Result<(), NameError> {
    if key.len() > max {
        return Err(NameError::TooLong {
            len: key.len(),
            max,
        });
    }
    if key.chars().any(char::is_control) {
        return Err(NameError::ControlChar);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys() {
        assert_eq!(check_name("", 3), Err(NameError::Empty));
        assert_eq!(
            check_name("abcd", 3),
            Err(NameError::TooLong { len: 4, max: 3 })
        );
        assert_eq!(check_name("a\nb", 8), Err(NameError::ControlChar));
        assert_eq!(check_key("", 8), Ok(()));
    }
}
