//! The panel's Yew components, one per file, thin over [`crate::state`].

pub mod error_summary;
pub mod start_conversation;
pub mod text_field;

pub use error_summary::{ErrorSummary, SummaryEntry};
pub use start_conversation::{StartConversation, StartConversationProps};
pub use text_field::TextField;
