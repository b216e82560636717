//! Every visible string of the panel, in English, each overridable by the host by its key
//! (`strings: { submitStart: "Publish" }`). Templates take `{name}` placeholders. DOM-free.
//!
//! French, German, Spanish, Italian, Dutch and Portuguese are packs (`locales/<tag>.json`,
//! the keys of [`Msg`]), not compiled in, so they cost the first load nothing: the npm
//! entry fetches the one in use and hands it over as overrides, under the host's own; a
//! Rust host reads one into [`Strings::with_overrides_by_key`]. A [`Locale`] only names
//! the language (the `lang` attribute); a key a pack lacks shows in English.

use std::rc::Rc;

/// A shipped language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// English (the default).
    #[default]
    En,
    /// French (a pack).
    Fr,
    /// German (a pack).
    De,
    /// Spanish (a pack).
    Es,
    /// Italian (a pack).
    It,
    /// Dutch (a pack).
    Nl,
    /// Portuguese as written in Brazil (a pack).
    Pt,
    /// Portuguese as written in Portugal (the `pt-PT` pack over the `pt` one).
    PtPt,
}

impl Locale {
    /// Reads a BCP 47 tag (`fr`, `fr-CA`, `en-GB`); `None` for a language not shipped.
    pub fn parse(tag: &str) -> Option<Locale> {
        let mut parts = tag.trim().split(['-', '_']);
        let language = parts.next()?.to_ascii_lowercase();
        let region = parts.next().unwrap_or_default().to_ascii_lowercase();
        match (language.as_str(), region.as_str()) {
            ("en", _) => Some(Locale::En),
            ("fr", _) => Some(Locale::Fr),
            ("de", _) => Some(Locale::De),
            ("es", _) => Some(Locale::Es),
            ("it", _) => Some(Locale::It),
            ("nl", _) => Some(Locale::Nl),
            ("pt", "pt") => Some(Locale::PtPt),
            ("pt", _) => Some(Locale::Pt),
            _ => None,
        }
    }

    /// The tag for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::Es => "es",
            Locale::It => "it",
            Locale::Nl => "nl",
            Locale::Pt => "pt",
            Locale::PtPt => "pt-PT",
        }
    }
}

macro_rules! messages {
    ($( $(#[$doc:meta])* $variant:ident = $key:literal { en: $en:expr $(,)? } )*) => {
        /// A visible string of the panel.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $( $(#[$doc])* $variant, )*
        }

        impl Msg {
            /// Every message, for listing the keys a host may override.
            pub const ALL: &'static [Msg] = &[ $( Msg::$variant, )* ];

            /// The key a host uses to override this message.
            pub const fn key(self) -> &'static str {
                match self { $( Msg::$variant => $key, )* }
            }

            /// The compiled-in text, in English (every other language is a pack, given
            /// as overrides).
            pub const fn text(self) -> &'static str {
                match self { $( Msg::$variant => $en, )* }
            }
        }
    };
}

