//! The DOM-free core of the Nexudus API as the widget meets it: request bodies, the
//! lenient response envelope, the outcome classifier and the property → field mapping.
//! Nothing here touches the browser, so all of it builds and is tested natively.

pub mod envelope;
pub mod fields;
pub mod json;
pub mod list;
pub mod outcome;
pub mod request;

pub use envelope::{ApiFieldError, Envelope};
pub use fields::Field;
pub use outcome::{
    classify, Body, ErrorReport, FieldMessage, FormMessage, Outcome, TransportError,
};
pub use request::{NewThread, NewThreadFile};
