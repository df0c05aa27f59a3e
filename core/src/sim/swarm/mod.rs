//! The swarm: many random simulations, each checked against the engine's invariants after
//! every step, and a failing one shrunk to a small scenario that still fails.
//!
//! The parts, each usable alone (the playground reuses the fault schedule, the auditor and the
//! shrinker on scenarios users draw):
//!
//! - [`generate`]: a random *valid* [`Scenario`](super::Scenario) from a seed, over the five
//!   patterns (queues with limits, TTLs, both overflow modes and dead-letter chains; exchanges
//!   of each kind; subscriptions of small capacity; streams with partitions and retention;
//!   groups with each assignor), with producers and consumers of random rates, keys,
//!   processing times, ack modes, prefetch, nacks and rejects.
//! - [`add_faults`]: a random fault schedule added to *any* valid scenario, naming only its
//!   own entities: crashes and restarts, members joining and leaving, seeks, commits,
//!   partitions added, bindings changed, rates changed, extra publishes.
//! - [`Auditor`]: keeps an account of the run built from what it did (the events a step
//!   reports) and checks it against the broker's read API after every step; the first
//!   broken rule is a [`Violation`] naming its [`Rule`], the time, the messages and the
//!   entities involved.
//! - [`shrink`]: removes entities, script steps, producers and messages and shortens the run
//!   while a predicate says the scenario still fails, keeping it valid.
//! - [`run`]: one audited run ([`run_audited`]) with an optional [`RestartPlan`] (flushes and
//!   broker restarts, for runs over a crash-testing storage), and [`case`]: the scenario and
//!   plan of a seed.
//!
//! Everything here is `no_std` + `alloc`, deterministic and integer-only, so the same seed
//! gives the same scenario, the same run and the same verdict natively and in WebAssembly.
//! The native runner over all cores, the `FileStorage` subset and `cargo xtask swarm` live
//! in `core/examples/swarm/`.

mod audit;
mod faults;
mod generate;
mod pick;
pub mod run;
mod shrink;

pub use audit::{AuditStats, Auditor, Coverage, Rule, Violation};
pub use faults::{FaultProfile, add_faults};
pub use generate::{Profile, generate};
pub use run::{
    Case, RestartPlan, RunReport, case, check_memory, run_audited, run_memory, run_plain,
};
pub use shrink::{ShrinkReport, shrink};
