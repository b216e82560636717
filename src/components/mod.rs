//! The panel's Yew components, one per file, thin over [`crate::state`].

pub mod attachment_picker;
pub mod board_picker;
pub mod error_summary;
pub mod field_errors;
pub mod hooks;
pub mod start_conversation;
pub mod success_view;
pub mod text_field;

pub use attachment_picker::AttachmentPicker;
pub use board_picker::{BoardPicker, Boards};
pub use error_summary::{ErrorSummary, SummaryEntry};
pub use field_errors::FieldErrors;
pub use start_conversation::{StartConversation, StartConversationProps};
pub use success_view::SuccessView;
pub use text_field::TextField;
