//! The panel's state and rules, free of the DOM: a [`Draft`] of what the member typed,
//! the submission [`Phase`], the errors on show, and a reducer over [`Action`]s.
//!
//! Nothing the member typed is ever dropped by a failure: only a successful submission
//! or an explicit "start another" clears the draft.

use crate::api::{ErrorReport, Field, NewThreadFile, Outcome, TransportError};

/// What the member has typed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// The attachment's display name (`Name`).
    pub name: String,
    /// The attachment's description (`Description`).
    pub description: String,
    /// A link to the file the server should download (`NewFileDataUrl`).
    pub file_url: String,
}

impl Draft {
    /// The current text of a field.
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Description => &self.description,
            Field::Attachment => &self.file_url,
            Field::Subject | Field::Message | Field::CommunityGroupId => "",
        }
    }

    fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Name => self.name = value,
            Field::Description => self.description = value,
            Field::Attachment => self.file_url = value,
            Field::Subject | Field::Message | Field::CommunityGroupId => {}
        }
    }

    /// The request body for attaching this draft to conversation `thread_id`.
    /// Text is trimmed; empty optional fields are left out.
    pub fn to_thread_file(&self, thread_id: u64) -> NewThreadFile {
        let optional = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        NewThreadFile {
            community_thread_id: thread_id,
            name: self.name.trim().to_owned(),
            description: optional(&self.description),
            new_file_data_url: optional(&self.file_url),
        }
    }
}

/// The fields the panel shows when attaching to an existing conversation.
pub const ATTACH_FIELDS: &[Field] = &[Field::Attachment, Field::Name, Field::Description];

/// Where the submission stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The member is editing (and may submit).
    Editing,
    /// A request is in flight; submitting again is not possible.
    Sending,
    /// The file was attached; `file_id` is the new CommunityThreadFile's Id.
    Sent {
        /// The new record's Id.
        file_id: u64,
    },
}

/// A failure that is not about any one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// 401: the token is missing, expired, or lacks the role.
    Unauthorized,
    /// 404: the conversation (or endpoint) does not exist.
    NotFound,
    /// The API asked us to slow down and retries did not help.
    Throttled,
    /// The server failed; its message when it gave one.
    Server(Option<String>),
    /// An answer in no documented shape.
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// A short excerpt of the body, shown as diagnostics text.
        excerpt: String,
    },
    /// No answer: network, timeout or cancellation.
    Transport(TransportError),
}

/// The whole state of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    /// What the member typed.
    pub draft: Draft,
    /// Where the submission stands.
    pub phase: Phase,
    /// Field and form errors on show.
    pub errors: ErrorReport,
    /// A failure not tied to a field, on show until the next submit.
    pub problem: Option<Problem>,
    /// Counts failed submissions, so the view can move focus to the summary each time.
    pub failures: u32,
}

impl Default for FormState {
    fn default() -> Self {
        FormState {
            draft: Draft::default(),
            phase: Phase::Editing,
            errors: ErrorReport::default(),
            problem: None,
            failures: 0,
        }
    }
}

/// Everything that can happen to the panel.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The member changed a field. Only that field's errors clear.
    Edit(Field, String),
    /// A submission started.
    Submit,
    /// The submission ended with an answer, or with none.
    Finished(Result<Outcome, TransportError>),
    /// After a success: clear the draft for another attachment.
    StartAnother,
}

impl FormState {
    /// Whether a new submission may start now.
    pub fn can_submit(&self) -> bool {
        self.phase == Phase::Editing
    }

    /// Applies one action and returns the next state.
    pub fn reduce(&self, action: Action) -> FormState {
        let mut next = self.clone();
        match action {
            Action::Edit(field, value) => {
                next.draft.set(field, value);
                next.errors.clear_field(field);
            }
            Action::Submit => {
                if self.can_submit() {
                    next.phase = Phase::Sending;
                    next.problem = None;
                }
            }
            Action::Finished(result) => {
                if self.phase != Phase::Sending {
                    return next;
                }
                next.phase = Phase::Editing;
                match result {
                    Ok(Outcome::Created { id }) => {
                        next.phase = Phase::Sent { file_id: id };
                        next.errors = ErrorReport::default();
                    }
                    Ok(Outcome::Invalid(report)) => {
                        next.errors = report;
                        next.failures += 1;
                    }
                    Ok(other) => {
                        next.errors.form.clear();
                        next.problem = Some(problem_of(other));
                        next.failures += 1;
                    }
                    Err(error) => {
                        next.problem = Some(Problem::Transport(error));
                        next.failures += 1;
                    }
                }
            }
            Action::StartAnother => {
                if matches!(self.phase, Phase::Sent { .. }) {
                    next = FormState::default();
                    next.failures = self.failures;
                }
            }
        }
        next
    }
}

