//! Member-facing text. Server messages are shown as text, never as HTML.

use crate::api::{Field, FormMessage, TransportError};
use crate::state::Problem;

/// The label of a field as the member sees it.
pub fn label(field: Field) -> &'static str {
    match field {
        Field::Subject => "Subject",
        Field::Message => "Message",
        Field::CommunityGroupId => "Board",
        Field::Attachment => "Link to the file",
        Field::Name => "Display name",
        Field::Description => "Description",
    }
}

/// A field message as a whole sentence: the API's predicates (`is a required field`)
/// read after the field's label; anything else stands as the server wrote it.
pub fn field_message(field: Field, text: &str) -> String {
    let text = text.trim();
    if text.starts_with(|c: char| c.is_lowercase()) {
        format!("{} {}", label(field), text)
    } else {
        text.to_owned()
    }
}

/// A form-level message for the error summary.
pub fn form_message(message: &FormMessage) -> String {
    match message {
        FormMessage::Server {
            property: Some(property),
            text,
        } if text.starts_with(|c: char| c.is_lowercase()) => format!("{property} {text}"),
        FormMessage::Server { text, .. } => text.clone(),
        FormMessage::NoDetail => {
            "The server refused the attachment without saying why. Check the fields and try again."
                .to_owned()
        }
    }
}

/// A failure that is not about one field, in words a member can act on.
pub fn problem(problem: &Problem) -> String {
    match problem {
        Problem::Unauthorized => "You are signed out, or your account is not allowed to do this. Sign in again, or ask your space's team for access.".to_owned(),
        Problem::NotFound => "This conversation could not be found. It may have been removed.".to_owned(),
        Problem::Throttled => "The board is busy right now. Wait a moment and try again.".to_owned(),
        Problem::Server(Some(message)) => format!("The server had a problem: {message} Try again in a moment."),
        Problem::Server(None) => "The server had a problem. Try again in a moment.".to_owned(),
        Problem::Unexpected { status, .. } => format!("The server gave an answer we could not read (HTTP {status}). Try again in a moment."),
        Problem::Transport(TransportError::Network) => "The server could not be reached. Check your connection and try again.".to_owned(),
        Problem::Transport(TransportError::Timeout) => "The server took too long to answer. Try again.".to_owned(),
        Problem::Transport(TransportError::Cancelled) => "Cancelled. Nothing was sent; your text is still here.".to_owned(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn predicates_read_after_the_label() {
        assert_eq!(
            field_message(Field::Name, "is a required field"),
            "Display name is a required field"
        );
        assert_eq!(field_message(Field::Name, "Too long."), "Too long.");
    }
}
