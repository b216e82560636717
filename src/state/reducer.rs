//! The reducer: one action in, the next state out. Yew's `use_reducer` runs it through
//! the [`Reducible`] impl at the end.

use std::rc::Rc;

use yew::Reducible;

use super::{Action, Attachment, Edit, FileCard, FormState, Phase, Problem, Recovery, Report};
use crate::api::{ErrorReport, Field, Outcome};

impl FormState {
    /// Applies one action and returns the next state.
    pub fn reduce(&self, action: Action) -> FormState {
        let mut next = self.clone();
        match action {
            Action::Edit(edit) => next.edit(edit),
            Action::Report(report) => {
                next.recovery.apply(&report);
                // A report from a submission no longer in flight changes nothing more.
                if self.phase.is_busy() {
                    next.report(report);
                }
            }
            Action::RestoreDraft(draft, recovery) => {
                if self.draft.is_blank() && self.recovery.is_empty() {
                    next.recovery = recovery;
                    if !draft.link.trim().is_empty() {
                        next.attachment = Attachment::Link;
                    }
                    next.draft = draft;
                }
            }
            Action::Invalid(report) => {
                if self.phase == Phase::WaitingForPhotos {
                    next.phase = Phase::Editing;
                }
                next.errors = report;
                next.problem = None;
                next.summary_focus += 1;
            }
            Action::InvalidCards(reports) => {
                for card in &mut next.more {
                    card.errors = reports
                        .iter()
                        .find(|(key, _)| *key == card.meta.key)
                        .map(|(_, report)| report.clone())
                        .unwrap_or_default();
                }
            }
            Action::Submit {
                upload_first,
                attach_only,
            } => {
                if self.can_submit() {
                    // This run says anew which attachments are missing.
                    next.recovery.missing.clear();
                    next.problem = None;
                    next.errors = ErrorReport::default();
                    for card in &mut next.more {
                        card.errors = ErrorReport::default();
                    }
                    next.phase = if upload_first {
                        Phase::Uploading { percent: None }
                    } else if attach_only || self.recovery.posted.is_some() {
                        Phase::Attaching
                    } else {
                        Phase::Posting
                    };
                }
            }
            Action::WaitForPhotos => {
                if self.phase == Phase::Editing {
                    next.phase = Phase::WaitingForPhotos;
                    next.problem = None;
                }
            }
            Action::PhotoReady(key, report, refusal) => next.photo_ready(key, report, refusal),
            Action::KeepWithoutAttachment => {
                if let (Some(thread_id), true) = (self.recovery.posted, self.can_submit()) {
                    let file_id = self.recovery.files.iter().find_map(|file| file.added);
                    next = self.cleared(Phase::Done { thread_id, file_id });
                }
            }
            Action::RemoveStarted => {
                if self.recovery.posted.is_some() && self.can_submit() {
                    next.phase = Phase::Removing;
                    next.problem = None;
                }
            }
            Action::DraftUnsaved => next.draft_unsaved = true,
            Action::StartAnother => {
                if matches!(self.phase, Phase::Done { .. }) {
                    next = self.cleared(Phase::Editing);
                }
            }
        }
        next
    }

