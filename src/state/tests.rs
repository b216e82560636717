//! The reducer and the checks, natively.

use super::*;
use crate::api::{ErrorReport, Field, FormMessage, Outcome, TransportError};
use crate::config::{FileRefusal, Limits};
use crate::i18n::Strings;

const START: Mode = Mode::Start {
    business_id: 1,
    user_id: 10,
    group_id: None,
};
const ATTACH: Mode = Mode::Attach { thread_id: 1001 };
/// A submission in start mode, the file (if any) not read first.
const SUBMIT: Action = Action::Submit {
    upload_first: false,
    attach_only: false,
};

fn file(key: u32, name: &str) -> FileMeta {
    FileMeta {
        key,
        name: name.into(),
        mime: "image/png".into(),
        size: 10,
        photo: None,
        refusal: None,
    }
}

fn typed() -> FormState {
    FormState::default()
        .reduce(Action::Edit(Edit::Text(Field::Subject, " Lunch ".into())))
        .reduce(Action::Edit(Edit::Text(
            Field::Message,
            "Who is in?".into(),
        )))
        .reduce(Action::Edit(Edit::ChooseFile(file(1, "menu.png"))))
}

fn invalid(field: Field, text: &str) -> Outcome {
    let mut report = ErrorReport::default();
    report.push_field(field, text);
    Outcome::Invalid(report)
}

#[test]
fn choosing_a_file_prefills_the_name_until_the_member_edits_it() {
    let state = typed();
    assert_eq!(state.draft.name, "menu");
    let replaced = state.reduce(Action::Edit(Edit::ChooseFile(file(2, "photo.jpeg"))));
    assert_eq!(replaced.draft.name, "photo");
    let edited = replaced
        .reduce(Action::Edit(Edit::Text(Field::Name, "Our menu".into())))
        .reduce(Action::Edit(Edit::ChooseFile(file(3, "other.png"))));
    assert_eq!(edited.draft.name, "Our menu");
    assert_eq!(
        typed().reduce(Action::Edit(Edit::RemoveFile)).draft.name,
        ""
    );
}

#[test]
fn client_checks_name_every_missing_field() {
    let strings = Strings::default();
    let report = FormState::default().validate(START, ThreadFields::default(), &strings);
    let fields: Vec<_> = report.fields.iter().map(|m| m.field).collect();
    assert_eq!(fields, [Field::Subject, Field::Message]);
    let attach = FormState::default().validate(ATTACH, ThreadFields::default(), &strings);
    assert_eq!(attach.fields[0].field, Field::Attachment);
    let no_name = typed()
        .reduce(Action::Edit(Edit::Text(Field::Name, " ".into())))
        .validate(START, ThreadFields::default(), &strings);
    assert_eq!(no_name.fields[0].field, Field::Name);
    assert!(typed()
        .validate(START, ThreadFields::default(), &strings)
        .is_empty());
}

#[test]
fn text_of_only_invisible_characters_counts_as_empty() {
    let strings = Strings::default();
    let state = typed()
        .reduce(Action::Edit(Edit::Text(
            Field::Subject,
            "\u{200b}\u{200d} \u{feff}".into(),
        )))
        .reduce(Action::Edit(Edit::Text(
            Field::Message,
            "\u{2060}\u{ad}\n".into(),
        )));
    let fields: Vec<_> = state
        .validate(START, ThreadFields::default(), &strings)
        .fields
        .iter()
        .map(|m| m.field)
        .collect();
    assert_eq!(fields, [Field::Subject, Field::Message]);
    assert!(!is_blank_text("a\u{200b}"));
}

#[test]
fn a_subject_over_the_portal_limit_is_caught_before_any_request() {
    let strings = Strings::default();
    let with_subject = |subject: String| {
        typed()
            .reduce(Action::Edit(Edit::Text(Field::Subject, subject)))
            .validate(START, ThreadFields::default(), &strings)
    };
    assert!(with_subject(format!("  {}  ", "a".repeat(254))).is_empty());
    let long = with_subject("a".repeat(255));
    assert_eq!(long.fields[0].field, Field::Subject);
    assert_eq!(
        long.fields[0].text,
        "Subject must be 254 characters or fewer"
    );
    // Counted as the server counts: an emoji is two UTF-16 units.
    assert_eq!(text_length("😀"), 2);
    assert!(!with_subject("😀".repeat(128)).is_empty());
    assert!(with_subject("é".repeat(254)).is_empty());
}

