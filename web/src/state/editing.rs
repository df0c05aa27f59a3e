//! Changing the topology: edits, undo and redo, RabbitMQ import. The viewer build (without
//! the `editor` feature, what embeds load) refuses them in words.

use std::rc::Rc;

#[cfg(not(feature = "editor"))]
use super::VIEWER_ONLY;
use super::{AppState, CUSTOM, Edit, Entity};
#[cfg(feature = "editor")]
use super::{UNDO_STEPS, edit};

impl AppState {
    /// Opens RabbitMQ definitions as a scenario of the user's.
    #[cfg(feature = "editor")]
    pub(super) fn import_rabbitmq(&mut self, text: &str) {
        match crate::interop::import::import(text) {
            Ok(imported) => self.start_over(AppState {
                import_notes: Rc::new(imported.notes),
                ..AppState::with_scenario(CUSTOM, imported.scenario)
            }),
            Err(e) => self.notice = Some(format!("That file is not RabbitMQ definitions: {e}")),
        }
    }

    /// The viewer build (embeds) has no importer.
    #[cfg(not(feature = "editor"))]
    pub(super) fn import_rabbitmq(&mut self, _text: &str) {
        self.notice = Some(VIEWER_ONLY.to_owned());
    }

    /// Whether a connection from `from` to `to` asks for a key first.
    #[cfg(feature = "editor")]
    pub(super) fn takes_key(&self, from: &Entity, to: &Entity) -> bool {
        edit::takes_key(&self.scenario, from, to)
    }

    /// The viewer build (embeds) edits nothing, so it asks for no key.
    #[cfg(not(feature = "editor"))]
    pub(super) fn takes_key(&self, _from: &Entity, _to: &Entity) -> bool {
        false
    }

    /// The viewer build (embeds) has no editor: an edit is refused in words.
    #[cfg(not(feature = "editor"))]
    pub(super) fn edit(&mut self, _edit: &Edit) {
        self.notice = Some(VIEWER_ONLY.to_owned());
    }

    /// Takes an edit: the new topology runs from 0, the old one goes on the undo stack.
    #[cfg(feature = "editor")]
    pub(super) fn edit(&mut self, edit: &Edit) {
        match edit::apply(&self.scenario, edit) {
            Ok((scenario, made)) => {
                // Made in the past, an edit forks: the run as it was stays beside.
                let before = self.fork_point();
                let open = self.fork.take();
                let old = std::mem::replace(&mut self.scenario, Rc::new(scenario));
                let undo = Rc::make_mut(&mut self.undo);
                undo.push(old);
                if undo.len() > UNDO_STEPS {
                    undo.remove(0);
                }
                self.redo = Rc::default();
                self.retopologise();
                match (edit, made) {
                    (Edit::Delete(gone), _) => {
                        if self.selected.as_ref() == Some(gone) {
                            self.selected = None;
                        }
                        Rc::make_mut(&mut self.moved).remove(gone);
                    }
                    (_, Some(made)) => self.selected = Some(made),
                    _ => {}
                }
                if let Some(before) = before {
                    self.fork_edit(before, open, edit);
                }
            }
            Err(why) => self.notice = Some(why),
        }
    }

    pub(super) fn undo_redo(&mut self, undo: bool) {
        let (from, to) = if undo {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(scenario) = Rc::make_mut(from).pop() else {
            self.notice = Some(format!("nothing to {}", if undo { "undo" } else { "redo" }));
            return;
        };
        let current = std::mem::replace(&mut self.scenario, scenario);
        Rc::make_mut(to).push(current);
        self.retopologise();
    }

    /// The run restarts on a changed topology, as a scenario of the user's.
    pub(super) fn retopologise(&mut self) {
        self.scenario_id = CUSTOM.to_owned();
        self.playing = false;
        self.connect_from = None;
        self.pending_connect = None;
        self.rebuild();
        if self.selected.as_ref().is_some_and(|e| !self.exists(e)) {
            self.selected = None;
        }
    }

    #[cfg(feature = "editor")]
    pub(super) fn exists(&self, e: &Entity) -> bool {
        edit::spec_json(&self.scenario, e).is_some()
    }

    /// The viewer build (embeds) changes no topology, so what is selected still exists.
    #[cfg(not(feature = "editor"))]
    pub(super) fn exists(&self, _e: &Entity) -> bool {
        true
    }
}
