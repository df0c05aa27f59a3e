//! [`AcquiredRecord`]: a record a share fetch handed to a member, with its delivery count.

use crate::stream::StreamRecord;

/// A record [`Broker::share_fetch`](crate::Broker::share_fetch) acquired for a member: the
/// member holds it until it acknowledges it or its lock expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquiredRecord {
    /// The record as the log holds it; `redelivered` is set when it was delivered before
    /// (`delivery_count > 1`).
    pub record: StreamRecord,
    /// How many times it was delivered, this time included (at most the group's
    /// `delivery_count_limit`).
    pub delivery_count: u32,
}
