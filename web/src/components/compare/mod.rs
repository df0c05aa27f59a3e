//! Fork and compare: the other future of a forked run beside the one on show.

mod fork_panel;
mod other_drawing;

pub use fork_panel::ForkPanel;
pub use other_drawing::OtherDrawing;
