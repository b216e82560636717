//! The panel's Yew components, one per file, thin over [`crate::state`]; their hooks in
//! [`hooks`], one per file.

pub mod attachment_picker;
pub mod board_picker;
pub mod callbacks;
pub mod checkbox_field;
pub mod chosen_file;
pub mod error_summary;
pub mod field_errors;
pub mod file_cards;
pub mod hooks;
pub mod progress_view;
pub mod start_conversation;
pub mod start_conversation_props;
pub mod success_view;
pub mod summary_entries;
pub mod tag_input;
pub mod text_field;
pub mod thread_fields;
pub mod unique_id;

pub use attachment_picker::AttachmentPicker;
pub use board_picker::{BoardPicker, Boards};
pub use error_summary::{ErrorSummary, SummaryEntry};
pub use field_errors::FieldErrors;
pub use start_conversation::StartConversation;
pub use start_conversation_props::{
    ApiSettings, FileSettings, StartConversationProps, Target, DEFAULT_BASE_URL,
};
pub use success_view::SuccessView;
pub use text_field::TextField;
