//! The trunk demo: a stand-in host page that renders the panel against the local
//! sandbox (`cargo xtask demo` starts both; trunk proxies `/api` to the sandbox).

use nexudus_start_conversation::config::Created;
use nexudus_start_conversation::{BearerToken, StartConversation, TokenSource};
use yew::prelude::*;

/// The sandbox's seeded administrator token. A real host page gets its member's token
/// from its own sign-in and passes it in; it never comes from the page URL.
const DEMO_TOKEN: &str = "sandbox-admin-token";

/// The sandbox's seeded conversation "Welcome to the board".
const DEMO_THREAD_ID: u64 = 1001;

#[function_component(DemoHost)]
fn demo_host() -> Html {
    // The sandbox is reached through trunk's proxy on the page's own origin.
    let base_url = gloo_origin();
    let last_created = use_state(|| None::<u64>);
    let on_created = {
        let last_created = last_created.clone();
        Callback::from(move |created: Created| last_created.set(created.file_id))
    };
    html! {
        <main class="demo">
            <header class="demo-header">
                <h1>{ "Discussion Board — attach a file" }</h1>
                <p>{ "A demo host page. The panel below talks to the local sandbox of the Nexudus API; conversation " }
                   <code>{ DEMO_THREAD_ID }</code>{ " is seeded there." }</p>
            </header>
            <StartConversation
                base_url={base_url}
                token={TokenSource::from(BearerToken::new(DEMO_TOKEN))}
                thread_id={Some(DEMO_THREAD_ID)}
                {on_created}
            />
            <p class="demo-log" data-testid="demo-log">
                { last_created.map(|id| format!("Host page saw onCreated with file {id}.")).unwrap_or_default() }
            </p>
        </main>
    }
}

fn gloo_origin() -> AttrValue {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .map(AttrValue::from)
        .unwrap_or_default()
}

fn main() {
    yew::Renderer::<DemoHost>::new().render();
}
