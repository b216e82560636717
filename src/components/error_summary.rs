//! The error summary, after GOV.UK's pattern: a titled box at the top of the panel that
//! lists every problem, each field error a link that moves focus to its field. It takes
//! focus after each failed submission so screen reader and keyboard users land on it.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// One line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryEntry {
    /// The id of the field to focus, for field errors; `None` for form-level problems.
    pub target: Option<String>,
    /// The message.
    pub text: String,
}

/// Properties of [`ErrorSummary`].
#[derive(Properties, PartialEq, Clone)]
pub struct ErrorSummaryProps {
    /// The problems to list; nothing renders when empty.
    pub entries: Vec<SummaryEntry>,
    /// Changes each time focus should move to the summary (each failed submission).
    pub focus_key: u32,
    /// The summary's title.
    pub title: AttrValue,
}

/// Lists every problem; links focus their fields, also inside a shadow root.
#[function_component(ErrorSummary)]
pub fn error_summary(props: &ErrorSummaryProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.focus_key, move |key| {
            // Key 0 is the first render: nothing has failed yet, so focus stays put.
            if *key > 0 {
                if let Some(element) = node.cast::<HtmlElement>() {
                    let _ = element.focus();
                }
            }
        });
    }
    if props.entries.is_empty() {
        return html! {};
    }
    html! {
        <div ref={node} class="nsc-error-summary" part="error-summary" tabindex="-1">
            <div role="alert">
                <h2 class="nsc-error-summary__title">{ props.title.clone() }</h2>
                <ul class="nsc-error-summary__list">
                    { for props.entries.iter().map(entry_view) }
                </ul>
            </div>
        </div>
    }
}

fn entry_view(entry: &SummaryEntry) -> Html {
    match &entry.target {
        Some(target) => {
            let id = target.clone();
            let onclick = Callback::from(move |event: MouseEvent| {
                event.prevent_default();
                focus_field(&event, &id);
            });
            html! { <li><a href={format!("#{target}")} {onclick}>{ entry.text.clone() }</a></li> }
        }
        None => html! { <li>{ entry.text.clone() }</li> },
    }
}

/// Focuses the element with `id` inside the same panel as the clicked element (a summary
/// link, a tag's remove button). Searching from the panel (not `document`) keeps this
/// working inside a shadow root.
pub(crate) fn focus_field(event: &MouseEvent, id: &str) {
    let field = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|clicked| clicked.closest(".nsc-panel").ok().flatten())
        .and_then(|panel| {
            panel
                .query_selector(&format!("[id=\"{id}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|element| element.dyn_into::<HtmlElement>().ok());
    if let Some(field) = field {
        field.scroll_into_view();
        let _ = field.focus();
    }
}
