//! Keeping and passing work on: copy a link to this moment, export the scenario as JSON,
//! import one.

mod share_bar;

pub use share_bar::ShareBar;
