//! The browser side of keeping and sharing work: the page opens from the URL fragment, the
//! query or the autosave (see [`state::open`]); while paused, every change is written back to
//! the fragment (so a reload or a copied address reopens the same moment) and to
//! `localStorage` (so opening the bare address again restores it).

use crate::share;
use crate::state::{self, AppState, Query};

/// The `localStorage` key of the autosaved link text.
pub const AUTOSAVE_KEY: &str = "brokerlab.autosave";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The state the page opens with.
#[must_use]
pub fn initial() -> AppState {
    let location = window().map(|w| w.location());
    let hash = location
        .as_ref()
        .and_then(|l| l.hash().ok())
        .unwrap_or_default();
    let search = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let saved = window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten());
    state::open(&hash, &Query::parse(&search), saved.as_deref())
}

/// The page's address without its fragment.
fn base_url() -> String {
    let href = window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_owned()
}

/// The full address that reopens `state`.
#[must_use]
pub fn link(state: &AppState) -> String {
    format!("{}#{}", base_url(), share::encode(&state.to_shared()))
}

/// Writes `state` to the fragment (without a new history entry) and to the autosave.
/// Storage that is full or refused (private browsing) is skipped: the fragment still holds it.
pub fn remember(state: &AppState) {
    let text = share::encode(&state.to_shared());
    if let Some(w) = window() {
        if let Ok(history) = w.history() {
            let url = format!("{}#{text}", base_url());
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
        if let Some(storage) = w.local_storage().ok().flatten() {
            let _ = storage.set_item(AUTOSAVE_KEY, &text);
        }
    }
}