messages! {
    /// Heading in "start a conversation" mode.
    TitleStart = "titleStart" { en: "Start a conversation" }
    /// Heading in "attach to a conversation" mode.
    TitleAttach = "titleAttach" { en: "Attach a file to the conversation" }
    /// Label of the subject.
    LabelSubject = "labelSubject" { en: "Subject" }
    /// Label of the opening message.
    LabelMessage = "labelMessage" { en: "Message" }
    /// Label of the board picker.
    LabelBoard = "labelBoard" { en: "Board" }
    /// The picker's choice of no particular board.
    BoardEveryone = "boardEveryone" { en: "Everyone (no particular board)" }
    /// While the boards load.
    BoardLoading = "boardLoading" { en: "Loading boards…" }
    /// A board open only to its members (restricted or private), as the picker names it.
    BoardMembersOnly = "boardMembersOnly" { en: "{name} (members only)" }
    /// When the boards could not be loaded.
    BoardFailed = "boardFailed" { en: "The boards could not be loaded. The conversation can still be posted for everyone." }
    /// Label of the attachment.
    LabelAttachment = "labelAttachment" { en: "Picture or file" }
    /// Hint of the attachment; `{max}` is the size limit.
    AttachmentHint = "attachmentHint" { en: "Up to {max}. Drag it here, paste an image, or choose a file." }
    /// The file picker's button.
    ChooseFile = "chooseFile" { en: "Choose a file" }
    /// The drop zone's text while a file is dragged over it.
    DropHere = "dropHere" { en: "Drop the file to attach it" }
    /// Switch to giving a link instead of a file.
    UseLink = "useLink" { en: "Link to a file instead" }
    /// Switch back to choosing a file.
    UseFile = "useFile" { en: "Choose a file instead" }
    /// Label of the link field.
    LabelLink = "labelLink" { en: "Link to the file" }
    /// Hint of the link field.
    LinkHint = "linkHint" { en: "A public address the server can download the file from." }
    /// Hint of the link field when the page offers no way to upload files.
    LinkOnlyHint = "linkOnlyHint" { en: "Files can’t be uploaded from this page. Give a public link to the file instead, such as a shared document." }
    /// A file was dropped or pasted on a page that offers no way to upload files.
    FilesUnavailable = "filesUnavailable" { en: "Files can’t be attached from this page. Give a link to the file instead" }
    /// Said once, quietly, when the browser would not keep the draft (storage full).
    DraftUnsaved = "draftUnsaved" { en: "Your draft could not be saved; it stays on this page." }
    /// After the first few server errors listed; `{count}` more were given.
    MoreErrors = "moreErrors" { en: "…and {count} more" }
    /// Label of the attachment's display name.
    LabelName = "labelName" { en: "Display name" }
    /// Hint of the display name.
    NameHint = "nameHint" { en: "Shown to members instead of the file’s own name." }
    /// Label of the attachment's description.
    LabelDescription = "labelDescription" { en: "Description" }
    /// Marks an optional field.
    Optional = "optional" { en: "(optional)" }
    /// On a photo's card while the cleaner works on it.
    PhotoPreparing = "photoPreparing" { en: "Preparing photo…" }
    /// On a cleaned photo's card: it said where it was taken; `{before}` and `{after}` are sizes.
    PhotoLocationRemoved = "photoLocationRemoved" { en: "location data removed · {before} → {after}" }
    /// On a cleaned photo's card: camera, date or text details went.
    PhotoDetailsRemoved = "photoDetailsRemoved" { en: "photo details removed · {before} → {after}" }
    /// On a cleaned photo's card: only downscaled or recompressed.
    PhotoMadeSmaller = "photoMadeSmaller" { en: "made smaller · {before} → {after}" }
    /// On a photo's card when nothing could check it for location data (issue 22).
    PhotoUnverified = "photoUnverified" { en: "This photo could not be checked for location data. Send it as it is, or remove it." }
    /// The error on a photo not checked, until the member chooses.
    PhotoChoose = "photoChoose" { en: "Choose whether to send this photo as it is, or remove it" }
    /// The button that sends a photo not checked as it is.
    SendAsIs = "sendAsIs" { en: "Send as it is" }
    /// On a photo's card once the member chose to send it unchecked.
    PhotoSentAsIs = "photoSentAsIs" { en: "sent as it is, not checked for location data" }
    /// The error on a HEIC, HEIF or AVIF photo while cleaning is on.
    PhotoFormatRefused = "photoFormatRefused" { en: "This photo’s format (HEIC or AVIF) cannot be cleaned of its location data here. Save it as JPEG, or remove it" }
    /// Submitted while a photo is being cleaned: the submission starts when it is ready.
    WaitingForPhotos = "waitingForPhotos" { en: "Preparing the photos; sending as soon as they are ready…" }
    /// Replace the chosen file.
    Replace = "replace" { en: "Replace" }
    /// Remove the chosen file.
    Remove = "remove" { en: "Remove" }
    /// Accessible name of the preview; `{name}` is the file name.
    PreviewAlt = "previewAlt" { en: "Preview of {name}" }
    /// Submit in "start" mode.
    SubmitStart = "submitStart" { en: "Post conversation" }
    /// Submit in "attach" mode.
    SubmitAttach = "submitAttach" { en: "Attach file" }
    /// Cancel the submission in flight.
    Cancel = "cancel" { en: "Cancel" }
    /// Progress while uploading; `{percent}` is 0–100.
    Uploading = "uploading" { en: "Uploading the file… {percent}%" }
    /// Progress while uploading, before the uploader reports any.
    UploadingStarted = "uploadingStarted" { en: "Uploading the file…" }
    /// Progress while creating the conversation.
    Posting = "posting" { en: "Posting your conversation…" }
    /// Progress while attaching.
    Attaching = "attaching" { en: "Attaching your file…" }
    /// Progress while removing the conversation.
    Removing = "removing" { en: "Removing the conversation…" }
    /// Title of the error summary.
    SummaryTitle = "summaryTitle" { en: "There is a problem" }
    /// Visually hidden prefix of each field error.
    ErrorPrefix = "errorPrefix" { en: "Error:" }
    /// Client-side check: the subject is empty.
    RequiredSubject = "requiredSubject" { en: "Enter a subject" }
    /// Client-side check: the subject is too long; `{max}` is the limit.
    SubjectTooLong = "subjectTooLong" { en: "Subject must be {max} characters or fewer" }
    /// Under a field near its limit; `{count}` characters are left.
    CharactersLeft = "charactersLeft" { en: "You have {count} characters remaining" }
    /// Under a field past its limit; `{count}` characters too many.
    CharactersOver = "charactersOver" { en: "You have {count} characters too many" }
    /// Client-side check: the message is empty.
    RequiredMessage = "requiredMessage" { en: "Enter a message" }
    /// Client-side check: the display name is empty.
    RequiredName = "requiredName" { en: "Enter a display name for the file" }
    /// Client-side check: attach mode without a file or link.
    RequiredAttachment = "requiredAttachment" { en: "Choose a file or give a link to one" }
    /// Client-side check: an empty file.
    FileEmpty = "fileEmpty" { en: "The selected file is empty" }
    /// Client-side check: too large; `{max}` is the limit.
    FileTooLarge = "fileTooLarge" { en: "The file must be smaller than {max}" }
    /// Client-side check: wrong type; `{types}` lists what is allowed.
    FileWrongType = "fileWrongType" { en: "The file must be one of: {types}" }
    /// Client-side check: a link that is not http(s).
    LinkInvalid = "linkInvalid" { en: "Enter a link that starts with https://" }
    /// A server predicate after a field label: `{label} {text}`.
    FieldSentence = "fieldSentence" { en: "{label} {text}" }
    /// 401.
    Unauthorized = "unauthorized" { en: "You are signed out, or your account is not allowed to do this. Sign in again, or ask your space’s team for access." }
    /// 404.
    NotFound = "notFound" { en: "The conversation could not be found. It may have been removed." }
    /// The backend still works on an earlier send of the same write (a 409 to its key).
    WaitingForServer = "waitingForServer" { en: "The server is still finishing your earlier attempt; waiting for it…" }
    /// A 422 to a key: the earlier attempt, with other details, may have been posted.
    KeyReused = "keyReused" { en: "An earlier attempt with different details may already have been posted. Check the board first: sending again posts it as it is now." }
    /// 409/429 after the quiet retries.
    Throttled = "throttled" { en: "The board is busy right now. Wait a moment and try again." }
    /// 5xx without a message.
    ServerError = "serverError" { en: "The server had a problem. Try again in a moment." }
    /// 5xx with the server's `{message}`.
    ServerErrorWithMessage = "serverErrorWithMessage" { en: "The server had a problem: {message} Try again in a moment." }
    /// An answer in no known shape; `{status}` is the HTTP status.
    Unexpected = "unexpected" { en: "The server gave an answer we could not read (HTTP {status}). Try again in a moment." }
    /// No connection.
    Network = "network" { en: "The server could not be reached. Check your connection and try again." }
    /// Timed out.
    Timeout = "timeout" { en: "The server took too long to answer. Try again." }
    /// Cancelled by the member.
    Cancelled = "cancelled" { en: "Cancelled. Your text is still here." }
    /// The host's uploader failed; `{message}` is its reason.
    UploadFailed = "uploadFailed" { en: "The file could not be uploaded: {message}" }
    /// A refusal that named no reason.
    NoDetail = "noDetail" { en: "The server refused this without saying why. Check the fields and try again." }
    /// The conversation exists, the attachment failed.
    AttachFailed = "attachFailed" { en: "Your conversation is posted; the attachment was not added." }
    /// Retry only the attachment.
    RetryAttach = "retryAttach" { en: "Try attaching again" }
    /// Give up the attachment.
    KeepWithoutAttachment = "keepWithoutAttachment" { en: "Keep it without the attachment" }
    /// The same, when several files were to be attached.
    KeepWithoutMissing = "keepWithoutMissing" { en: "Keep it without the missing attachments" }
    /// Delete the conversation that was posted.
    RemoveConversation = "removeConversation" { en: "Remove the conversation" }
    /// After a failed attach of some of several attachments.
    AttachPartial = "attachPartial" { en: "Your conversation is posted; {added} of {total} attachments added. Not added: {names}." }
    /// A file chosen beyond `maxFiles`.
    FilesLeftOut = "filesLeftOut" { en: "{count} files left out: at most {max} attachments" }
    /// Two attachments with one display name.
    NameTaken = "nameTaken" { en: "Give each attachment a different display name" }
    /// An attachment already added, on its card.
    FileAdded = "fileAdded" { en: "Added" }
    /// The conversation was removed after a failed attach.
    ConversationRemoved = "conversationRemoved" { en: "The conversation was removed. Your text is still here." }
    /// Success title in "start" mode.
    SuccessStart = "successStart" { en: "Conversation posted" }
    /// Success title in "attach" mode.
    SuccessAttach = "successAttach" { en: "File attached" }
    /// Success body; `{id}` is the conversation's Id.
    SuccessBody = "successBody" { en: "Your conversation (reference {id}) is on the board." }
    /// Success body with an attachment; `{id}` and `{fileId}`.
    SuccessBodyWithFile = "successBodyWithFile" { en: "Your conversation (reference {id}) is on the board with its attachment (reference {fileId})." }
    /// Success body in attach mode; `{fileId}`.
    SuccessAttachBody = "successAttachBody" { en: "Your file (reference {fileId}) was attached to the conversation." }
    /// Link to the new conversation.
    ViewConversation = "viewConversation" { en: "View the conversation" }
    /// Start over after a success.
    StartAnother = "startAnother" { en: "Start another conversation" }
    /// Attach another after a success in attach mode.
    AttachAnother = "attachAnother" { en: "Attach another file" }
    /// The host gave too little configuration; `{what}` names it.
    NotConfigured = "notConfigured" { en: "This panel is not set up: {what}" }
    /// Label of the tag input.
    LabelTags = "labelTags" { en: "Tags" }
    /// Hint of the tag input.
    TagsHint = "tagsHint" { en: "Press Enter or comma to add a tag" }
    /// Accessible name of a tag's remove button; `{tag}` is the tag.
    RemoveTag = "removeTag" { en: "Remove tag {tag}" }
    /// Announced when a tag is added; `{tag}` is the tag.
    TagAdded = "tagAdded" { en: "Tag {tag} added" }
    /// Announced when a tag is removed; `{tag}` is the tag.
    TagRemoved = "tagRemoved" { en: "Tag {tag} removed" }
    /// The tags, commas included, would pass their limit; `{max}` is the limit.
    TagsTooLong = "tagsTooLong" { en: "Tags must be {max} characters or fewer, commas included" }
    /// Label of the private choice.
    LabelPrivate = "labelPrivate" { en: "Make this conversation private" }
    /// The private choice's name in error messages ("{label} is not allowed").
    FieldPrivate = "fieldPrivate" { en: "Private conversation" }
    /// A size under 1 KB; `{count}` is the number, as the language writes it.
    SizeBytes = "sizeBytes" { en: "{count} bytes" }
    /// A size in kilobytes (of 1024 bytes).
    SizeKb = "sizeKb" { en: "{count} KB" }
    /// A size in megabytes.
    SizeMb = "sizeMb" { en: "{count} MB" }
    /// A size in gigabytes.
    SizeGb = "sizeGb" { en: "{count} GB" }
    /// A size in terabytes.
    SizeTb = "sizeTb" { en: "{count} TB" }
    /// Hint of the private choice: what it does is the space's to decide.
    PrivateHint = "privateHint" { en: "Your space decides who can see a private conversation." }
}