fn problem_of(outcome: Outcome) -> Problem {
    match outcome {
        Outcome::Unauthorized => Problem::Unauthorized,
        Outcome::NotFound => Problem::NotFound,
        Outcome::Throttled { .. } => Problem::Throttled,
        Outcome::ServerError { message } => Problem::Server(message),
        Outcome::Unexpected { status, excerpt } => Problem::Unexpected { status, excerpt },
        // A success without a new Id, where one was expected, is not a shape we know.
        Outcome::Succeeded | Outcome::Created { .. } | Outcome::Invalid(_) => Problem::Unexpected {
            status: 200,
            excerpt: String::new(),
        },
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::FormMessage;

    fn typed() -> FormState {
        FormState::default()
            .reduce(Action::Edit(Field::Name, " Plan ".into()))
            .reduce(Action::Edit(
                Field::Attachment,
                "https://x.test/p.png".into(),
            ))
    }

    fn invalid(field: Field, text: &str) -> Outcome {
        let mut report = ErrorReport::default();
        report.push_field(field, text);
        Outcome::Invalid(report)
    }

    #[test]
    fn a_failure_keeps_the_draft_and_shows_errors() {
        let state = typed()
            .reduce(Action::Submit)
            .reduce(Action::Finished(Ok(invalid(
                Field::Name,
                "is a required field",
            ))));
        assert_eq!(state.phase, Phase::Editing);
        assert_eq!(state.draft.name, " Plan ");
        assert_eq!(state.errors.for_field(Field::Name).count(), 1);
        assert_eq!(state.failures, 1);
    }

    #[test]
    fn editing_a_field_clears_only_its_own_errors() {
        let mut report = ErrorReport::default();
        report.push_field(Field::Name, "a");
        report.push_field(Field::Description, "b");
        report.form.push(FormMessage::NoDetail);
        let state = typed()
            .reduce(Action::Submit)
            .reduce(Action::Finished(Ok(Outcome::Invalid(report))))
            .reduce(Action::Edit(Field::Name, "New".into()));
        assert_eq!(state.errors.for_field(Field::Name).count(), 0);
        assert_eq!(state.errors.for_field(Field::Description).count(), 1);
        assert_eq!(state.errors.form.len(), 1);
    }

    #[test]
    fn no_double_submit_while_sending() {
        let sending = typed().reduce(Action::Submit);
        assert!(!sending.can_submit());
        assert_eq!(sending.reduce(Action::Submit), sending);
    }

    #[test]
    fn a_late_answer_after_the_phase_moved_on_is_ignored() {
        let state = typed().reduce(Action::Finished(Ok(Outcome::Created { id: 1 })));
        assert_eq!(state.phase, Phase::Editing);
    }

    #[test]
    fn success_then_start_another_clears_the_draft() {
        let sent = typed()
            .reduce(Action::Submit)
            .reduce(Action::Finished(Ok(Outcome::Created { id: 7 })));
        assert_eq!(sent.phase, Phase::Sent { file_id: 7 });
        let again = sent.reduce(Action::StartAnother);
        assert_eq!(again.draft, Draft::default());
        assert_eq!(again.phase, Phase::Editing);
    }

    #[test]
    fn transport_failures_become_problems_and_keep_the_draft() {
        let state = typed()
            .reduce(Action::Submit)
            .reduce(Action::Finished(Err(TransportError::Timeout)));
        assert_eq!(
            state.problem,
            Some(Problem::Transport(TransportError::Timeout))
        );
        assert_eq!(state.draft.file_url, "https://x.test/p.png");
        assert!(state.can_submit());
    }

    #[test]
    fn request_body_is_trimmed_and_omits_empty_optionals() {
        let body = typed().draft.to_thread_file(1001);
        assert_eq!(body.name, "Plan");
        assert_eq!(body.description, None);
        assert_eq!(
            body.new_file_data_url.as_deref(),
            Some("https://x.test/p.png")
        );
    }
}
