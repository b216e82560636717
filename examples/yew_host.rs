//! A Rust host: a Yew app that renders the [`StartConversation`] component itself — no
//! JavaScript API, no custom element. The panel's props are its whole configuration, grouped
//! as the API connection (`api`), the conversation (`target`), the files and the host's callbacks.
//!
//! ```sh
//! cargo build --example yew_host --target wasm32-unknown-unknown
//! ```
//!
//! To see it in a page, serve it with trunk from an index.html holding
//! `<link data-trunk rel="rust" data-wasm-opt="z" />` and
//! `<link data-trunk rel="css" href="static/nexudus-start-conversation.css" />`
//! (`trunk serve --example yew_host`). In a Cargo.toml of your own, depend on the crate with
//! `default-features = false` to leave out the JavaScript API.

use std::rc::Rc;

use nexudus_start_conversation::config::{AttachFailed, Created, Limits, PanelError};
use nexudus_start_conversation::i18n::{Locale, Strings};
use nexudus_start_conversation::token::TokenError;
use nexudus_start_conversation::transport::TokenFuture;
use nexudus_start_conversation::{
    ApiSettings, BearerToken, FileSettings, HostCallbacks, StartConversation, Target, TokenSource,
};
use yew::prelude::*;

/// Where the host's own sign-in keeps the member's Nexudus token. A real host asks its
/// backend (and gets a fresh one when `refresh` is true, after a 401).
async fn member_token(refresh: bool) -> Result<BearerToken, TokenError> {
    let _ = refresh;
    Ok(BearerToken::new("sandbox-member-token"))
}

#[function_component(App)]
fn app() -> Html {
    let locale = use_state(|| Locale::En);
    let last_event = use_state(String::new);

    // Built once: the panel sees the same token source across renders.
    let token = use_memo((), |_| {
        TokenSource::Provider(Rc::new(|refresh| -> TokenFuture {
            Box::pin(member_token(refresh))
        }))
    });
    // English is compiled in; another language is its pack (`locales/<tag>.json`, here
    // built into the host; a host may as well fetch it) read into overrides, with the
    // host's own on top (the later entry wins).
    let strings = use_memo(*locale, |locale| {
        let pack: Vec<(String, String)> = match locale {
            Locale::Fr => serde_json::from_str::<std::collections::BTreeMap<String, String>>(
                include_str!("../locales/fr.json"),
            )
            .map(|pack| pack.into_iter().collect())
            .unwrap_or_default(),
            _ => Vec::new(),
        };
        let own = [(
            "submitStart".to_owned(),
            "Share with the community".to_owned(),
        )];
        Strings::with_overrides_by_key(*locale, pack.into_iter().chain(own)).unwrap_or_default()
    });

    let on_created = {
        let last_event = last_event.clone();
        Callback::from(move |created: Created| {
            last_event.set(format!(
                "conversation {} created (attachment: {:?})",
                created.thread_id, created.file_id
            ))
        })
    };
    let on_attach_failed = {
        let last_event = last_event.clone();
        Callback::from(move |failed: AttachFailed| {
            last_event.set(format!(
                "conversation {}: attachment failed",
                failed.thread_id
            ))
        })
    };
    let on_error = {
        let last_event = last_event.clone();
        Callback::from(move |error: PanelError| last_event.set(format!("error: {}", error.code)))
    };
    let toggle_locale = {
        let locale = locale.clone();
        Callback::from(move |_| {
            locale.set(match *locale {
                Locale::En => Locale::Fr,
                _ => Locale::En,
            })
        })
    };

    let api = ApiSettings {
        base_url: "https://spaces.nexudus.com".into(),
        token: (*token).clone(),
        ..ApiSettings::default()
    };
    let files = FileSettings {
        limits: Limits {
            max_bytes: 10 * 1024 * 1024,
            accept: vec!["image/*".into(), ".pdf".into()],
            max_files: 3,
        },
        ..FileSettings::default()
    };

    html! {
        <main>
            <button type="button" onclick={toggle_locale}>{ "English / Français" }</button>
            <StartConversation
                {api}
                target={Target { business_id: Some(1), user_id: Some(10), ..Target::default() }}
                {files}
                strings={(*strings).clone()}
                draft_key={Some(AttrValue::from("community-draft"))}
                conversation_url={Some(AttrValue::from("/community/threads/{id}"))}
                host={HostCallbacks { on_created, on_attach_failed, on_error }}
            />
            <p role="status">{ (*last_event).clone() }</p>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