/// The messages that say a `{count}`, whose text may differ by the number's plural form:
/// a pack or a host gives a form as `key.form` (`charactersLeft.one`), beside `key`, the
/// text of every other form.
pub const COUNTED: [Msg; 4] = [
    Msg::MoreErrors,
    Msg::CharactersLeft,
    Msg::CharactersOver,
    Msg::FilesLeftOut,
];

/// The plural forms of `Intl.PluralRules` (CLDR).
pub const PLURAL_FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The English text for one, where it differs from the others.
const fn english_one(msg: Msg) -> Option<&'static str> {
    match msg {
        Msg::CharactersLeft => Some("You have {count} character remaining"),
        Msg::CharactersOver => Some("You have {count} character too many"),
        Msg::FilesLeftOut => Some("{count} file left out: at most {max} attachments"),
        _ => None,
    }
}

/// The strings in use: a locale's, with the host's overrides on top.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strings {
    locale: Locale,
    overrides: Rc<Vec<(Msg, String)>>,
    /// Overrides of one plural form of a [`COUNTED`] message: the message, the form, the text.
    forms: Rc<Vec<(Msg, String, String)>>,
}

impl Strings {
    /// The strings of `locale` with `overrides` (by [`Msg`]) on top.
    pub fn new(locale: Locale, overrides: Vec<(Msg, String)>) -> Strings {
        Strings {
            locale,
            overrides: Rc::new(overrides),
            forms: Rc::default(),
        }
    }

