//! The playground's components, one folder per area of the page, one component per file.

pub mod actions;
#[cfg(feature = "editor")]
pub mod build;
pub mod canvas;
#[cfg(feature = "editor")]
pub mod check;
#[cfg(feature = "editor")]
pub mod compare;
pub mod controls;
#[cfg(feature = "editor")]
mod download;
#[cfg(feature = "editor")]
pub mod export;
pub mod groups;
pub mod inspector;
pub mod picker;
#[cfg(feature = "editor")]
pub mod share;
