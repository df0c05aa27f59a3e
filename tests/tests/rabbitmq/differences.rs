//! Differences from RabbitMQ that are intended, each named and documented. A workload lists
//! the ones it shows; the comparison removes exactly those from both sides and fails if a
//! listed difference no longer shows (so the list stays true) or another one does.

use super::observed::Observed;

/// A named, intended difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Difference {
    /// Publishing through the default exchange to a queue that does not exist: Brokerlab
    /// refuses it with an error (`UnknownQueue`, nothing is published), so that a typo in the
    /// playground is reported; RabbitMQ confirms it (`ack`) and drops it as unroutable.
    DefaultExchangeUnknownQueue,
}

impl Difference {
    /// Its name, as the report prints it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Difference::DefaultExchangeUnknownQueue => "default-exchange-unknown-queue",
        }
    }

    /// Removes the difference from both sides; `false` when it did not show.
    pub(crate) fn reconcile(self, ours: &mut Observed, theirs: &mut Observed) -> bool {
        match self {
            Difference::DefaultExchangeUnknownQueue => {
                let refused: Vec<String> = ours
                    .errors
                    .iter()
                    .filter(|e| e.contains("no queue is named by the routing key"))
                    .cloned()
                    .collect();
                if refused.is_empty() {
                    return false;
                }
                ours.errors.retain(|e| !refused.contains(e));
                // Each refused publish names its body: RabbitMQ's confirm of it goes.
                let before = theirs.confirms.len();
                theirs.confirms.retain(|c| {
                    !refused
                        .iter()
                        .any(|e| e.contains(&format!("publish {}:", c.body)))
                });
                before != theirs.confirms.len()
            }
        }
    }
}
