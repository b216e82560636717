//! The tags' rules, the private choice, and the bodies and checks that carry them.

use super::*;
use crate::api::json::JsonView;
use crate::state::{Action, Edit, Recovery};

const START: Mode = Mode::Start {
    business_id: 1,
    user_id: 10,
    group_id: None,
};
const BOTH: ThreadFields = ThreadFields {
    tags: true,
    private: true,
};

/// The tag input's text changed to `text`.
fn typed(state: &FormState, text: &str) -> FormState {
    state.reduce(Action::Edit(Edit::Tags {
        text: text.into(),
        commit: false,
        too_long: "too long".into(),
    }))
}

/// Enter pressed with `text` in the tag input (or "a, b, c" pasted into it).
fn entered(state: &FormState, text: &str) -> FormState {
    state.reduce(Action::Edit(Edit::Tags {
        text: text.into(),
        commit: true,
        too_long: "too long".into(),
    }))
}

fn tags(state: &FormState) -> Vec<&str> {
    state.draft.tags.iter().map(String::as_str).collect()
}

fn posted(state: &FormState) -> FormState {
    state
        .reduce(Action::Edit(Edit::Text(Field::Subject, "Lunch".into())))
        .reduce(Action::Edit(Edit::Text(Field::Message, "Tacos?".into())))
}

#[test]
fn enter_adds_the_typed_tag_and_a_comma_ends_one() {
    let state = entered(&FormState::default(), "  events ");
    assert_eq!(tags(&state), ["events"]);
    assert_eq!(state.draft.tag_text, "");
    assert_eq!(
        state.tag_notice,
        Some(TagNotice::Added(vec!["events".into()]))
    );

    let state = typed(&state, "food");
    assert_eq!(tags(&state), ["events"], "typing alone adds nothing");
    let state = typed(&state, "food, dr");
    assert_eq!(tags(&state), ["events", "food"]);
    assert_eq!(
        state.draft.tag_text, "dr",
        "the text after the comma stays typed"
    );
}

#[test]
fn pasting_a_list_adds_each_tag_and_no_tag_holds_a_comma() {
    let state = entered(&FormState::default(), "a, b,, ,c,");
    assert_eq!(tags(&state), ["a", "b", "c"]);
    assert!(state.draft.tags.iter().all(|tag| !tag.contains(',')));
    assert_eq!(
        state.tag_notice,
        Some(TagNotice::Added(vec!["a".into(), "b".into(), "c".into()]))
    );
}

#[test]
fn empty_invisible_and_duplicate_tags_are_ignored_whatever_their_case() {
    let state = entered(&FormState::default(), "Events");
    let state = entered(&state, "events, EVENTS , \u{200b}, ");
    assert_eq!(tags(&state), ["Events"]);
    assert_eq!(state.draft.tag_text, "");
    assert_eq!(
        state.tag_notice,
        Some(TagNotice::Added(vec!["Events".into()])),
        "nothing new is announced"
    );
}

#[test]
fn tags_may_fill_fifty_characters_with_commas_but_not_more() {
    // 4 tags of 11 and one of 2: 44 + 2 + 4 commas = 50.
    let eleven = ["aaaaaaaaaaa", "bbbbbbbbbbb", "ccccccccccc", "ddddddddddd"];
    let state = entered(&FormState::default(), &eleven.join(","));
    let state = entered(&state, "ee");
    assert_eq!(joined_length(&state.draft.tags), MAX_TAGS_CHARS);
    assert!(state.errors.is_empty());

    let refused = entered(&state, "f");
    assert_eq!(refused.draft.tags, state.draft.tags);
    assert_eq!(refused.draft.tag_text, "f", "the refused tag stays typed");
    assert_eq!(
        refused.errors.for_field(Field::Tags).collect::<Vec<_>>(),
        ["too long"]
    );

    // Typing again clears the message until the next refusal.
    assert!(typed(&refused, "").errors.is_empty());
}

#[test]
fn a_refusal_keeps_the_tags_before_it_and_the_text_after_it() {
    let long = "x".repeat(49);
    let state = typed(&FormState::default(), &format!("a, {long}, b, c"));
    assert_eq!(tags(&state), ["a"]);
    assert_eq!(state.draft.tag_text, format!("{long}, b, c"));
    assert_eq!(state.errors.for_field(Field::Tags).count(), 1);
}

#[test]
fn the_limit_counts_utf16_units_as_the_browser_does() {
    // 🎉 is two UTF-16 units: 24 of them are 48, plus a comma and "a" = 50.
    let party = "🎉".repeat(24);
    let state = entered(&FormState::default(), &format!("{party},a"));
    assert_eq!(state.draft.tags.len(), 2);
    assert_eq!(joined_length(&state.draft.tags), 50);
    assert_eq!(entered(&state, "b").draft.tags.len(), 2);
}

#[test]
fn removing_a_tag_by_index_announces_it_and_a_stale_index_changes_nothing() {
    let state = entered(&FormState::default(), "a, b, c");
    let state = state.reduce(Action::Edit(Edit::RemoveTag(1)));
    assert_eq!(tags(&state), ["a", "c"]);
    assert_eq!(state.tag_notice, Some(TagNotice::Removed("b".into())));
    let same = state.reduce(Action::Edit(Edit::RemoveTag(5)));
    assert_eq!(same, state);
}

