//! The browser side of keeping and sharing work: the page opens from the URL fragment, the
//! query or the autosave (see [`state::open`]); while paused, every change is written back to
//! the fragment (so a reload or a copied address reopens the same moment) and to
//! `localStorage` (so opening the bare address again restores it).

#[cfg(feature = "editor")]
use crate::share;
use crate::state::{self, AppState, Query};

/// The `localStorage` key of the autosaved link text.
pub const AUTOSAVE_KEY: &str = "brokerlab.autosave";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page's URL query.
#[must_use]
pub fn query() -> Query {
    let search = window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    Query::parse(&search)
}

/// The state the page opens with.
#[must_use]
pub fn initial(query: &Query) -> AppState {
    let hash = window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let saved = window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten());
    state::open(&hash, query, saved.as_deref(), prefers_reduced_motion())
}

/// Whether the visitor asked the system for reduced motion.
fn prefers_reduced_motion() -> bool {
    window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|list| list.matches())
}

/// The page's address without its fragment.
fn base_url() -> String {
    let href = window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_owned()
}

/// The page's address without query and fragment.
fn page_url() -> String {
    base_url().split('?').next().unwrap_or_default().to_owned()
}

/// The full playground (not embedded) at `state`'s moment.
#[cfg(feature = "editor")]
#[must_use]
pub fn link_without_embed(state: &AppState) -> String {
    format!("{}#{}", page_url(), share::encode(&state.to_shared()))
}

/// The full playground (not embedded) at `state`'s moment, as far as the viewer build (which
/// has no link encoder) can say it: the embed's own link, or its ready-made scenario at this
/// time with its seed and speed.
#[cfg(not(feature = "editor"))]
#[must_use]
pub fn link_without_embed(state: &AppState) -> String {
    let hash = window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    state::open_in_full(&page_url(), &hash, state)
}

/// A ready `<iframe>` that embeds `state`'s moment, playing; sandboxed without
/// `allow-top-navigation`, so it can never navigate the page that embeds it.
#[cfg(feature = "editor")]
#[must_use]
pub fn embed_code(state: &AppState) -> String {
    format!(
        "<iframe src=\"{}?embed=1&amp;autoplay=1#{}\" title=\"Brokerlab playground\" \
         width=\"100%\" height=\"460\" style=\"border:0\" loading=\"lazy\" \
         sandbox=\"allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox\">\
         </iframe>",
        page_url(),
        share::encode(&state.to_shared())
    )
}

/// The full address that reopens `state`.
#[cfg(feature = "editor")]
#[must_use]
pub fn link(state: &AppState) -> String {
    format!("{}#{}", base_url(), share::encode(&state.to_shared()))
}

/// The viewer build (embeds) keeps the address it was opened with.
#[cfg(not(feature = "editor"))]
pub fn remember(_state: &AppState, _autosave: bool) {}

/// Writes `state` to the fragment (without a new history entry) and, with `autosave`, to
/// `localStorage`. Storage that is full or refused (private browsing) is skipped: the
/// fragment still holds it.
#[cfg(feature = "editor")]
pub fn remember(state: &AppState, autosave: bool) {
    let text = share::encode(&state.to_shared());
    if let Some(w) = window() {
        if let Ok(history) = w.history() {
            let url = format!("{}#{text}", base_url());
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
        if let Some(storage) = w.local_storage().ok().flatten().filter(|_| autosave) {
            let _ = storage.set_item(AUTOSAVE_KEY, &text);
        }
    }
}
