//! Photos on their way through the cleaner, natively: the report kept per file, a stale
//! result dropped, a submission that waits for them.

use super::*;
use crate::api::{ErrorReport, Field};
use crate::i18n::Strings;
use crate::photo::{CleanAction, CleanReport, KeptReason};

fn photo(key: u32, name: &str) -> FileMeta {
    FileMeta {
        key,
        name: name.into(),
        mime: "image/jpeg".into(),
        size: 4_404_019,
        photo: Some(PhotoStatus::Preparing),
        refusal: None,
    }
}

/// What the cleaner reports of a phone photo with GPS.
fn cleaned() -> CleanReport {
    CleanReport {
        action: CleanAction::Cleaned,
        reason: None,
        bytes_after: 943_718,
        width_before: 4000,
        height_before: 6000,
        width_after: 1707,
        height_after: 2560,
        metadata_removed: true,
        location_removed: true,
        resized: true,
        ..CleanReport::kept(4_404_019, KeptReason::Bigger)
    }
}

fn two_photos() -> FormState {
    FormState::default()
        .reduce(Action::Edit(Edit::AddFile(photo(1, "a.jpg"))))
        .reduce(Action::Edit(Edit::AddFile(photo(2, "b.jpg"))))
}

#[test]
fn each_photo_keeps_its_own_report_and_the_cleaned_size() {
    let state = two_photos();
    assert!(state.photos_pending());
    let strings = Strings::default();
    assert_eq!(state.more[0].meta.photo_note(&strings), "Preparing photo…");

    let one = state.reduce(Action::PhotoReady(2, cleaned(), None));
    assert!(one.photos_pending(), "the first is still being cleaned");
    assert_eq!(one.more[0].meta.size, 943_718);
    assert_eq!(
        one.more[0].meta.photo_note(&strings),
        "location data removed · 4.2 MB → 922 KB"
    );
    assert_eq!(
        one.more[0].meta.photo_note(&crate::i18n::french()),
        "données de localisation retirées · 4.2 Mo → 922 Ko"
    );

    let kept = CleanReport::kept(4_404_019, KeptReason::DecodeFailed);
    let both = one.reduce(Action::PhotoReady(1, kept, None));
    assert!(!both.photos_pending());
    assert_eq!(
        both.attachment,
        Attachment::File(FileMeta {
            photo: Some(PhotoStatus::Ready(kept)),
            ..photo(1, "a.jpg")
        })
    );
    assert_eq!(
        both.chosen_files()
            .next()
            .map(|meta| meta.photo_note(&strings)),
        Some(String::new()),
        "a photo kept as it was says nothing"
    );
    // A second report for the same file changes nothing.
    assert_eq!(both.reduce(Action::PhotoReady(2, kept, None)), both);
}

#[test]
fn a_result_for_a_replaced_or_removed_photo_is_dropped() {
    let state = two_photos()
        .reduce(Action::Edit(Edit::ReplaceCard(2, photo(3, "c.jpg"))))
        .reduce(Action::Edit(Edit::RemoveFile));
    // Card 2 was replaced by 3, which took the form's own place when 1 went.
    assert_eq!(state.file_count(), 1);
    for stale in [1, 2] {
        assert_eq!(
            state.reduce(Action::PhotoReady(stale, cleaned(), None)),
            state
        );
    }
    let ready = state.reduce(Action::PhotoReady(3, cleaned(), None));
    assert!(!ready.photos_pending());
}

#[test]
fn a_submission_waits_for_the_photos_and_editing_goes_on() {
    let state = two_photos().reduce(Action::WaitForPhotos);
    assert_eq!(state.phase, Phase::WaitingForPhotos);
    assert!(state.can_submit() && !state.phase.is_busy());
    // Removing a photo meanwhile is allowed.
    let state = state.reduce(Action::Edit(Edit::RemoveCard(2)));
    assert_eq!(state.phase, Phase::WaitingForPhotos);
    let ready = state.reduce(Action::PhotoReady(1, cleaned(), None));
    let started = ready.reduce(Action::Submit {
        upload_first: true,
        attach_only: false,
    });
    assert_eq!(started.phase, Phase::Uploading { percent: None });
    // Found invalid once ready: back to editing, errors on show.
    let mut report = ErrorReport::default();
    report.push_field(Field::Subject, "Enter a subject");
    assert_eq!(ready.reduce(Action::Invalid(report)).phase, Phase::Editing);
    // Waiting starts only from editing.
    assert_eq!(started.reduce(Action::WaitForPhotos).phase, started.phase);
}
