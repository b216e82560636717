//! The board (CommunityGroup) picker: a native `<select>` of the boards a member may
//! post to, with "everyone" first; a board open only to its members says so beside its name.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::field_errors::FieldErrors;
use crate::api::list::Group;
use crate::api::Field;
use crate::i18n::{Msg, Strings};
use crate::text;

/// Where the list of boards stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Boards {
    /// Being fetched.
    Loading,
    /// Fetched: the boards open to members.
    Loaded(Vec<Group>),
    /// Could not be fetched; only "everyone" is offered.
    Failed,
}

/// Properties of [`BoardPicker`].
#[derive(Properties, PartialEq, Clone)]
pub struct BoardPickerProps {
    /// The select's element id.
    pub id: AttrValue,
    /// The boards.
    pub boards: Boards,
    /// The chosen board.
    pub selected: Option<u64>,
    /// Error messages, as whole sentences.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// The strings in use.
    pub strings: Strings,
    /// Called with the chosen board's Id as text ("" for everyone).
    pub on_change: Callback<(Field, String)>,
}

/// Picks the board a conversation is posted to.
#[function_component(BoardPicker)]
pub fn board_picker(props: &BoardPickerProps) -> Html {
    let strings = &props.strings;
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let has_errors = !props.errors.is_empty();
    let failed = props.boards == Boards::Failed;
    let described_by = [
        failed.then_some(hint_id.as_str()),
        has_errors.then_some(error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let on_change = props.on_change.clone();
    let onchange = Callback::from(move |event: Event| {
        if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
            on_change.emit((Field::CommunityGroupId, select.value()));
        }
    });
    let selected = props.selected;
    let option = |group: &Group| {
        // A restricted or private board is offered only when the list says this member may
        // post there; its name says so, so nobody posts to a closed circle unawares.
        let name = if group.members_only() {
            strings.fill(Msg::BoardMembersOnly, &[("name", &group.name)])
        } else {
            group.name.clone()
        };
        html! {
            <option value={group.id.to_string()} selected={selected == Some(group.id)}>
                { name }
            </option>
        }
    };
    html! {
        <div class={classes!("nsc-field", has_errors.then_some("nsc-field--error"))} part="field">
            <label class="nsc-label" for={props.id.clone()}>
                { text::label(Field::CommunityGroupId, strings) }
            </label>
            if failed {
                <div id={hint_id.clone()} class="nsc-hint">{ strings.get(Msg::BoardFailed) }</div>
            }
            <FieldErrors id={error_id.clone()} messages={props.errors.clone()} strings={props.strings.clone()} />
            <select
                id={props.id.clone()}
                class="nsc-input nsc-select"
                name={Field::CommunityGroupId.api_name()}
                aria-invalid={has_errors.then_some("true")}
                aria-describedby={(!described_by.is_empty()).then_some(described_by)}
                aria-busy={(props.boards == Boards::Loading).then_some("true")}
                {onchange}
            >
                if props.boards == Boards::Loading {
                    <option value="" selected=true>{ strings.get(Msg::BoardLoading) }</option>
                } else {
                    <option value="" selected={selected.is_none()}>{ strings.get(Msg::BoardEveryone) }</option>
                }
                if let Boards::Loaded(groups) = &props.boards {
                    { for groups.iter().map(option) }
                }
            </select>
        </div>
    }
}
