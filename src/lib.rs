//! # nexudus-start-conversation
//!
//! An embeddable panel for a Nexudus coworking space's Discussion Board: a member
//! starts a conversation and attaches a picture or file. The host page supplies the
//! bearer token; the panel calls the Nexudus REST API and shows its validation errors
//! on the matching fields, accessibly. Nothing the member typed is lost to a failure.
//!
//! The DOM-free core ([`api`], [`state`], [`text`]) builds and is tested natively; the
//! [`components`] and [`transport`] run in the browser. [`js_api`] is the JavaScript API
//! of the npm package (`mount`, `PanelHandle`); the custom element is plain JavaScript in
//! `js/element.js`.
//!
//! ## Quick start: a Yew host
//!
//! ```toml
//! [dependencies]
//! nexudus-start-conversation = { version = "0.1", default-features = false } # without the JS API
//! yew = { version = "0.23", features = ["csr"] }
//! ```
//!
//! ```no_run
//! use nexudus_start_conversation::config::Created;
//! use nexudus_start_conversation::{
//!     ApiSettings, BearerToken, HostCallbacks, StartConversation, Target, TokenSource,
//! };
//! use yew::prelude::*;
//!
//! #[function_component(App)]
//! fn app() -> Html {
//!     let on_created = Callback::from(|created: Created| {
//!         web_sys::console::log_1(&format!("conversation {}", created.thread_id).into());
//!     });
//!     html! {
//!         <StartConversation
//!             api={ApiSettings {
//!                 base_url: "https://spaces.nexudus.com".into(),
//!                 token: TokenSource::from(BearerToken::new("…")),
//!                 ..ApiSettings::default()
//!             }}
//!             target={Target { business_id: Some(1), user_id: Some(10), ..Target::default() }}
//!             host={HostCallbacks { on_created, ..HostCallbacks::default() }}
//!         />
//!     }
//! }
//!
//! fn main() {
//!     yew::Renderer::<App>::new().render();
//! }
//! ```
//!
//! Build it for `wasm32-unknown-unknown` (with trunk, say) and link the panel's CSS,
//! `static/nexudus-start-conversation.css` in this crate, into the page. [`StartConversationProps`]
//! documents every property, grouped: [`ApiSettings`] (the origin, the token as a
//! [`TokenSource`] — a [`BearerToken`] or an async provider that can refresh it — and the
//! timeout), [`Target`] (the conversation to start or attach to), [`FileSettings`] (an
//! [`Uploader`](upload::Uploader) for the host's storage or an upload endpoint, and the
//! limits), [`ThreadFields`] (tags and the private choice, on or off),
//! [`Strings`](i18n::Strings) for the locale and overrides, a draft key, and the
//! [`HostCallbacks`]. `examples/yew_host.rs` is a whole app.

#![warn(missing_docs)]

pub mod address;
pub mod api;
pub mod components;
pub mod config;
pub mod draft_claim;
pub mod host_input;
pub mod i18n;
pub mod js_api;
pub mod photo;
pub mod presigned;
pub mod state;
pub mod submit;
pub mod text;
pub mod token;
pub mod transport;
pub mod upload;

/// The npm package's allocator (feature `small-allocator`): Talc is smaller than Rust's
/// default wasm allocator, and as fast or faster (BENCHMARKS.md).
#[cfg(all(
    feature = "small-allocator",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use components::{
    ApiSettings, FileSettings, StartConversation, StartConversationProps, Target,
};
pub use state::ThreadFields;
pub use submit::HostCallbacks;
pub use token::BearerToken;
pub use transport::TokenSource;
