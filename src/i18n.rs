//! Every visible string of the panel, in English and French, each overridable by the
//! host by its key (`strings: { submitStart: "Publish" }`). Templates take `{name}`
//! placeholders. DOM-free.
//!
//! German, Spanish, Italian, Dutch and Portuguese are packs (`locales/<tag>.json`, the
//! keys of [`Msg`]) that are not compiled in, so they cost the first load nothing: the
//! npm entry fetches the one in use and hands it over as overrides; a Rust host reads one
//! into [`Strings::with_overrides_by_key`]. Their [`Locale`] only names the language (the
//! `lang` attribute); a key a pack lacks shows in English.

use std::rc::Rc;

/// A shipped language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// English (the default).
    #[default]
    En,
    /// French.
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
    ($( $(#[$doc:meta])* $variant:ident = $key:literal { en: $en:expr, fr: $fr:expr $(,)? } )*) => {
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

            /// The compiled-in text in `locale`: English for a pack's language (the pack
            /// comes as overrides).
            pub const fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $( (Msg::$variant, Locale::Fr) => $fr, (Msg::$variant, _) => $en, )*
                }
            }
        }
    };
}

messages! {
    /// Heading in "start a conversation" mode.
    TitleStart = "titleStart" { en: "Start a conversation", fr: "Lancer une discussion" }
    /// Heading in "attach to a conversation" mode.
    TitleAttach = "titleAttach" { en: "Attach a file to the conversation", fr: "Joindre un fichier à la discussion" }
    /// Label of the subject.
    LabelSubject = "labelSubject" { en: "Subject", fr: "Sujet" }
    /// Label of the opening message.
    LabelMessage = "labelMessage" { en: "Message", fr: "Message" }
    /// Label of the board picker.
    LabelBoard = "labelBoard" { en: "Board", fr: "Forum" }
    /// The picker's choice of no particular board.
    BoardEveryone = "boardEveryone" { en: "Everyone (no particular board)", fr: "Tout le monde (aucun forum en particulier)" }
    /// While the boards load.
    BoardLoading = "boardLoading" { en: "Loading boards…", fr: "Chargement des forums…" }
    /// A board open only to its members (restricted or private), as the picker names it.
    BoardMembersOnly = "boardMembersOnly" { en: "{name} (members only)", fr: "{name} (réservé aux membres)" }
    /// When the boards could not be loaded.
    BoardFailed = "boardFailed" { en: "The boards could not be loaded. The conversation can still be posted for everyone.", fr: "Les forums n’ont pas pu être chargés. La discussion peut quand même être publiée pour tout le monde." }
    /// Label of the attachment.
    LabelAttachment = "labelAttachment" { en: "Picture or file", fr: "Image ou fichier" }
    /// Hint of the attachment; `{max}` is the size limit.
    AttachmentHint = "attachmentHint" { en: "Up to {max}. Drag it here, paste an image, or choose a file.", fr: "Jusqu’à {max}. Glissez-le ici, collez une image ou choisissez un fichier." }
    /// The file picker's button.
    ChooseFile = "chooseFile" { en: "Choose a file", fr: "Choisir un fichier" }
    /// The drop zone's text while a file is dragged over it.
    DropHere = "dropHere" { en: "Drop the file to attach it", fr: "Déposez le fichier pour le joindre" }
    /// Switch to giving a link instead of a file.
    UseLink = "useLink" { en: "Link to a file instead", fr: "Donner plutôt un lien vers un fichier" }
    /// Switch back to choosing a file.
    UseFile = "useFile" { en: "Choose a file instead", fr: "Choisir plutôt un fichier" }
    /// Label of the link field.
    LabelLink = "labelLink" { en: "Link to the file", fr: "Lien vers le fichier" }
    /// Hint of the link field.
    LinkHint = "linkHint" { en: "A public address the server can download the file from.", fr: "Une adresse publique d’où le serveur peut télécharger le fichier." }
    /// Hint of the link field when the page offers no way to upload files.
    LinkOnlyHint = "linkOnlyHint" { en: "Files can’t be uploaded from this page. Give a public link to the file instead, such as a shared document.", fr: "Les fichiers ne peuvent pas être envoyés depuis cette page. Donnez plutôt un lien public vers le fichier, par exemple un document partagé." }
    /// A file was dropped or pasted on a page that offers no way to upload files.
    FilesUnavailable = "filesUnavailable" { en: "Files can’t be attached from this page. Give a link to the file instead", fr: "Les fichiers ne peuvent pas être joints depuis cette page. Donnez plutôt un lien vers le fichier" }
    /// Said once, quietly, when the browser would not keep the draft (storage full).
    DraftUnsaved = "draftUnsaved" { en: "Your draft could not be saved; it stays on this page.", fr: "Votre brouillon n’a pas pu être enregistré ; il reste sur cette page." }
    /// After the first few server errors listed; `{count}` more were given.
    MoreErrors = "moreErrors" { en: "…and {count} more", fr: "…et {count} de plus" }
    /// Label of the attachment's display name.
    LabelName = "labelName" { en: "Display name", fr: "Nom affiché" }
    /// Hint of the display name.
    NameHint = "nameHint" { en: "Shown to members instead of the file’s own name.", fr: "Montré aux membres à la place du nom du fichier." }
    /// Label of the attachment's description.
    LabelDescription = "labelDescription" { en: "Description", fr: "Description" }
    /// Marks an optional field.
    Optional = "optional" { en: "(optional)", fr: "(facultatif)" }
    /// On a photo's card while the cleaner works on it.
    PhotoPreparing = "photoPreparing" { en: "Preparing photo…", fr: "Préparation de la photo…" }
    /// On a cleaned photo's card: it said where it was taken; `{before}` and `{after}` are sizes.
    PhotoLocationRemoved = "photoLocationRemoved" { en: "location data removed · {before} → {after}", fr: "données de localisation retirées · {before} → {after}" }
    /// On a cleaned photo's card: camera, date or text details went.
    PhotoDetailsRemoved = "photoDetailsRemoved" { en: "photo details removed · {before} → {after}", fr: "détails de la photo retirés · {before} → {after}" }
    /// On a cleaned photo's card: only downscaled or recompressed.
    PhotoMadeSmaller = "photoMadeSmaller" { en: "made smaller · {before} → {after}", fr: "photo allégée · {before} → {after}" }
    /// On a photo's card when nothing could check it for location data (issue 22).
    PhotoUnverified = "photoUnverified" { en: "This photo could not be checked for location data. Send it as it is, or remove it.", fr: "Impossible de vérifier si cette photo contient des données de localisation. Envoyez-la telle quelle, ou retirez-la." }
    /// The error on a photo not checked, until the member chooses.
    PhotoChoose = "photoChoose" { en: "Choose whether to send this photo as it is, or remove it", fr: "Choisissez d’envoyer cette photo telle quelle, ou de la retirer" }
    /// The button that sends a photo not checked as it is.
    SendAsIs = "sendAsIs" { en: "Send as it is", fr: "Envoyer telle quelle" }
    /// On a photo's card once the member chose to send it unchecked.
    PhotoSentAsIs = "photoSentAsIs" { en: "sent as it is, not checked for location data", fr: "envoyée telle quelle, sans vérification de localisation" }
    /// The error on a HEIC, HEIF or AVIF photo while cleaning is on.
    PhotoFormatRefused = "photoFormatRefused" { en: "This photo’s format (HEIC or AVIF) cannot be cleaned of its location data here. Save it as JPEG, or remove it", fr: "Le format de cette photo (HEIC ou AVIF) ne permet pas d’en retirer la localisation ici. Enregistrez-la en JPEG, ou retirez-la" }
    /// Submitted while a photo is being cleaned: the submission starts when it is ready.
    WaitingForPhotos = "waitingForPhotos" { en: "Preparing the photos; sending as soon as they are ready…", fr: "Préparation des photos ; envoi dès qu’elles sont prêtes…" }
    /// Replace the chosen file.
    Replace = "replace" { en: "Replace", fr: "Remplacer" }
    /// Remove the chosen file.
    Remove = "remove" { en: "Remove", fr: "Retirer" }
    /// Accessible name of the preview; `{name}` is the file name.
    PreviewAlt = "previewAlt" { en: "Preview of {name}", fr: "Aperçu de {name}" }
    /// Submit in "start" mode.
    SubmitStart = "submitStart" { en: "Post conversation", fr: "Publier la discussion" }
    /// Submit in "attach" mode.
    SubmitAttach = "submitAttach" { en: "Attach file", fr: "Joindre le fichier" }
    /// Cancel the submission in flight.
    Cancel = "cancel" { en: "Cancel", fr: "Annuler" }
    /// Progress while uploading; `{percent}` is 0–100.
    Uploading = "uploading" { en: "Uploading the file… {percent}%", fr: "Envoi du fichier… {percent} %" }
    /// Progress while uploading, before the uploader reports any.
    UploadingStarted = "uploadingStarted" { en: "Uploading the file…", fr: "Envoi du fichier…" }
    /// Progress while creating the conversation.
    Posting = "posting" { en: "Posting your conversation…", fr: "Publication de votre discussion…" }
    /// Progress while attaching.
    Attaching = "attaching" { en: "Attaching your file…", fr: "Ajout de votre fichier…" }
    /// Progress while removing the conversation.
    Removing = "removing" { en: "Removing the conversation…", fr: "Suppression de la discussion…" }
    /// Title of the error summary.
    SummaryTitle = "summaryTitle" { en: "There is a problem", fr: "Il y a un problème" }
    /// Visually hidden prefix of each field error.
    ErrorPrefix = "errorPrefix" { en: "Error:", fr: "Erreur :" }
    /// Client-side check: the subject is empty.
    RequiredSubject = "requiredSubject" { en: "Enter a subject", fr: "Saisissez un sujet" }
    /// Client-side check: the subject is too long; `{max}` is the limit.
    SubjectTooLong = "subjectTooLong" { en: "Subject must be {max} characters or fewer", fr: "Le sujet doit compter {max} caractères au maximum" }
    /// Under a field near its limit; `{count}` characters are left.
    CharactersLeft = "charactersLeft" { en: "You have {count} characters remaining", fr: "Il vous reste {count} caractères" }
    /// Under a field past its limit; `{count}` characters too many.
    CharactersOver = "charactersOver" { en: "You have {count} characters too many", fr: "Vous avez {count} caractères de trop" }
    /// Client-side check: the message is empty.
    RequiredMessage = "requiredMessage" { en: "Enter a message", fr: "Saisissez un message" }
    /// Client-side check: the display name is empty.
    RequiredName = "requiredName" { en: "Enter a display name for the file", fr: "Saisissez un nom affiché pour le fichier" }
    /// Client-side check: attach mode without a file or link.
    RequiredAttachment = "requiredAttachment" { en: "Choose a file or give a link to one", fr: "Choisissez un fichier ou donnez un lien" }
    /// Client-side check: an empty file.
    FileEmpty = "fileEmpty" { en: "The selected file is empty", fr: "Le fichier choisi est vide" }
    /// Client-side check: too large; `{max}` is the limit.
    FileTooLarge = "fileTooLarge" { en: "The file must be smaller than {max}", fr: "Le fichier doit faire moins de {max}" }
    /// Client-side check: wrong type; `{types}` lists what is allowed.
    FileWrongType = "fileWrongType" { en: "The file must be one of: {types}", fr: "Le fichier doit être de l’un de ces types : {types}" }
    /// Client-side check: a link that is not http(s).
    LinkInvalid = "linkInvalid" { en: "Enter a link that starts with https://", fr: "Saisissez un lien qui commence par https://" }
    /// A server predicate after a field label: `{label} {text}`.
    FieldSentence = "fieldSentence" { en: "{label} {text}", fr: "{label} : {text}" }
    /// 401.
    Unauthorized = "unauthorized" { en: "You are signed out, or your account is not allowed to do this. Sign in again, or ask your space’s team for access.", fr: "Vous êtes déconnecté, ou votre compte n’a pas ce droit. Reconnectez-vous ou demandez l’accès à l’équipe de votre espace." }
    /// 404.
    NotFound = "notFound" { en: "The conversation could not be found. It may have been removed.", fr: "La discussion est introuvable. Elle a peut-être été supprimée." }
    /// The backend still works on an earlier send of the same write (a 409 to its key).
    WaitingForServer = "waitingForServer" { en: "The server is still finishing your earlier attempt; waiting for it…", fr: "Le serveur termine encore votre tentative précédente ; patientez…" }
    /// A 422 to a key: the earlier attempt, with other details, may have been posted.
    KeyReused = "keyReused" { en: "An earlier attempt with different details may already have been posted. Check the board first: sending again posts it as it is now.", fr: "Une tentative précédente avec d’autres détails a peut-être déjà été publiée. Vérifiez d’abord le forum : un nouvel envoi la publiera telle qu’elle est maintenant." }
    /// 409/429 after the quiet retries.
    Throttled = "throttled" { en: "The board is busy right now. Wait a moment and try again.", fr: "Le forum est très sollicité. Patientez un instant puis réessayez." }
    /// 5xx without a message.
    ServerError = "serverError" { en: "The server had a problem. Try again in a moment.", fr: "Le serveur a rencontré un problème. Réessayez dans un instant." }
    /// 5xx with the server's `{message}`.
    ServerErrorWithMessage = "serverErrorWithMessage" { en: "The server had a problem: {message} Try again in a moment.", fr: "Le serveur a rencontré un problème : {message} Réessayez dans un instant." }
    /// An answer in no known shape; `{status}` is the HTTP status.
    Unexpected = "unexpected" { en: "The server gave an answer we could not read (HTTP {status}). Try again in a moment.", fr: "Le serveur a donné une réponse illisible (HTTP {status}). Réessayez dans un instant." }
    /// No connection.
    Network = "network" { en: "The server could not be reached. Check your connection and try again.", fr: "Le serveur est injoignable. Vérifiez votre connexion et réessayez." }
    /// Timed out.
    Timeout = "timeout" { en: "The server took too long to answer. Try again.", fr: "Le serveur a mis trop de temps à répondre. Réessayez." }
    /// Cancelled by the member.
    Cancelled = "cancelled" { en: "Cancelled. Your text is still here.", fr: "Annulé. Votre texte est toujours là." }
    /// The host's uploader failed; `{message}` is its reason.
    UploadFailed = "uploadFailed" { en: "The file could not be uploaded: {message}", fr: "Le fichier n’a pas pu être envoyé : {message}" }
    /// A refusal that named no reason.
    NoDetail = "noDetail" { en: "The server refused this without saying why. Check the fields and try again.", fr: "Le serveur a refusé sans donner de raison. Vérifiez les champs et réessayez." }
    /// The conversation exists, the attachment failed.
    AttachFailed = "attachFailed" { en: "Your conversation is posted; the attachment was not added.", fr: "Votre discussion est publiée ; la pièce jointe n’a pas été ajoutée." }
    /// Retry only the attachment.
    RetryAttach = "retryAttach" { en: "Try attaching again", fr: "Réessayer d’ajouter la pièce jointe" }
    /// Give up the attachment.
    KeepWithoutAttachment = "keepWithoutAttachment" { en: "Keep it without the attachment", fr: "La garder sans pièce jointe" }
    /// The same, when several files were to be attached.
    KeepWithoutMissing = "keepWithoutMissing" { en: "Keep it without the missing attachments", fr: "La garder sans les pièces jointes manquantes" }
    /// Delete the conversation that was posted.
    RemoveConversation = "removeConversation" { en: "Remove the conversation", fr: "Supprimer la discussion" }
    /// After a failed attach of some of several attachments.
    AttachPartial = "attachPartial" { en: "Your conversation is posted; {added} of {total} attachments added. Not added: {names}.", fr: "Votre discussion est publiée ; {added} pièces jointes sur {total} ajoutées. Non ajoutées : {names}." }
    /// A file chosen beyond `maxFiles`.
    FilesLeftOut = "filesLeftOut" { en: "{count} file(s) left out: at most {max} attachments", fr: "{count} fichier(s) laissé(s) de côté : {max} pièces jointes au plus" }
    /// Two attachments with one display name.
    NameTaken = "nameTaken" { en: "Give each attachment a different display name", fr: "Donnez un nom affiché différent à chaque pièce jointe" }
    /// An attachment already added, on its card.
    FileAdded = "fileAdded" { en: "Added", fr: "Ajoutée" }
    /// The conversation was removed after a failed attach.
    ConversationRemoved = "conversationRemoved" { en: "The conversation was removed. Your text is still here.", fr: "La discussion a été supprimée. Votre texte est toujours là." }
    /// Success title in "start" mode.
    SuccessStart = "successStart" { en: "Conversation posted", fr: "Discussion publiée" }
    /// Success title in "attach" mode.
    SuccessAttach = "successAttach" { en: "File attached", fr: "Fichier joint" }
    /// Success body; `{id}` is the conversation's Id.
    SuccessBody = "successBody" { en: "Your conversation (reference {id}) is on the board.", fr: "Votre discussion (référence {id}) est sur le forum." }
    /// Success body with an attachment; `{id}` and `{fileId}`.
    SuccessBodyWithFile = "successBodyWithFile" { en: "Your conversation (reference {id}) is on the board with its attachment (reference {fileId}).", fr: "Votre discussion (référence {id}) est sur le forum avec sa pièce jointe (référence {fileId})." }
    /// Success body in attach mode; `{fileId}`.
    SuccessAttachBody = "successAttachBody" { en: "Your file (reference {fileId}) was attached to the conversation.", fr: "Votre fichier (référence {fileId}) a été joint à la discussion." }
    /// Link to the new conversation.
    ViewConversation = "viewConversation" { en: "View the conversation", fr: "Voir la discussion" }
    /// Start over after a success.
    StartAnother = "startAnother" { en: "Start another conversation", fr: "Lancer une autre discussion" }
    /// Attach another after a success in attach mode.
    AttachAnother = "attachAnother" { en: "Attach another file", fr: "Joindre un autre fichier" }
    /// The host gave too little configuration; `{what}` names it.
    NotConfigured = "notConfigured" { en: "This panel is not set up: {what}", fr: "Ce panneau n’est pas configuré : {what}" }
    /// Label of the tag input.
    LabelTags = "labelTags" { en: "Tags", fr: "Étiquettes" }
    /// Hint of the tag input.
    TagsHint = "tagsHint" { en: "Press Enter or comma to add a tag", fr: "Appuyez sur Entrée ou sur la virgule pour ajouter une étiquette" }
    /// Accessible name of a tag's remove button; `{tag}` is the tag.
    RemoveTag = "removeTag" { en: "Remove tag {tag}", fr: "Retirer l’étiquette {tag}" }
    /// Announced when a tag is added; `{tag}` is the tag.
    TagAdded = "tagAdded" { en: "Tag {tag} added", fr: "Étiquette {tag} ajoutée" }
    /// Announced when a tag is removed; `{tag}` is the tag.
    TagRemoved = "tagRemoved" { en: "Tag {tag} removed", fr: "Étiquette {tag} retirée" }
    /// The tags, commas included, would pass their limit; `{max}` is the limit.
    TagsTooLong = "tagsTooLong" { en: "Tags must be {max} characters or fewer, commas included", fr: "Les étiquettes doivent compter {max} caractères au maximum, virgules comprises" }
    /// Label of the private choice.
    LabelPrivate = "labelPrivate" { en: "Make this conversation private", fr: "Rendre cette discussion privée" }
    /// The private choice's name in error messages ("{label} is not allowed").
    FieldPrivate = "fieldPrivate" { en: "Private conversation", fr: "Discussion privée" }
    /// Hint of the private choice: what it does is the space's to decide.
    PrivateHint = "privateHint" { en: "Your space decides who can see a private conversation.", fr: "C’est votre espace qui décide qui peut voir une discussion privée." }
}

