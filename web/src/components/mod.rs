//! The playground's components, one folder per area of the page, one component per file.

pub mod actions;
pub mod build;
pub mod canvas;
pub mod controls;
mod download;
pub mod export;
pub mod groups;
pub mod inspector;
pub mod picker;
pub mod share;
