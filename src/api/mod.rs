//! The DOM-free core of the Nexudus API as the widget meets it: request bodies, the
//! lenient response envelope, the outcome classifier and the property → field mapping.
//! Nothing here touches the browser, so all of it builds and is tested natively.
//!
//! The layers of an answer: the transport's raw HTTP answer (status, `Retry-After`, body
//! text; `crate::transport`) is classified here into an [`Outcome`]; a request that got
//! no answer at all is a [`TransportError`]; the two together are a [`Reply`]. The panel
//! derives the [`crate::state::Problem`] it shows from a failed reply.

pub mod envelope;
pub mod fields;
pub mod json;
pub mod list;
pub mod outcome;
pub mod report;
pub mod request;
pub mod retry_after;

pub use envelope::{ApiFieldError, Envelope};
pub use fields::Field;
pub use outcome::{classify, Body, Outcome, Reply, TransportError};
pub use report::{ErrorReport, FieldMessage, FormMessage};
pub use request::{NewThread, NewThreadFile};
