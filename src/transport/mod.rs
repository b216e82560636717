//! The browser side of talking to the API: `fetch` through gloo-net, a timeout and
//! cancellation through `AbortController`, the token from the host (a value or an async
//! callback), one refresh on 401, quiet waits on throttling, and the answer read with the
//! browser's own `JSON.parse` before it goes through the DOM-free classifier in
//! [`crate::api`].
//!
//! Writes are never retried blindly after a lost answer: the runner (`submit.rs`) first
//! looks with [`ApiClient::find`] ([`ApiClient::find_thread`] and [`ApiClient::find_file`]
//! name its two look-ups). Nothing waits
//! forever: the host's token callback and uploader race `Cancellation::bounded`.
//!
//! One concern a file: [`client`] (the requests and their retry policy), [`cancel`]
//! (cancellation and bounded waits), [`token_source`] (where the token comes from) and
//! [`payload`] (request bodies and reading answers as the browser does).

use std::time::Duration;

pub mod cancel;
pub mod client;
pub mod new_key;
pub mod payload;
pub mod token_source;

pub use cancel::Cancellation;
pub use client::{ApiClient, Method};
pub use new_key::new_key;
pub use payload::{body_from_text, file_payload};
pub use token_source::{TokenFuture, TokenSource};

/// How long a request may take before it is abandoned, unless the host says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The spacing kept between two requests: the documented minimum is "1 per 100 ms",
/// measured by the server on arrival, so a margin absorbs network jitter.
pub const MIN_SPACING: Duration = Duration::from_millis(125);

/// How many times one request is sent while the API answers "throttled".
pub const MAX_THROTTLED_ATTEMPTS: u32 = 3;

/// The longest quiet wait on one `Retry-After`; a longer demand ends the attempts.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// The longest a keyed write waits in all while the backend answers that its key is
/// still in flight (409): longer than the host backend's default settle window (35 s),
/// in which it looks up a write whose upstream answer was lost.
pub const MAX_KEY_WAIT: Duration = Duration::from_secs(60);

/// The endpoint that creates conversations.
pub const THREADS_PATH: &str = "/api/community/communitythreads";

/// The endpoint that attaches files to conversations.
pub const THREAD_FILES_PATH: &str = "/api/community/communitythreadfiles";
