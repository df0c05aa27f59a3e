//! Consumer groups: who owns which partition, in which generation, and how far behind;
//! where the lag is heading, where the group is in its rebalance protocol, and resetting the
//! offsets of an empty group.

mod assignment_table;
mod reset_form;
mod state_badge;

pub use assignment_table::AssignmentTables;
