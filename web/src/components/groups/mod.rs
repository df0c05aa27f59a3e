//! Consumer groups: who owns which partition, in which generation, and how far behind.

mod assignment_table;

pub use assignment_table::AssignmentTables;