#[test]
fn typed_text_is_sent_as_a_tag_and_checked_before_sending() {
    let strings = Strings::default();
    let state = typed(&posted(&entered(&FormState::default(), "a")), "b, a");
    assert_eq!(state.draft.tags_to_send(), ["a", "b"]);
    let body = state.new_thread(START, BOTH).unwrap();
    assert_eq!(body.tags.as_deref(), Some("a,b"));
    assert!(state.validate(START, BOTH, &strings).is_empty());

    let too_long = typed(&state, &"y".repeat(60));
    let report = too_long.validate(START, BOTH, &strings);
    assert_eq!(
        report.for_field(Field::Tags).collect::<Vec<_>>(),
        ["Tags must be 50 characters or fewer, commas included"]
    );
    // A field the host turned off is neither checked nor sent.
    let off = ThreadFields::default().tags_off();
    assert!(too_long.validate(START, off, &strings).is_empty());
    assert_eq!(too_long.new_thread(START, off).unwrap().tags, None);
}

#[test]
fn bodies_carry_tags_joined_and_private_as_a_boolean_when_shown() {
    let state = posted(&entered(&FormState::default(), "events, food"))
        .reduce(Action::Edit(Edit::SetPrivate(true)));
    let json = |fields| serde_json::to_value(state.new_thread(START, fields).unwrap()).unwrap();
    let both = json(BOTH);
    assert_eq!(both["Tags"], "events,food");
    assert_eq!(both["Private"], true);
    let default = json(ThreadFields::default());
    assert_eq!(default["Tags"], "events,food");
    assert!(
        default.get("Private").is_none(),
        "private is off by default"
    );

    let unticked = posted(&FormState::default())
        .new_thread(START, BOTH)
        .unwrap();
    let unticked = serde_json::to_value(unticked).unwrap();
    assert_eq!(
        unticked["Private"], false,
        "a shown box is sent ticked or not"
    );
    assert!(unticked.get("Tags").is_none(), "no tags, no Tags");
}

#[test]
fn the_private_choice_clears_its_own_errors() {
    let mut state = FormState::default();
    state.errors.push_field(Field::Private, "is not allowed");
    let state = state.reduce(Action::Edit(Edit::SetPrivate(true)));
    assert!(state.draft.private);
    assert!(state.errors.is_empty());
}

#[test]
fn the_optional_fields_show_and_take_server_errors_only_when_starting() {
    let shown = BOTH.shown(START, false);
    assert!(shown.contains(&Field::Tags) && shown.contains(&Field::Private));
    assert_eq!(Field::from_property("tags", &shown), Some(Field::Tags));
    assert_eq!(
        Field::from_property("Private", &shown),
        Some(Field::Private)
    );
    let default = ThreadFields::default().shown(START, true);
    assert!(default.contains(&Field::Tags) && !default.contains(&Field::Private));
    assert_eq!(Field::from_property("Private", &default), None);
    let attach = BOTH.shown(Mode::Attach { thread_id: 1001 }, true);
    assert!(!attach.contains(&Field::Tags) && !attach.contains(&Field::Private));
}

#[test]
fn the_draft_keeps_tags_typed_text_and_the_private_choice() {
    let state = typed(&entered(&FormState::default(), "a, b"), "c")
        .reduce(Action::Edit(Edit::SetPrivate(true)));
    assert!(!state.draft.is_blank());
    let saved = serde_json::to_value(&state.draft).unwrap();
    assert_eq!(saved["tags"], serde_json::json!(["a", "b"]));
    let read = Draft::read(&saved);
    assert_eq!(read, state.draft);
    let restored = FormState::default().reduce(Action::RestoreDraft(read, Recovery::default()));
    assert_eq!(restored.draft, state.draft);

    // A saved draft is outside input: its tags are held to the rules again.
    let odd = serde_json::json!({"tags": ["a,b", "A", 3, "  "], "private": "yes"});
    let read = Draft::read(&odd);
    assert_eq!(read.tags, ["a", "b"]);
    assert!(!read.private);
    assert!(odd.field("tagText").is_none());
}

impl ThreadFields {
    fn tags_off(self) -> ThreadFields {
        ThreadFields {
            tags: false,
            ..self
        }
    }
}

#[test]
fn look_alike_tags_are_one_tag() {
    // Issue 22, defect 10: NFC and NFD "Café", a zero-width space, a full-width letter.
    let mut tags = Vec::new();
    let (added, left) = add_tags(
        &mut tags,
        "Caf\u{e9}, Cafe\u{301}, Ca\u{200b}fé, \u{ff23}afé, CAFÉ",
    );
    assert_eq!(added, ["Café"]);
    assert_eq!(left, None);
    let draft = Draft {
        tags: vec!["Café".into()],
        tag_text: "cafe\u{301}, caf\u{e9}\u{200d}, new\u{200b}".into(),
        ..Draft::default()
    };
    assert_eq!(
        draft.tags_to_send(),
        ["Café", "new"],
        "invisible characters are not sent"
    );
}

#[test]
fn a_thousand_pending_tags_are_sent_once_each() {
    // Issue 22, defect 5 (the keystroke time is measured by bench/run.mjs).
    let text: Vec<String> = (0..1000).map(|n| format!("t{n}")).collect();
    let draft = Draft {
        tag_text: format!("{}, T1, t2", text.join(", ")),
        ..Draft::default()
    };
    let sent = draft.tags_to_send();
    assert_eq!(sent.len(), 1000);
    assert_eq!(sent[999], "t999");
}

#[test]
fn what_is_typed_in_the_tag_input_is_cut_at_its_cap() {
    let state = FormState::default().reduce(Action::Edit(Edit::Tags {
        text: "é".repeat(MAX_PENDING_TAG_CHARS + 10),
        commit: false,
        too_long: String::new(),
    }));
    assert_eq!(state.draft.tag_text.chars().count(), MAX_PENDING_TAG_CHARS);
}