/// The strings in use: a locale's, with the host's overrides on top.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strings {
    locale: Locale,
    overrides: Rc<Vec<(Msg, String)>>,
}

impl Strings {
    /// The strings of `locale` with `overrides` (by [`Msg`]) on top.
    pub fn new(locale: Locale, overrides: Vec<(Msg, String)>) -> Strings {
        Strings {
            locale,
            overrides: Rc::new(overrides),
        }
    }

    /// Reads host overrides given by key; an unknown key is an error naming it.
    pub fn with_overrides_by_key(
        locale: Locale,
        overrides: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Strings, String> {
        let mut list = Vec::new();
        for (key, text) in overrides {
            let msg = Msg::ALL
                .iter()
                .copied()
                .find(|msg| msg.key() == key)
                .ok_or(key)?;
            list.push((msg, text));
        }
        Ok(Strings::new(locale, list))
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
            .unwrap_or_else(|| msg.text(self.locale))
    }

    /// A message with its `{name}` placeholders filled.
    pub fn fill(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        let mut text = String::new();
        let mut rest = self.get(msg);
        // Each `{name}` of a known name becomes its value; anything else stays as it is.
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
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_message_has_both_languages() {
        let mut keys: Vec<_> = Msg::ALL.iter().map(|m| m.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Msg::ALL.len());
        for msg in Msg::ALL {
            assert!(!msg.text(Locale::En).is_empty());
            assert!(!msg.text(Locale::Fr).is_empty());
            // Placeholders must match across languages.
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_owned()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(
                holes(msg.text(Locale::En)),
                holes(msg.text(Locale::Fr)),
                "{msg:?}"
            );
        }
    }

    #[test]
    fn overrides_win_and_unknown_keys_are_named() {
        let strings = Strings::with_overrides_by_key(
            Locale::Fr,
            [("submitStart".to_owned(), "Go".to_owned())],
        )
        .unwrap();
        assert_eq!(strings.get(Msg::SubmitStart), "Go");
        assert_eq!(strings.get(Msg::Cancel), "Annuler");
        assert_eq!(
            Strings::with_overrides_by_key(Locale::En, [("nope".to_owned(), String::new())]),
            Err("nope".to_owned())
        );
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
