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

#![warn(missing_docs)]

/// A smaller allocator than Rust's default dlmalloc for the wasm (feature `talc-allocator`,
/// part of `js-api`).
#[cfg(all(
    feature = "talc-allocator",
    target_arch = "wasm32",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod address;
pub mod api;
pub mod components;
pub mod config;
pub mod host_input;
pub mod i18n;
pub mod js_api;
pub mod presigned;
pub mod state;
pub mod submit;
pub mod text;
pub mod token;
pub mod transport;
pub mod upload;

pub use components::{StartConversation, StartConversationProps};
pub use token::BearerToken;
pub use transport::TokenSource;
