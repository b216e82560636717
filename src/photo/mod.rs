//! Photos cleaned and shrunk on the device before they are uploaded: a chosen JPEG, PNG
//! or WebP is decoded the right way up, downscaled and re-encoded by the browser, which
//! drops its EXIF (the GPS position, the camera) and other metadata.
//!
//! The work is JavaScript beside the wasm (`js/clean-image.js`, in a Worker where the
//! browser allows one), so the pixels never enter wasm memory. Here are the host's
//! settings ([`ImageSettings`], checked at the door), what happened ([`CleanReport`],
//! with the card's note) and the call ([`clean_photo`]). Only `clean` touches the DOM.

mod clean;
mod report;
mod settings;

pub use clean::{clean_photo, CleanedPhoto};
pub use report::{CleanAction, CleanNote, CleanReport, KeptReason};
pub use settings::{ImageSettings, ImageSettingsError};
