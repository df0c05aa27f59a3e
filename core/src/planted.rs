//! A known bug to plant in the engine, so that a test can show the swarm's invariants catch
//! one (`core/tests/swarm_planted.rs`). Compiled only with the `planted-bug` feature, which
//! only that test's command enables, and even then off until a test turns it on.
//!
//! The bug: a consumer crash forgets the last delivery the consumer held. The message is
//! neither requeued nor reported: it is silently lost.

use core::sync::atomic::{AtomicBool, Ordering};

static ON: AtomicBool = AtomicBool::new(false);

/// Turns the planted bug on or off (for every broker in the process).
pub fn set(on: bool) {
    ON.store(on, Ordering::SeqCst);
}

/// Whether the planted bug is on.
pub(crate) fn on() -> bool {
    ON.load(Ordering::SeqCst)
}
