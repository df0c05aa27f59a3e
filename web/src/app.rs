//! The first page: runs [`crate::demo`] in the browser and shows which consumer got which
//! message, with a control to run it again with another message count.

use yew::prelude::*;

use crate::demo::{self, CONSUMERS, DemoOutcome, QUEUE};

/// How many messages the page publishes when it opens.
pub const INITIAL_COUNT: usize = 6;
/// The largest message count the control accepts.
pub const MAX_COUNT: usize = 100;

/// The root component of the playground.
#[component]
pub fn App() -> Html {
    let count = use_state(|| INITIAL_COUNT);
    let outcome = use_memo(*count, |count| demo::run(*count));

    let on_change = {
        let count = count.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            if let Ok(value) = input.value().trim().parse::<usize>() {
                count.set(value.clamp(1, MAX_COUNT));
            }
        })
    };

    html! {
        <main class="first-page">
            <header>
                <h1>{ "Brokerlab" }</h1>
                <p class="tagline">
                    { "A message broker running in your browser: one queue, two competing consumers." }
                </p>
            </header>
            <section class="controls">
                <label for="message-count">{ "Messages to publish" }</label>
                <input id="message-count" type="number" min="1" max={MAX_COUNT.to_string()}
                    value={count.to_string()} onchange={on_change} />
            </section>
            {
                match &*outcome {
                    Ok(outcome) => view_outcome(outcome),
                    Err(error) => html! {
                        <p class="error" role="alert">{ format!("The broker refused the demo: {error}") }</p>
                    },
                }
            }
        </main>
    }
}

fn view_outcome(outcome: &DemoOutcome) -> Html {
    let tally = CONSUMERS.map(|name| {
        let got = outcome
            .deliveries
            .iter()
            .filter(|row| row.consumer == name)
            .count();
        html! { <li class={format!("consumer consumer-{name}")}>{ format!("{name}: {got} messages") }</li> }
    });
    html! {
        <section id="deliveries" data-left-in-queue={outcome.left_in_queue.to_string()}>
            <h2>{ format!("Queue \u{201c}{QUEUE}\u{201d}: who got which message") }</h2>
            <ul class="tally">{ for tally }</ul>
            <table>
                <thead>
                    <tr><th>{ "message" }</th><th>{ "payload" }</th><th>{ "consumer" }</th><th>{ "state" }</th></tr>
                </thead>
                <tbody>
                    { for outcome.deliveries.iter().map(|row| html! {
                        <tr class={format!("delivery consumer-{}", row.consumer)}>
                            <td>{ &row.message }</td>
                            <td>{ &row.payload }</td>
                            <td class="consumer-name">{ &row.consumer }</td>
                            <td>{ if row.acked { "acked" } else { "in flight" } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="left">{ format!("{} left in the queue", outcome.left_in_queue) }</p>
        </section>
    }
}
