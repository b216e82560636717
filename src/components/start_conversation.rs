//! The panel: start a conversation with an optional attachment, or attach a file to an
//! existing conversation. A view over [`crate::state`] (the rules), the file and
//! submission hooks (the browser's side), and [`crate::submit`] (the steps of a
//! submission).

use yew::prelude::*;

use super::attachment_picker::AttachmentPicker;
use super::board_picker::BoardPicker;
use super::callbacks::make_callback;
use super::error_summary::ErrorSummary;
use super::file_cards::FileCards;
use super::hooks::{use_boards, use_chosen_file, use_saved_draft, use_submission};
use super::progress_view::progress_view;
use super::start_conversation_props::{ApiSettings, StartConversationProps};
use super::success_view::SuccessView;
use super::summary_entries::summary_entries;
use super::text_field::TextField;
use super::thread_fields::thread_fields;
use super::unique_id::next_id;
use crate::api::Field;
use crate::i18n::Msg;
use crate::state::{Action, Attachment, Edit, FormState, Mode, Phase, MAX_SUBJECT_CHARS};
use crate::text;

/// The "start a conversation with an attachment" panel.
#[function_component(StartConversation)]
pub fn start_conversation(props: &StartConversationProps) -> Html {
    let strings = props.strings.clone();
    let state = use_reducer(FormState::default);
    let prefix = use_memo((), |_| format!("nsc{}", next_id()));
    let client = use_memo(props.api.clone(), ApiSettings::client);
    let chosen = use_chosen_file(&state, &props.files, &strings);
    let submission = use_submission(&state, props, &client, &chosen);
    let boards = use_boards(match submission.mode {
        Ok(Mode::Start { group_id: None, .. }) => Some((*client).clone()),
        _ => None,
    });
    use_saved_draft(
        props.draft_key.clone(),
        &state.draft,
        &state.recovery,
        state.dispatcher().to_callback(),
    );

    let Ok(mode) = submission.mode else {
        let what = submission.mode.err().unwrap_or_default();
        return html! {
            <section class="nsc-panel" part="panel" lang={strings.locale().tag()}>
                <p class="nsc-config-error" role="alert">
                    { strings.fill(Msg::NotConfigured, &[("what", what)]) }
                </p>
            </section>
        };
    };
    let attach_mode = matches!(mode, Mode::Attach { .. });
    let field_id = |field: Field| format!("{prefix}-{}", field.key());

    if let Phase::Done { thread_id, file_id } = state.phase {
        let on_again = make_callback(&state, |state, ()| state.dispatch(Action::StartAnother));
        return html! {
            <section class="nsc-panel" part="panel" lang={strings.locale().tag()}>
                <SuccessView
                    {attach_mode}
                    {thread_id}
                    {file_id}
                    conversation_url={props.conversation_url.clone()}
                    strings={strings.clone()}
                    {on_again}
                />
            </section>
        };
    }

    let busy = state.phase.is_busy();
    let recovering = state.recovery.posted.is_some();
    let takes_files = chosen.takes_files;
    let on_input = make_callback(&state, |state, (field, value): (Field, String)| {
        state.dispatch(Action::Edit(Edit::Text(field, value)))
    });
    let on_remove = make_callback(&state, |state, ()| {
        state.dispatch(Action::Edit(Edit::RemoveFile))
    });
    let on_toggle_link = make_callback(&state, |state, ()| {
        state.dispatch(Action::Edit(Edit::ToggleLinkMode))
    });

    let errors_for = |field: Field| -> Vec<String> {
        state
            .errors
            .for_field(field)
            .map(|message| text::field_message(field, message, &strings))
            .collect()
    };
    let summary = summary_entries(&state, &strings, &field_id);
    let show_file_details = attach_mode || state.has_attachment() || recovering;
    let preview_url = match &state.attachment {
        crate::state::Attachment::File(meta) => chosen.preview_url(meta.key),
        _ => None,
    };
    let max_files = props.files.limits.max_files;
    // The conversation files go to: the given one, or the one this panel posted.
    let attached_to = match mode {
        Mode::Attach { thread_id } => Some(thread_id),
        Mode::Start { .. } => state.recovery.posted,
    };
    // Whether the file sent under this display name is attached already.
    let added = |name: &str| {
        attached_to.is_some_and(|thread_id| state.recovery.added(name.trim(), thread_id).is_some())
    };
    let first_added = matches!(state.attachment, Attachment::File(_)) && added(&state.draft.name);
    let cards: Vec<_> = state
        .more
        .iter()
        .map(|card| {
            let preview = chosen.preview_url(card.meta.key);
            (card.clone(), preview, added(&card.name))
        })
        .collect();
    let on_card_text = make_callback(&state, |state, (key, field, value)| {
        state.dispatch(Action::Edit(Edit::CardText(key, field, value)))
    });
    let on_send_as_is = make_callback(&state, |state, key| {
        state.dispatch(Action::Edit(Edit::SendAsIs(key)))
    });
    let on_remove_card = make_callback(&state, |state, key| {
        state.dispatch(Action::Edit(Edit::RemoveCard(key)))
    });
    let title = if attach_mode {
        strings.get(Msg::TitleAttach)
    } else {
        strings.get(Msg::TitleStart)
    };
    let submit_text = if attach_mode {
        strings.get(Msg::SubmitAttach)
    } else if recovering {
        strings.get(Msg::RetryAttach)
    } else {
        strings.get(Msg::SubmitStart)
    };

    html! {
        <section
            class="nsc-panel"
            part="panel"
            lang={strings.locale().tag()}
            aria-labelledby={format!("{prefix}-title")}
            onpaste={chosen.on_paste}
        >
            <h2 class="nsc-title" id={format!("{prefix}-title")}>{ title }</h2>
            <ErrorSummary
                entries={summary}
                focus_key={state.summary_focus}
                title={AttrValue::from(strings.get(Msg::SummaryTitle).to_owned())}
            />
            <form class="nsc-form" novalidate=true onsubmit={submission.on_submit} aria-busy={busy.then_some("true")}>
                if !attach_mode && !recovering {
                    <TextField
                        id={field_id(Field::Subject)}
                        field={Field::Subject}
                        max_length={MAX_SUBJECT_CHARS}
                        value={state.draft.subject.clone()}
                        errors={errors_for(Field::Subject)}
                        strings={strings.clone()}
                        on_input={on_input.clone()}
                    />
                    <TextField
                        id={field_id(Field::Message)}
                        field={Field::Message}
                        multiline=true
                        value={state.draft.message.clone()}
                        errors={errors_for(Field::Message)}
                        strings={strings.clone()}
                        on_input={on_input.clone()}
                    />
                    if props.target.group_id.is_none() {
                        <BoardPicker
                            id={field_id(Field::CommunityGroupId)}
                            boards={boards}
                            selected={state.draft.group_id}
                            errors={errors_for(Field::CommunityGroupId)}
                            strings={strings.clone()}
                            on_change={on_input.clone()}
                        />
                    }
                    { thread_fields(&state, props.fields, &field_id, &errors_for, &strings) }
                }
                <AttachmentPicker
                    id={field_id(Field::Attachment)}
                    attachment={state.attachment.clone()}
                    link_mode={state.gives_link()}
                    link={state.draft.link.clone()}
                    {takes_files}
                    {preview_url}
                    errors={errors_for(Field::Attachment)}
                    limits={props.files.limits.clone()}
                    strings={strings.clone()}
                    {busy}
                    on_file={chosen.on_file}
                    on_files={chosen.on_files}
                    multiple={max_files > 1}
                    room={state.file_count() < max_files}
                    on_remove={on_remove}
                    on_send_as_is={on_send_as_is.clone()}
                    added={first_added}
                    on_toggle_link={on_toggle_link}
                    on_input={on_input.clone()}
                />
                if show_file_details {
                    <TextField
                        id={field_id(Field::Name)}
                        field={Field::Name}
                        hint={AttrValue::from(strings.get(Msg::NameHint).to_owned())}
                        value={state.draft.name.clone()}
                        errors={errors_for(Field::Name)}
                        strings={strings.clone()}
                        on_input={on_input.clone()}
                    />
                    <TextField
                        id={field_id(Field::Description)}
                        field={Field::Description}
                        multiline=true
                        optional=true
                        value={state.draft.description.clone()}
                        errors={errors_for(Field::Description)}
                        strings={strings.clone()}
                        on_input={on_input}
                    />
                }
                if !cards.is_empty() {
                    <FileCards
                        prefix={AttrValue::from((*prefix).clone())}
                        {cards}
                        strings={strings.clone()}
                        {busy}
                        on_text={on_card_text}
                        on_replace={chosen.on_replace_card}
                        on_remove={on_remove_card}
                        {on_send_as_is}
                    />
                }
                { progress_view(&state.phase, state.draft_unsaved, &strings) }
                <div class="nsc-actions">
                    <button type="submit" class="nsc-button" part="submit" disabled={busy}>
                        { submit_text }
                    </button>
                    if busy && state.phase != Phase::Removing {
                        <button type="button" class="nsc-button nsc-button--secondary" part="cancel" onclick={submission.on_cancel}>
                            { strings.get(Msg::Cancel) }
                        </button>
                    }
                    if recovering && !busy {
                        <button type="button" class="nsc-button nsc-button--secondary" onclick={submission.on_keep}>
                            { strings.get(if state.recovery.posted.is_some_and(|id| state.attachment_names(id).len() > 1) {
                                Msg::KeepWithoutMissing
                            } else {
                                Msg::KeepWithoutAttachment
                            }) }
                        </button>
                        <button type="button" class="nsc-button nsc-button--secondary nsc-button--danger" onclick={submission.on_remove_conversation}>
                            { strings.get(Msg::RemoveConversation) }
                        </button>
                    }
                </div>
            </form>
        </section>
    }
}
