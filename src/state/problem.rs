//! The panel's problem: a failure that is not about any one field, derived from what a
//! request came back with ([`Reply`]) or from the panel's own steps, with the code the
//! host's `onError` gets and the message the member reads.

use crate::api::{Outcome, Reply, TransportError};
use crate::i18n::{Msg, Strings};
use crate::upload::UploadError;

/// A failure that is not about any one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The API answered, with no field error and not with the success the step wanted:
    /// a refusal (401, 404, throttled), a server failure, or an answer in no shape we
    /// know (a success where a new Id was wanted is one).
    Failed(Outcome),
    /// No answer: network, timeout or cancellation.
    Transport(TransportError),
    /// The host's uploader (or the browser reading the file) failed.
    Upload(UploadError),
    /// The conversation that was posted without its attachment was removed.
    ConversationRemoved,
}

impl Problem {
    /// The problem a failed step shows, or `None` when it is about fields.
    pub fn from_reply(reply: &Reply) -> Option<Problem> {
        match reply {
            Ok(Outcome::Invalid(_)) => None,
            Ok(outcome) => Some(Problem::Failed(outcome.clone())),
            Err(error) => Some(Problem::Transport(*error)),
        }
    }

    /// A stable code for the host's `onError`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Failed(Outcome::Unauthorized) => "unauthorized",
            Problem::Failed(Outcome::NotFound) => "not-found",
            Problem::Failed(Outcome::Throttled { .. }) => "throttled",
            Problem::Failed(Outcome::ServerError { .. }) => "server",
            Problem::Failed(Outcome::KeyReused) => "key-reused",
            Problem::Failed(_) => "unexpected",
            Problem::Transport(TransportError::Network) => "network",
            Problem::Transport(TransportError::Timeout) => "timeout",
            Problem::Transport(TransportError::Cancelled) => "cancelled",
            Problem::Upload(_) => "upload",
            Problem::ConversationRemoved => "removed",
        }
    }

    /// The member-facing message.
    pub fn message(&self, strings: &Strings) -> String {
        let unexpected =
            |status: u16| strings.fill(Msg::Unexpected, &[("status", &status.to_string())]);
        match self {
            Problem::Failed(outcome) => match outcome {
                Outcome::Unauthorized => strings.get(Msg::Unauthorized).to_owned(),
                Outcome::NotFound => strings.get(Msg::NotFound).to_owned(),
                Outcome::Throttled { .. } => strings.get(Msg::Throttled).to_owned(),
                Outcome::KeyReused => strings.get(Msg::KeyReused).to_owned(),
                Outcome::ServerError {
                    message: Some(message),
                } => strings.fill(Msg::ServerErrorWithMessage, &[("message", message)]),
                // An unreadable 5xx (an empty body, a gateway's HTML page) is still the
                // server's problem, and reads as such.
                Outcome::ServerError { message: None }
                | Outcome::Unexpected {
                    status: 500..=599, ..
                } => strings.get(Msg::ServerError).to_owned(),
                Outcome::Unexpected { status, .. } => unexpected(*status),
                // A success where a new Id was wanted (field errors never become a
                // problem: they show on their fields).
                Outcome::Created { .. } | Outcome::Succeeded | Outcome::Invalid(_) => {
                    unexpected(200)
                }
            },
            Problem::Transport(TransportError::Network) => strings.get(Msg::Network).to_owned(),
            Problem::Transport(TransportError::Timeout) => strings.get(Msg::Timeout).to_owned(),
            Problem::Transport(TransportError::Cancelled) => strings.get(Msg::Cancelled).to_owned(),
            Problem::Upload(error) => {
                strings.fill(Msg::UploadFailed, &[("message", &error.to_string())])
            }
            Problem::ConversationRemoved => strings.get(Msg::ConversationRemoved).to_owned(),
        }
    }
}
