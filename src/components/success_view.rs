//! What the member sees after success: the new conversation's reference, a link to it
//! when the host gives a URL template, and a way to start another. It takes focus so
//! screen reader and keyboard users land on it.

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::i18n::{Msg, Strings};

/// Properties of [`SuccessView`].
#[derive(Properties, PartialEq, Clone)]
pub struct SuccessViewProps {
    /// Whether a file was attached to an existing conversation (attach mode).
    pub attach_mode: bool,
    /// The conversation's Id.
    pub thread_id: u64,
    /// The attachment's Id, when one was attached.
    pub file_id: Option<u64>,
    /// A link template with `{id}`.
    #[prop_or_default]
    pub conversation_url: Option<AttrValue>,
    /// The strings in use.
    pub strings: Strings,
    /// "Start another".
    pub on_again: Callback<()>,
}

/// The success message.
#[function_component(SuccessView)]
pub fn success_view(props: &SuccessViewProps) -> Html {
    let strings = &props.strings;
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            if let Some(element) = node.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    let id = props.thread_id.to_string();
    let file_id = props.file_id.map(|id| id.to_string()).unwrap_or_default();
    let (title, body, again) = if props.attach_mode {
        (
            strings.get(Msg::SuccessAttach),
            strings.fill(Msg::SuccessAttachBody, &[("fileId", &file_id)]),
            strings.get(Msg::AttachAnother),
        )
    } else if props.file_id.is_some() {
        (
            strings.get(Msg::SuccessStart),
            strings.fill(
                Msg::SuccessBodyWithFile,
                &[("id", &id), ("fileId", &file_id)],
            ),
            strings.get(Msg::StartAnother),
        )
    } else {
        (
            strings.get(Msg::SuccessStart),
            strings.fill(Msg::SuccessBody, &[("id", &id)]),
            strings.get(Msg::StartAnother),
        )
    };
    let link = props
        .conversation_url
        .as_ref()
        .map(|template| template.replace("{id}", &id))
        .filter(|href| is_safe_href(href));
    let on_again = props.on_again.clone();
    html! {
        <div ref={node} class="nsc-success" role="status" part="success" tabindex="-1"
             data-thread-id={id.clone()} data-file-id={props.file_id.map(|id| id.to_string())}>
            <h2 class="nsc-title">{ title }</h2>
            <p>{ body }</p>
            <div class="nsc-actions">
                if let Some(href) = link {
                    <a class="nsc-button" href={href}>{ strings.get(Msg::ViewConversation) }</a>
                }
                <button type="button" class="nsc-button nsc-button--secondary"
                        onclick={Callback::from(move |_| on_again.emit(()))}>
                    { again }
                </button>
            </div>
        </div>
    }
}

/// Refuses `javascript:` and other script-bearing links from a host template.
fn is_safe_href(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    !(lower.starts_with("javascript:")
        || lower.starts_with("data:")
        || lower.starts_with("vbscript:"))
}