#[test]
fn a_link_typed_without_the_switch_is_checked_too() {
    // A page that offers no way to upload shows the link field alone.
    let state = FormState::default().reduce(Action::Edit(Edit::Text(
        Field::Attachment,
        "ftp://x".into(),
    )));
    let report = state.validate(ATTACH, ThreadFields::default(), &Strings::default());
    assert_eq!(report.fields[0].field, Field::Attachment);
    assert_eq!(
        report.fields[0].text,
        "Enter a link that starts with https://"
    );
}

#[test]
fn a_bad_link_is_caught_before_any_request() {
    let state = FormState::default()
        .reduce(Action::Edit(Edit::ToggleLinkMode))
        .reduce(Action::Edit(Edit::Text(
            Field::Attachment,
            "ftp://x".into(),
        )));
    let report = state.validate(ATTACH, ThreadFields::default(), &Strings::default());
    assert_eq!(report.fields[0].field, Field::Attachment);
    assert!(is_http_url("https://example.com/a.png"));
    assert!(!is_http_url("https:///a"));
    assert!(!is_http_url("javascript:alert(1)"));
}

#[test]
fn the_two_steps_then_success_clears_everything() {
    let state = typed()
        .reduce(Action::Submit {
            upload_first: true,
            attach_only: false,
        })
        .reduce(Action::Report(Report::Progress {
            loaded: 50.0,
            total: 200.0,
        }));
    assert_eq!(state.phase, Phase::Uploading { percent: Some(25) });
    let state = state
        .reduce(Action::Report(Report::Uploaded(1, "https://s/u/1".into())))
        .reduce(Action::Report(Report::StartPosting));
    assert_eq!(state.phase, Phase::Posting);
    let state = state.reduce(Action::Report(Report::ThreadCreated(5001)));
    assert_eq!(state.phase, Phase::Attaching);
    let done = state.reduce(Action::Report(Report::Finished {
        thread_id: 5001,
        file_id: Some(9),
    }));
    assert_eq!(
        done.phase,
        Phase::Done {
            thread_id: 5001,
            file_id: Some(9)
        }
    );
    assert_eq!(done.draft, Draft::default());
    assert_eq!(done.attachment, Attachment::None);
}

#[test]
fn a_failed_attach_keeps_the_conversation_so_a_retry_attaches_only() {
    let failed = typed()
        .reduce(SUBMIT)
        .reduce(Action::Report(Report::ThreadCreated(5001)))
        .reduce(Action::Report(Report::FileFailed(
            "menu".into(),
            Ok(invalid(Field::Name, "is too long")),
        )))
        .reduce(Action::Report(Report::Incomplete));
    assert_eq!(failed.phase, Phase::Editing);
    assert_eq!(failed.recovery.posted, Some(5001));
    assert_eq!(failed.draft.subject, " Lunch ");
    assert_eq!(failed.errors.for_field(Field::Name).count(), 1);
    // The retry goes straight to attaching.
    let retry = failed.reduce(SUBMIT);
    assert_eq!(retry.phase, Phase::Attaching);
    // Or the member keeps the conversation without the file.
    let kept = failed.reduce(Action::KeepWithoutAttachment);
    assert_eq!(
        kept.phase,
        Phase::Done {
            thread_id: 5001,
            file_id: None
        }
    );
    // Or removes it, keeping every word.
    let removed = failed
        .reduce(Action::RemoveStarted)
        .reduce(Action::Report(Report::Removed));
    assert_eq!(removed.recovery.posted, None);
    assert_eq!(removed.draft, failed.draft);
    assert_eq!(removed.problem, Some(Problem::ConversationRemoved));
}

