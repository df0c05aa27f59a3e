//! The other future's drawing, beside the comparison: the same canvas as the stage's, fed by
//! a reducer of its own that follows the fork (so selecting or moving a node in it changes
//! only this drawing), and the story of a message clicked in it, as the other future tells it.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::canvas::TopologyCanvas;
use crate::components::inspector::StoryPanel;
use crate::state::{Action, AppHandle, AppState};

/// Properties: the other future to draw.
#[derive(Properties, PartialEq)]
pub struct OtherDrawingProps {
    /// The other future, as the fork holds it now.
    pub other: AppState,
    /// It, in words.
    pub label: String,
}

/// The other future's drawing.
#[component]
pub fn OtherDrawing(props: &OtherDrawingProps) -> Html {
    let handle = {
        let first = props.other.clone();
        use_reducer(move || first)
    };
    {
        let handle = handle.clone();
        use_effect_with(props.other.clone(), move |other| {
            if *handle != *other {
                handle.dispatch(Action::Become(Rc::new(other.clone())));
            }
        });
    }
    html! {
        <figure class="other-drawing" aria-label={format!("The other future's drawing: {}", props.label)}>
            <figcaption>{ format!("The other future ({}), at {} ms", props.label, props.other.now_ms()) }</figcaption>
            <ContextProvider<AppHandle> context={handle}>
                <TopologyCanvas />
                <StoryPanel />
            </ContextProvider<AppHandle>>
        </figure>
    }
}
