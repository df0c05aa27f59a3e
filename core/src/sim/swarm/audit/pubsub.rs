//! The pub/sub account: each subscription's inbox as the events fill and drain it. A message
//! routed to a subscription must be buffered; a full inbox must report the message it
//! overwrites (`Lagged`, with the running count since the last receive); a receive must
//! take the oldest buffered message; the broker's inbox length must match.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::ctx::Ctx;
use super::violation::{Rule, Violation};
use crate::event::Event;
use crate::ids::{MessageId, SubscriptionId, Target};
use crate::storage::Storage;

/// One subscription's inbox as the account sees it.
#[derive(Debug, Clone)]
pub(super) struct Inbox {
    name: String,
    capacity: Option<usize>,
    held: VecDeque<MessageId>,
    missed: u64,
    lagged: u64,
    received: u64,
}

/// Every live subscription's inbox, and the copies the step still owes.
#[derive(Debug, Clone, Default)]
pub(super) struct Subscriptions {
    inboxes: BTreeMap<SubscriptionId, Inbox>,
    expect: Vec<(MessageId, SubscriptionId)>,
}

fn v(now: u64, detail: String) -> Violation {
    Violation::new(Rule::PubSubLag, now, detail)
}

impl Subscriptions {
    pub(super) fn on_event<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        e: &Event,
    ) -> Result<(), Violation> {
        let now = cx.now;
        match *e {
            Event::Subscribed { subscription } => {
                let name = cx.subscription(subscription);
                let capacity = cx.specs.capacity(&name);
                self.inboxes.insert(
                    subscription,
                    Inbox {
                        name,
                        capacity,
                        held: VecDeque::new(),
                        missed: 0,
                        lagged: 0,
                        received: 0,
                    },
                );
            }
            Event::Unsubscribed { subscription } => {
                self.inboxes.remove(&subscription);
            }
            Event::Routed {
                message,
                target: Target::Subscription(s),
                ..
            } => self.expect.push((message, s)),
            Event::Lagged {
                message,
                subscription,
                missed,
            } => {
                let inbox = self.inbox(cx, subscription, message)?;
                let full = inbox.capacity.is_none_or(|c| inbox.held.len() >= c);
                if inbox.held.front() != Some(&message) || !full {
                    return Err(v(
                        now,
                        format!(
                            "{}: {message} reported lost, but the oldest buffered is {:?} and {} \
                             of {:?} are held",
                            inbox.name,
                            inbox.held.front(),
                            inbox.held.len(),
                            inbox.capacity
                        ),
                    )
                    .message(message)
                    .entity(inbox.name.clone()));
                }
                inbox.held.pop_front();
                inbox.missed += 1;
                inbox.lagged += 1;
                if missed != inbox.missed {
                    return Err(v(
                        now,
                        format!(
                            "{}: lag reported as {missed} missed, {} since the last receive",
                            inbox.name, inbox.missed
                        ),
                    )
                    .message(message)
                    .entity(inbox.name.clone()));
                }
            }
            Event::Buffered {
                message,
                subscription,
            } => {
                let Some(i) = self
                    .expect
                    .iter()
                    .position(|&(m, s)| m == message && s == subscription)
                else {
                    return Err(v(
                        now,
                        format!("{message} buffered without being routed there"),
                    )
                    .message(message)
                    .entity(cx.subscription(subscription)));
                };
                self.expect.remove(i);
                let inbox = self.inbox(cx, subscription, message)?;
                if inbox.capacity.is_some_and(|c| inbox.held.len() >= c) {
                    return Err(v(
                        now,
                        format!(
                            "{}: {message} buffered into a full inbox without a lag report",
                            inbox.name
                        ),
                    )
                    .message(message)
                    .entity(inbox.name.clone()));
                }
                inbox.held.push_back(message);
            }
            Event::Received {
                message,
                subscription,
            } => {
                let inbox = self.inbox(cx, subscription, message)?;
                if inbox.held.front() != Some(&message) {
                    return Err(v(
                        now,
                        format!(
                            "{}: received {message}, but the oldest buffered is {:?}",
                            inbox.name,
                            inbox.held.front()
                        ),
                    )
                    .message(message)
                    .entity(inbox.name.clone()));
                }
                inbox.held.pop_front();
                inbox.missed = 0;
                inbox.received += 1;
            }
            _ => {}
        }
        Ok(())
    }

    fn inbox<S: Storage>(
        &mut self,
        cx: &Ctx<'_, S>,
        s: SubscriptionId,
        m: MessageId,
    ) -> Result<&mut Inbox, Violation> {
        self.inboxes.get_mut(&s).ok_or_else(|| {
            v(
                cx.now,
                format!(
                    "{m} moved in {}, which is not subscribed",
                    cx.subscription(s)
                ),
            )
            .message(m)
        })
    }

    pub(super) fn end_step<S: Storage>(&mut self, cx: &Ctx<'_, S>) -> Result<(), Violation> {
        let now = cx.now;
        if let Some(&(m, s)) = self.expect.first() {
            return Err(v(
                now,
                format!(
                    "{m} routed to {} and never buffered: missed without a report",
                    cx.subscription(s)
                ),
            )
            .message(m)
            .entity(cx.subscription(s)));
        }
        for (&s, inbox) in &self.inboxes {
            let theirs = cx.broker.inbox_len(s);
            if theirs != Some(inbox.held.len()) {
                return Err(v(
                    now,
                    format!(
                        "{}: the broker's inbox holds {theirs:?}, the account {} ({} received, {} \
                         reported lost)",
                        inbox.name,
                        inbox.held.len(),
                        inbox.received,
                        inbox.lagged
                    ),
                )
                .entity(inbox.name.clone()));
            }
        }
        Ok(())
    }

    /// Subscriptions do not survive a broker restart.
    pub(super) fn reset_connections(&mut self) {
        self.inboxes.clear();
        self.expect.clear();
    }
}
