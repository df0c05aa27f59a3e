//! Fork and compare: the other future of a forked run beside the one on show.

mod fork_panel;

pub use fork_panel::ForkPanel;
