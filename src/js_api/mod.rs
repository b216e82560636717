//! The JavaScript API of the npm package: `mount(element, options)` renders the panel
//! into `element` and returns a `PanelHandle` with `update(partialOptions)` and
//! `destroy()`.
//!
//! A newcomer's map:
//! - `options`: the one table of options (name, kind, default, check, how the custom
//!   element carries it), which drives reading, `update`'s merge and the lists the
//!   element and the `.d.ts` must agree with. Adding an option starts there.
//! - [`values`]: reading one value by its kind, and why options are read with `Reflect`
//!   rather than serde (measured).
//! - `adapters`: the host's functions (`getToken`, `upload`, the callbacks) as the
//!   panel's Rust types; their arguments go through serde.
//! - `mount`: `mount` and the handle, which owns its panel.
//! - [`messages`]: the `TypeError` texts, which name the option and never echo a token.
//!
//! Nothing here panics on what a host passes: a wrong option is a `TypeError`. The
//! bindings need the `js-api` feature (on by default; a Rust host that renders
//! [`StartConversation`](crate::StartConversation) itself can turn it off). The browser
//! tests are in `tests/js_api.rs`. (`options`, `adapters` and `mount` are the modules
//! behind that feature, so they are named here without links.)

pub mod messages;
pub mod values;

#[cfg(feature = "js-api")]
pub mod adapters;
#[cfg(feature = "js-api")]
pub mod mount;
#[cfg(feature = "js-api")]
pub mod options;

#[cfg(feature = "js-api")]
pub use mount::{mount, PanelHandle};
#[cfg(feature = "js-api")]
pub use options::read_options;