    /// Reads host overrides given by key (`key`, or `key.form` for a plural form of a
    /// [`COUNTED`] message); an unknown key is an error naming it.
    pub fn with_overrides_by_key(
        locale: Locale,
        overrides: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Strings, String> {
        let mut list = Vec::new();
        let mut forms = Vec::new();
        for (key, text) in overrides {
            let (base, form) = match key.split_once('.') {
                Some((base, form)) => (base, Some(form)),
                None => (key.as_str(), None),
            };
            let msg = Msg::ALL.iter().copied().find(|msg| msg.key() == base);
            match (msg, form) {
                (Some(msg), None) => list.push((msg, text)),
                (Some(msg), Some(form))
                    if COUNTED.contains(&msg) && PLURAL_FORMS.contains(&form) =>
                {
                    forms.push((msg, form.to_owned(), text));
                }
                _ => return Err(key),
            }
        }
        let mut strings = Strings::new(locale, list);
        strings.forms = Rc::new(forms);
        Ok(strings)
    }

    /// The locale in use.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// A message's text.
    pub fn get(&self, msg: Msg) -> &str {
        self.overrides
            .iter()
            .rev()
            .find(|(m, _)| *m == msg)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| msg.text())
    }

    /// A [`COUNTED`] message for `count`, in the number's plural form, its `{count}` and
    /// `args` filled.
    pub fn fill_count(&self, msg: Msg, count: u64, args: &[(&str, &str)]) -> String {
        let form = self.plural_form(count);
        let text = self
            .forms
            .iter()
            .rev()
            .find(|(m, f, _)| *m == msg && *f == form)
            .map(|(_, _, text)| text.as_str())
            .or_else(|| {
                self.overrides
                    .iter()
                    .rev()
                    .find(|(m, _)| *m == msg)
                    .map(|(_, text)| text.as_str())
            })
            .or_else(|| english_one(msg).filter(|_| form == "one"))
            .unwrap_or_else(|| msg.text());
        let count = count.to_string();
        let mut all = vec![("count", count.as_str())];
        all.extend_from_slice(args);
        fill(text, &all)
    }

