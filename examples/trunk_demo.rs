//! The wasm that trunk builds for the demo page (`index.html`, `Trunk.toml`): the crate's
//! JavaScript API (`mount`, `PanelHandle`) as a `cdylib`, the same API the npm package
//! ships. The page itself (`static/demo.js`) uses only that API.
//!
//! It is an example rather than a `cdylib` crate type on the library so that the library
//! stays a plain `rlib` for Rust hosts (and keeps LTO; see the README).

pub use nexudus_start_conversation::js_api::{mount, PanelHandle};
