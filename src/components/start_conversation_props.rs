//! The properties of [`StartConversation`](super::StartConversation), grouped by what
//! they are about: the API connection, the conversation to write to, the files, and the
//! host's callbacks (the [`HostCallbacks`] a submission reports to).

use std::time::Duration;

use yew::prelude::*;

use crate::config::Limits;
use crate::i18n::Strings;
use crate::photo::ImageSettings;
use crate::state::{Mode, ThreadFields};
use crate::submit::HostCallbacks;
use crate::transport::{ApiClient, TokenSource, DEFAULT_TIMEOUT};
use crate::upload::{FileDelivery, Uploader};

/// The Nexudus API's public origin, used when the host gives no `base_url`.
pub const DEFAULT_BASE_URL: &str = "https://spaces.nexudus.com";

/// Properties of [`StartConversation`](super::StartConversation): the host page's
/// configuration.
///
/// With `target.thread_id` the panel attaches a file to that conversation; without it,
/// it starts a conversation (`target.business_id` and `target.user_id` are then
/// required).
#[derive(Properties, PartialEq, Clone)]
pub struct StartConversationProps {
    /// Where the API is, the member's token, and how long a request may take.
    #[prop_or_default]
    pub api: ApiSettings,
    /// The conversation to start or to attach a file to.
    #[prop_or_default]
    pub target: Target,
    /// How chosen files reach the API, and the limits on them.
    #[prop_or_default]
    pub files: FileSettings,
    /// The conversation's optional fields the panel shows and sends: tags (on by
    /// default) and the private choice (off by default).
    #[prop_or_default]
    pub fields: ThreadFields,
    /// The visible strings: a locale's, with the host's overrides.
    #[prop_or_default]
    pub strings: Strings,
    /// Where in `sessionStorage` to keep the draft; no draft is kept without it.
    #[prop_or_default]
    pub draft_key: Option<AttrValue>,
    /// A link to a conversation, with `{id}` for its Id, shown after success.
    #[prop_or_default]
    pub conversation_url: Option<AttrValue>,
    /// Called after a conversation is created, when only the attachment failed, and on
    /// a failure that is not about one field.
    #[prop_or_default]
    pub host: HostCallbacks,
}

/// The API connection.
#[derive(PartialEq, Clone)]
pub struct ApiSettings {
    /// The API origin, such as `https://spaces.nexudus.com`, or the host's own proxy.
    pub base_url: AttrValue,
    /// The member's bearer token, or an async callback that supplies one.
    pub token: TokenSource,
    /// How long one request may take, in milliseconds.
    pub timeout_ms: u32,
    /// Whether every write goes with an `Idempotency-Key` (the host's backend honours
    /// it, as `nexudus-host-proxy` does). Off by default: a bare Nexudus origin's CORS
    /// answer does not allow the header, so the browser would refuse every write.
    pub idempotency_keys: bool,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            base_url: AttrValue::Static(DEFAULT_BASE_URL),
            token: TokenSource::default(),
            timeout_ms: DEFAULT_TIMEOUT.as_millis() as u32,
            idempotency_keys: false,
        }
    }
}

impl ApiSettings {
    /// A client for these settings.
    pub fn client(&self) -> ApiClient {
        ApiClient::new(
            &self.base_url,
            self.token.clone(),
            Duration::from_millis(u64::from(self.timeout_ms)),
        )
        .with_idempotency_keys(self.idempotency_keys)
    }
}

/// The conversation the panel writes to: a new one (`business_id` and `user_id`, on
/// `group_id`'s board or one the member picks) or, with `thread_id`, an existing one.
#[derive(PartialEq, Clone, Copy, Debug, Default)]
pub struct Target {
    /// The location (`BusinessId`) conversations are created in.
    pub business_id: Option<u64>,
    /// The account (`UserId`) that posts.
    pub user_id: Option<u64>,
    /// Attach mode: the conversation to attach a file to.
    pub thread_id: Option<u64>,
    /// A board fixed by the host; the board picker is then hidden.
    pub group_id: Option<u64>,
}

impl Target {
    /// The mode the configuration asks for, or what is missing.
    pub fn mode(&self) -> Result<Mode, &'static str> {
        match (self.thread_id, self.business_id, self.user_id) {
            (Some(thread_id), _, _) => Ok(Mode::Attach { thread_id }),
            (None, Some(business_id), Some(user_id)) => Ok(Mode::Start {
                business_id,
                user_id,
                group_id: self.group_id,
            }),
            _ => Err(
                "businessId and userId (to start a conversation), or threadId (to attach a file)",
            ),
        }
    }
}

/// How chosen files reach the API, what may be chosen, and how photos are cleaned.
#[derive(PartialEq, Clone)]
pub struct FileSettings {
    /// Limits on the attachment, checked before any request.
    pub limits: Limits,
    /// The host's own uploader: `upload(file, progress, signal)` → the file's public
    /// URL. Takes precedence over `upload_endpoint`.
    pub uploader: Option<Uploader>,
    /// The host's presigned-upload endpoint (absolute, or relative to the page): it
    /// answers `POST {fileName, contentType, size}` with `{uploadUrl, fileUrl}` (see
    /// [`crate::presigned`]). Without it or an `uploader`, members give a link instead
    /// of a file.
    pub upload_endpoint: Option<AttrValue>,
    /// Sends chosen files inline as `data:` URLs when there is no uploader or endpoint:
    /// only for a backend known to accept them (live Nexudus answers them with a 500).
    pub inline_files: bool,
    /// How a chosen JPEG, PNG or WebP is cleaned (metadata dropped, downscaled) before
    /// it can be sent; `None` sends photos as they are (the host's `images: false`).
    pub images: Option<ImageSettings>,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            limits: Limits::default(),
            uploader: None,
            upload_endpoint: None,
            inline_files: false,
            images: Some(ImageSettings::default()),
        }
    }
}

impl FileSettings {
    /// How chosen files reach the API, from the host's settings.
    pub fn delivery(&self) -> FileDelivery {
        match (&self.uploader, &self.upload_endpoint) {
            (Some(uploader), _) => FileDelivery::Uploader(uploader.clone()),
            (None, Some(endpoint)) => FileDelivery::Endpoint(endpoint.clone()),
            (None, None) if self.inline_files => FileDelivery::Inline,
            (None, None) => FileDelivery::LinksOnly,
        }
    }
}