#[test]
fn a_sent_create_is_remembered_until_settled_even_when_cancelled() {
    let sent = typed()
        .reduce(SUBMIT)
        .reduce(Action::Report(Report::ThreadMayExist));
    let lost = sent.reduce(Action::Report(Report::StepFailed(
        Step::Create,
        Err(TransportError::Network),
    )));
    assert!(lost.recovery.thread_may_exist);
    assert_eq!(
        lost.problem,
        Some(Problem::Transport(TransportError::Network))
    );
    let created = lost
        .reduce(SUBMIT)
        .reduce(Action::Report(Report::ThreadCreated(5002)));
    assert!(!created.recovery.thread_may_exist);
    // Cancelled after sending: the server may have acted (issue 15, defect 1).
    let cancelled = sent.reduce(Action::Report(Report::StepFailed(
        Step::Create,
        Err(TransportError::Cancelled),
    )));
    assert!(cancelled.recovery.thread_may_exist);
}

#[test]
fn a_server_error_or_an_unreadable_success_on_the_create_is_looked_up_before_creating() {
    let failed_with = |outcome: Outcome| {
        typed()
            .reduce(SUBMIT)
            .reduce(Action::Report(Report::ThreadMayExist))
            .reduce(Action::Report(Report::StepFailed(
                Step::Create,
                Ok(outcome),
            )))
            .recovery
            .thread_may_exist
    };
    let generic_500 = Outcome::ServerError {
        message: Some("Ooops! There was a problem while running this action.".into()),
    };
    assert!(failed_with(generic_500));
    let unreadable_200 = Outcome::Unexpected {
        status: 200,
        excerpt: String::new(),
    };
    assert!(failed_with(unreadable_200));
    let gateway_502 = Outcome::Unexpected {
        status: 502,
        excerpt: "Bad Gateway".into(),
    };
    assert!(failed_with(gateway_502));
    // Refusals that cannot have created anything do not ask for a look-up.
    assert!(!failed_with(Outcome::Unauthorized));
    assert!(!failed_with(Outcome::Invalid(ErrorReport::default())));
    assert!(!failed_with(Outcome::Throttled {
        retry_after: std::time::Duration::from_secs(1)
    }));
}

#[test]
fn editing_a_field_clears_only_its_own_errors() {
    let mut report = ErrorReport::default();
    report.push_field(Field::Subject, "a");
    report.push_field(Field::Message, "b");
    report.form.push(FormMessage::NoDetail);
    let state = typed()
        .reduce(Action::Invalid(report))
        .reduce(Action::Edit(Edit::Text(Field::Subject, "New".into())));
    assert_eq!(state.errors.for_field(Field::Subject).count(), 0);
    assert_eq!(state.errors.for_field(Field::Message).count(), 1);
    assert_eq!(state.errors.form.len(), 1);
}

#[test]
fn no_double_submit_and_late_answers_are_ignored() {
    let sending = typed().reduce(SUBMIT);
    assert!(!sending.can_submit());
    assert_eq!(sending.reduce(SUBMIT), sending);
    let idle = typed();
    assert_eq!(
        idle.reduce(Action::Report(Report::StepFailed(
            Step::Create,
            Err(TransportError::Timeout)
        ))),
        idle
    );
}

#[test]
fn a_saved_draft_reads_back() {
    let draft = Draft {
        subject: "S".into(),
        message: "M".into(),
        group_id: Some(2),
        name: "N".into(),
        description: String::new(),
        link: "https://x.test/a".into(),
        ..Draft::default()
    };
    let saved = serde_json::to_value(&draft).unwrap();
    assert_eq!(Draft::read(&saved), draft);
    assert_eq!(
        Draft::read(&serde_json::json!({"subject": 5})),
        Draft::default()
    );
}

#[test]
fn a_draft_is_restored_only_into_a_blank_form() {
    let saved = Draft {
        subject: "Saved".into(),
        ..Draft::default()
    };
    assert_eq!(
        FormState::default()
            .reduce(Action::RestoreDraft(saved.clone(), Recovery::default()))
            .draft,
        saved
    );
    assert_eq!(
        typed()
            .reduce(Action::RestoreDraft(saved, Recovery::default()))
            .draft
            .subject,
        " Lunch "
    );
}

