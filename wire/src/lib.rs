//! What the sandbox (`sandbox/`) and the host backend (`host-proxy/`) both answer in, kept once:
//! the shapes the panel reads from Nexudus ([`envelope`]) and the names files are stored under
//! ([`file_name`]), and, with the feature `test-support`, what both servers' integration tests
//! drive them with ([`testing`]). The sandbox adds the shapes only Nexudus makes (success envelopes, lists,
//! its generic 500); the backend adds its own refusals (429, 502, 503, 504).

pub mod envelope;
pub mod file_name;
#[cfg(feature = "test-support")]
pub mod testing;