    /// The plural form of `count` in this language (`Intl.PluralRules`).
    #[cfg(target_arch = "wasm32")]
    fn plural_form(&self, count: u64) -> String {
        let locales = js_sys::Array::of1(&self.locale.tag().into());
        let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
        String::from(rules.select(count as f64))
    }

    /// One or other, as English has them (no browser natively).
    #[cfg(not(target_arch = "wasm32"))]
    fn plural_form(&self, count: u64) -> String {
        if count == 1 { "one" } else { "other" }.to_owned()
    }

    /// A byte count in this language: its unit from the strings (`Mo` in French), its
    /// number as the language writes it (`2,3`; the browser's `toLocaleString`).
    pub fn size(&self, bytes: u64) -> String {
        const UNITS: [Msg; 5] = [
            Msg::SizeBytes,
            Msg::SizeKb,
            Msg::SizeMb,
            Msg::SizeGb,
            Msg::SizeTb,
        ];
        let (tenths, unit) = crate::config::size_in_tenths(bytes);
        let number = self.number(tenths);
        self.fill(UNITS[unit], &[("count", &number)])
    }

    /// Tenths as the language writes the number (`4,2` in French, `4.2` in English).
    #[cfg(target_arch = "wasm32")]
    fn number(&self, tenths: u64) -> String {
        // Up to 1024 × 10 tenths: exact as an f64.
        let value = js_sys::Number::from(tenths as f64 / 10.0);
        String::from(value.to_locale_string(self.locale.tag()))
    }