#[test]
fn bodies_are_trimmed_and_use_the_fixed_or_chosen_board() {
    let state = typed().reduce(Action::Edit(Edit::Text(
        Field::CommunityGroupId,
        "2".into(),
    )));
    let body = state.new_thread(START, ThreadFields::default()).unwrap();
    assert_eq!(body.subject, "Lunch");
    assert_eq!(body.community_group_id, Some(2));
    let fixed = Mode::Start {
        business_id: 1,
        user_id: 10,
        group_id: Some(7),
    };
    assert_eq!(
        state
            .new_thread(fixed, ThreadFields::default())
            .unwrap()
            .community_group_id,
        Some(7)
    );
    assert_eq!(state.new_thread(ATTACH, ThreadFields::default()), None);
    let file = state.outgoing()[0].body(5001);
    assert_eq!(file.name, "menu");
    assert_eq!(file.description, None);
}

#[test]
fn pasted_images_get_a_dated_name() {
    // The browser's `Date.toISOString` of 1_795_761_005_000 ms.
    assert_eq!(
        pasted_image_name("2026-11-27T06:30:05.000Z", "image/png"),
        "image-20261127-063005.png"
    );
    assert_eq!(display_name("report.final.pdf"), "report.final");
    assert_eq!(display_name(".env"), ".env");
}

#[test]
fn refusals_read_well() {
    let limits = Limits {
        max_bytes: 1024 * 1024,
        accept: vec!["image/*".into(), ".pdf".into()],
        max_files: 1,
    };
    let strings = Strings::default();
    assert_eq!(
        refusal_message(FileRefusal::TooLarge, &limits, &strings),
        "The file must be smaller than 1 MB"
    );
    assert_eq!(
        refusal_message(FileRefusal::WrongType, &limits, &strings),
        "The file must be one of: image/*, .pdf"
    );
}

#[test]
fn several_files_get_cards_with_distinct_names_and_their_own_checks() {
    let add = |state: FormState, key, name: &str| {
        state.reduce(Action::Edit(Edit::AddFile(file(key, name))))
    };
    let state = add(
        add(add(FormState::default(), 1, "photo.jpg"), 2, "photo.jpg"),
        3,
        "a.pdf",
    );
    assert_eq!(state.file_count(), 3);
    assert_eq!(state.draft.name, "photo");
    let names: Vec<&str> = state.more.iter().map(|card| card.name.as_str()).collect();
    assert_eq!(names, ["photo (2)", "a"]);
    assert!(state.validate_cards(&Strings::default()).is_empty());
    // A name made equal by hand is refused on that card, before any request.
    let same = state.reduce(Action::Edit(Edit::CardText(3, Field::Name, "photo".into())));
    let found = same.validate_cards(&Strings::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 3);
    let shown = same.reduce(Action::InvalidCards(found));
    assert_eq!(shown.more[1].errors.for_field(Field::Name).count(), 1);
    // Removing the first promotes the next card into the form's own fields.
    let promoted = state.reduce(Action::Edit(Edit::RemoveFile));
    assert_eq!(promoted.draft.name, "photo (2)");
    assert_eq!(promoted.more.len(), 1);
    assert_eq!(
        promoted
            .reduce(Action::Edit(Edit::RemoveCard(3)))
            .file_count(),
        1
    );
}

#[test]
fn a_file_error_lands_on_its_own_card() {
    let state = FormState::default()
        .reduce(Action::Edit(Edit::AddFile(file(1, "a.png"))))
        .reduce(Action::Edit(Edit::AddFile(file(2, "b.png"))))
        .reduce(SUBMIT)
        .reduce(Action::Report(Report::FileFailed(
            "b".into(),
            Ok(invalid(Field::Name, "is not allowed")),
        )))
        .reduce(Action::Report(Report::Incomplete));
    assert_eq!(state.phase, Phase::Editing);
    assert_eq!(state.errors.for_field(Field::Name).count(), 0);
    assert_eq!(state.more[0].errors.for_field(Field::Name).count(), 1);
}
