//! Consumer groups: who owns which partition, in which generation, and how far behind;
//! where the lag is heading, and resetting the offsets of an empty group.

mod assignment_table;
mod reset_form;

pub use assignment_table::AssignmentTables;
