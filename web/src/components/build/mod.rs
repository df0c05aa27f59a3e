//! Building a topology: the palette (add, new, undo, redo), and, for the selected node, the
//! connect and delete buttons, the key of a pending connection and the spec editor.

mod connect_form;
mod palette;
mod spec_editor;

pub use connect_form::ConnectForm;
pub use palette::Palette;
pub use spec_editor::SpecEditor;
