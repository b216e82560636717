//! The panel's hooks, one per file: what the view asks for, not how it is kept.

mod use_boards;
mod use_chosen_file;
mod use_saved_draft;
mod use_submission;

pub use use_boards::use_boards;
pub use use_chosen_file::{list_files, use_chosen_file, ChosenFileHandle};
pub use use_saved_draft::use_saved_draft;
pub use use_submission::{use_submission, SubmissionHandle};