    /// Takes in one edit by the member.
    fn edit(&mut self, edit: Edit) {
        match edit {
            Edit::Text(field, value) => {
                self.draft.set(field, value);
                self.errors.clear_field(field);
                if field == Field::Attachment {
                    self.forget_first_upload();
                    self.attachment = Attachment::Link;
                }
            }
            Edit::ChooseFile(meta) => {
                if self.draft.name.trim().is_empty() || self.name_came_from_file() {
                    self.draft.name.clear();
                    self.draft.name = self.fresh_name(&meta.name);
                    self.errors.clear_field(Field::Name);
                }
                self.forget_first_upload();
                self.errors.clear_field(Field::Attachment);
                if let Some(refusal) = &meta.refusal {
                    self.errors.push_field(Field::Attachment, refusal.clone());
                }
                self.attachment = Attachment::File(meta);
            }
            Edit::AddFile(meta) if self.attachment == Attachment::None => {
                self.edit(Edit::ChooseFile(meta))
            }
            Edit::AddFile(meta) => {
                self.errors.clear_field(Field::Attachment);
                let mut errors = ErrorReport::default();
                if let Some(refusal) = &meta.refusal {
                    errors.push_field(Field::Attachment, refusal.clone());
                }
                self.more.push(FileCard {
                    name: self.fresh_name(&meta.name),
                    meta,
                    description: String::new(),
                    errors,
                });
            }
            Edit::ReplaceCard(key, meta) => {
                let fresh = self.fresh_name(&meta.name);
                if let Some(card) = self.more.iter_mut().find(|card| card.meta.key == key) {
                    if card.name == super::display_name(&card.meta.name) {
                        card.name = fresh;
                        card.errors.clear_field(Field::Name);
                    }
                    card.errors.clear_field(Field::Attachment);
                    if let Some(refusal) = &meta.refusal {
                        card.errors.push_field(Field::Attachment, refusal.clone());
                    }
                    card.meta = meta;
                    self.recovery.forget_upload(key);
                }
            }
            Edit::RemoveCard(key) => {
                self.more.retain(|card| card.meta.key != key);
                self.recovery.forget_upload(key);
            }
            Edit::CardText(key, field, value) => {
                if let Some(card) = self.more.iter_mut().find(|card| card.meta.key == key) {
                    match field {
                        Field::Description => card.description = value,
                        _ => card.name = value,
                    }
                    card.errors.clear_field(field);
                }
            }
            Edit::RefuseFile(message) => {
                // Shown on the field and in the summary; focus stays with the member.
                self.errors.clear_field(Field::Attachment);
                self.errors.push_field(Field::Attachment, message);
            }
            Edit::RemoveFile => {
                self.forget_first_upload();
                if !self.more.is_empty() {
                    // The next card becomes the form's own attachment.
                    let card = self.more.remove(0);
                    self.attachment = Attachment::File(card.meta);
                    self.draft.name = card.name;
                    self.draft.description = card.description;
                    for field in [Field::Attachment, Field::Name, Field::Description] {
                        self.errors.clear_field(field);
                        for message in card.errors.for_field(field) {
                            self.errors.push_field(field, message);
                        }
                    }
                    return;
                }
                if self.name_came_from_file() {
                    self.draft.name.clear();
                }
                self.attachment = Attachment::None;
                self.errors.clear_field(Field::Attachment);
            }
            Edit::ToggleLinkMode => {
                self.forget_first_upload();
                self.attachment = if self.gives_link() {
                    Attachment::None
                } else {
                    Attachment::Link
                };
                self.errors.clear_field(Field::Attachment);
            }
            Edit::Tags {
                text,
                commit,
                too_long,
            } => self.edit_tags(&text, commit, too_long),
            Edit::RemoveTag(index) => self.remove_tag(index),
            Edit::SendAsIs(key) => self.send_as_is(key),
            Edit::SetPrivate(private) => {
                self.draft.private = private;
                self.errors.clear_field(Field::Private);
            }
        }
    }

    /// Forgets where the form's own file was uploaded (it is replaced or removed).
    fn forget_first_upload(&mut self) {
        if let Attachment::File(meta) = &self.attachment {
            self.recovery.forget_upload(meta.key);
        }
    }

    /// Takes in one report of the submission in flight (its recovery facts are already
    /// taken in by [`Recovery::apply`]).
    fn report(&mut self, report: Report) {
        match report {
            Report::Progress { loaded, total } => {
                if let Phase::Uploading { .. } = self.phase {
                    let percent = (total > 0.0)
                        .then(|| ((loaded / total).clamp(0.0, 1.0) * 100.0).floor() as u8);
                    self.phase = Phase::Uploading { percent };
                }
            }
            Report::KeyInFlight => self.phase = Phase::WaitingForServer,
            Report::Uploaded(..)
            | Report::KeyMade(..)
            | Report::ThreadMayExist
            | Report::ThreadAbsent
            | Report::FileMayExist(..)
            | Report::FileAbsent(_)
            | Report::FileAdded(..) => {}
            Report::StartPosting => self.phase = Phase::Posting,
            Report::StartAttaching | Report::ThreadCreated(_) => self.phase = Phase::Attaching,
            Report::UploadFailed(error) => self.fail(Some(Problem::Upload(error))),
            Report::StepFailed(_, reply) => {
                self.fail(Problem::from_reply(&reply));
                if let Ok(Outcome::Invalid(report)) = reply {
                    self.errors = report;
                }
            }
            Report::FileFailed(name, reply) => {
                // On the card sent with that name: the form's own fields for the first.
                if let Some(problem) = Problem::from_reply(&reply) {
                    self.problem = Some(problem);
                }
                let Ok(Outcome::Invalid(report)) = reply else {
                    return;
                };
                match self.more.iter_mut().find(|card| card.name.trim() == name) {
                    Some(card) => card.errors = report,
                    None => self.errors = report,
                }
            }
            Report::Incomplete => {
                self.phase = Phase::Editing;
                self.summary_focus += 1;
            }
            Report::Finished { thread_id, file_id } => {
                *self = self.cleared(Phase::Done { thread_id, file_id });
            }
            Report::Removed => {
                if self.phase == Phase::Removing {
                    self.phase = Phase::Editing;
                    self.recovery = Recovery::default();
                    self.errors = ErrorReport::default();
                    self.problem = Some(Problem::ConversationRemoved);
                }
            }
        }
    }

    /// Back to editing with `problem` on show; the summary takes focus.
    fn fail(&mut self, problem: Option<Problem>) {
        self.phase = Phase::Editing;
        self.problem = problem;
        self.summary_focus += 1;
    }

    /// A fresh form in `phase`; only the summary's focus count carries over, so the next
    /// failure still moves focus.
    fn cleared(&self, phase: Phase) -> FormState {
        FormState {
            phase,
            summary_focus: self.summary_focus,
            ..FormState::default()
        }
    }
}

impl Reducible for FormState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(FormState::reduce(&self, action))
    }
}
