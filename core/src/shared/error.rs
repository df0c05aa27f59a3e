//! [`SharedError`]: what a [`SharedBroker`](super::SharedBroker) call can fail with.

use core::fmt;

use crate::error::Error;
use crate::storage::StorageError;

/// Why a [`SharedBroker`](super::SharedBroker) call failed. `E` is the error of the broker
/// operation it wraps ([`PublishError`](crate::PublishError), [`AckError`](crate::AckError),
/// …); calls that wrap none use [`Infallible`](core::convert::Infallible).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SharedError<E = Error> {
    /// The broker refused the operation; see the broker method of the same name for what
    /// was done anyway.
    Broker(E),
    /// The operation was done but [`Broker::flush`](crate::Broker::flush) failed: it may not
    /// be durable, so do not report it as confirmed.
    Flush(StorageError),
    /// A thread panicked while it held the broker (inside a closure given to
    /// [`with`](super::SharedBroker::with), or a broken invariant). The broker may be
    /// half-way through a change, so every later call returns this error.
    Poisoned,
}

impl<E: fmt::Display> fmt::Display for SharedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedError::Broker(e) => e.fmt(f),
            SharedError::Flush(e) => write!(f, "flush failed: {e}"),
            SharedError::Poisoned => {
                f.write_str("the shared broker is poisoned: a thread panicked while holding it")
            }
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for SharedError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SharedError::Broker(e) => Some(e),
            SharedError::Flush(e) => Some(e),
            SharedError::Poisoned => None,
        }
    }
}

impl<E: Into<Error>> SharedError<E> {
    /// The same error with the operation's error widened into the umbrella [`Error`], so
    /// results of different calls can share one `?`.
    #[must_use]
    pub fn widen(self) -> SharedError {
        match self {
            SharedError::Broker(e) => SharedError::Broker(e.into()),
            SharedError::Flush(e) => SharedError::Flush(e),
            SharedError::Poisoned => SharedError::Poisoned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AckError;
    use crate::ids::DeliveryTag;
    use std::string::ToString;

    #[test]
    fn display_source_and_widen() {
        let e = SharedError::Broker(AckError::NotOutstanding(DeliveryTag(3)));
        assert_eq!(
            e.to_string(),
            "delivery d3 is not outstanding for this consumer"
        );
        assert!(core::error::Error::source(&e).is_some());
        assert_eq!(
            e.widen(),
            SharedError::Broker(Error::Ack(AckError::NotOutstanding(DeliveryTag(3))))
        );
        let flush: SharedError<AckError> = SharedError::Flush(StorageError::Io);
        assert!(flush.to_string().starts_with("flush failed: "));
        assert!(
            SharedError::<AckError>::Poisoned
                .to_string()
                .contains("poisoned")
        );
    }
}
