//! The progress of a submission: a bar while a file uploads, and a polite live region
//! that announces each step.

use yew::prelude::*;

use crate::i18n::{Msg, Strings};
use crate::state::Phase;

/// The progress bar and the polite live region that announces each step.
/// While editing, it says (quietly, once) when the draft cannot be saved.
pub fn progress_view(phase: &Phase, draft_unsaved: bool, strings: &Strings) -> Html {
    let (message, uploading, percent) = match phase {
        Phase::Uploading {
            percent: Some(percent),
        } => (
            strings.fill(Msg::Uploading, &[("percent", &percent.to_string())]),
            true,
            Some(*percent),
        ),
        Phase::Uploading { percent: None } => {
            (strings.get(Msg::UploadingStarted).to_owned(), true, None)
        }
        Phase::Posting => (strings.get(Msg::Posting).to_owned(), false, None),
        Phase::Attaching => (strings.get(Msg::Attaching).to_owned(), false, None),
        Phase::WaitingForServer => (strings.get(Msg::WaitingForServer).to_owned(), false, None),
        Phase::Removing => (strings.get(Msg::Removing).to_owned(), false, None),
        Phase::WaitingForPhotos => (strings.get(Msg::WaitingForPhotos).to_owned(), false, None),
        Phase::Editing if draft_unsaved => (strings.get(Msg::DraftUnsaved).to_owned(), false, None),
        Phase::Editing | Phase::Done { .. } => (String::new(), false, None),
    };
    html! {
        <div class="nsc-progress" part="progress">
            if uploading {
                // Without a reported percentage the bar is indeterminate.
                <progress
                    class="nsc-progress__bar"
                    max="100"
                    value={percent.map(|percent| percent.to_string())}
                    aria-hidden="true"
                />
            }
            <p class="nsc-status" role="status" aria-live="polite">{ message }</p>
        </div>
    }
}