    /// Tenths with a point (no browser natively).
    #[cfg(not(target_arch = "wasm32"))]
    fn number(&self, tenths: u64) -> String {
        crate::config::tenths_text(tenths)
    }

    /// A message with its `{name}` placeholders filled.
    pub fn fill(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        fill(self.get(msg), args)
    }
}

/// `template` with each `{name}` of a known name filled; anything else stays as it is.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut text = String::new();
    let mut rest = template;
    while let Some((head, tail)) = rest.split_once('{') {
        text.push_str(head);
        let filled = tail.split_once('}').and_then(|(name, after)| {
            let (_, value) = args.iter().find(|(known, _)| *known == name)?;
            Some((value, after))
        });
        match filled {
            Some((value, after)) => {
                text.push_str(value);
                rest = after;
            }
            None => {
                text.push('{');
                rest = tail;
            }
        }
    }
    text.push_str(rest);
    text
}

#[cfg(all(test, not(target_arch = "wasm32")))]
fn french_pack() -> Vec<(String, String)> {
    let pack: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../locales/fr.json")).unwrap_or_default();
    pack.into_iter()
        .filter_map(|(key, text)| Some((key, text.as_str()?.to_owned())))
        .collect()
}

/// The French strings, as a host that loaded the pack has them (for the tests).
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) fn french() -> Strings {
    Strings::with_overrides_by_key(Locale::Fr, french_pack()).unwrap_or_default()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_message_has_a_text() {
        let mut keys: Vec<_> = Msg::ALL.iter().map(|m| m.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Msg::ALL.len());
        assert!(Msg::ALL.iter().all(|msg| !msg.text().is_empty()));
    }

    #[test]
    fn overrides_win_and_unknown_keys_are_named() {
        let mut pack = french_pack();
        pack.push(("submitStart".to_owned(), "Go".to_owned()));
        let strings = Strings::with_overrides_by_key(Locale::Fr, pack).unwrap();
        assert_eq!(strings.get(Msg::SubmitStart), "Go");
        assert_eq!(strings.get(Msg::Cancel), "Annuler");
        assert_eq!(strings.locale().tag(), "fr");
        assert_eq!(
            Strings::with_overrides_by_key(Locale::En, [("nope".to_owned(), String::new())]),
            Err("nope".to_owned())
        );
    }

    #[test]
    fn counts_take_their_plural_form() {
        let english = Strings::default();
        let left = |strings: &Strings, n| strings.fill_count(Msg::CharactersLeft, n, &[]);
        assert_eq!(left(&english, 1), "You have 1 character remaining");
        assert_eq!(left(&english, 2), "You have 2 characters remaining");
        assert_eq!(
            english.fill_count(Msg::FilesLeftOut, 1, &[("max", "3")]),
            "1 file left out: at most 3 attachments"
        );
        let french = french();
        assert_eq!(left(&french, 1), "Il vous reste 1 caractère");
        assert_eq!(left(&french, 3), "Il vous reste 3 caractères");
        // A host's text without forms is used for every number; a form the host gives wins.
        let host = |entries: &[(&str, &str)]| {
            let entries = entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
            Strings::with_overrides_by_key(Locale::En, entries).unwrap()
        };
        assert_eq!(
            left(&host(&[("charactersLeft", "{count} left")]), 1),
            "1 left"
        );
        let both = host(&[
            ("charactersLeft", "{count} left"),
            ("charactersLeft.one", "one left"),
        ]);
        assert_eq!(
            (left(&both, 1), left(&both, 5)),
            ("one left".into(), "5 left".into())
        );
        // Forms only of counted messages, only CLDR's.
        for key in ["cancel.one", "charactersLeft.single", "charactersLeft."] {
            assert_eq!(
                Strings::with_overrides_by_key(Locale::En, [(key.to_owned(), String::new())]),
                Err(key.to_owned())
            );
        }
    }

    #[test]
    fn templates_fill() {
        let strings = Strings::default();
        assert_eq!(
            strings.fill(Msg::Uploading, &[("percent", "40")]),
            "Uploading the file… 40%"
        );
        assert_eq!(Locale::parse("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("de-AT"), Some(Locale::De));
        assert_eq!(Locale::parse("pt-BR"), Some(Locale::Pt));
        assert_eq!(Locale::parse("pt_PT"), Some(Locale::PtPt));
        assert_eq!(Locale::parse("ja"), None);
    }
}
