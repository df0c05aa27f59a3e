//! Sharing the playground: the whole state (scenario, the actions taken, the time, the view)
//! as a versioned, compressed text for the URL fragment (`#v1.…`) and for autosave.

mod base64;
mod link;

pub use link::{LINK_PREFIX, MAX_LINK_BYTES, Shared, SharedFork, decode, encode};
