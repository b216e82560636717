//! The host page's settings that are plain data (limits, mode), and the plain-data
//! payloads the panel reports back to the host (also the `detail` of the custom
//! element's events). DOM-free.

use serde::Serialize;

/// The largest attachment accepted unless the host says otherwise: 25 MB.
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// Limits on the attachment, checked before any request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes.
    pub max_bytes: u64,
    /// Allowed types, as an `<input accept>` list: MIME types (`image/png`), wildcards
    /// (`image/*`) or extensions (`.pdf`). Empty allows every type.
    pub accept: Vec<String>,
    /// How many files one submission may attach (`maxFiles`, 1 to [`MAX_FILES`]).
    pub max_files: usize,
}

/// The most files a host may allow in one conversation (`maxFiles`).
pub const MAX_FILES: usize = 10;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            accept: Vec::new(),
            max_files: 1,
        }
    }
}

/// Why a chosen file cannot be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    /// The file has no bytes.
    Empty,
    /// The file is larger than [`Limits::max_bytes`].
    TooLarge,
    /// The file's type is not in [`Limits::accept`].
    WrongType,
}

impl Limits {
    /// Checks a file's name, MIME type and size against the limits.
    pub fn check(&self, name: &str, mime: &str, size: u64) -> Result<(), FileRefusal> {
        if size == 0 {
            return Err(FileRefusal::Empty);
        }
        if size > self.max_bytes {
            return Err(FileRefusal::TooLarge);
        }
        if !self.accepts(name, mime) {
            return Err(FileRefusal::WrongType);
        }
        Ok(())
    }

    /// Whether `accept` allows a file with this name and MIME type.
    pub fn accepts(&self, name: &str, mime: &str) -> bool {
        if self.accept.is_empty() {
            return true;
        }
        let mime = mime.trim().to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        self.accept.iter().any(|rule| {
            let rule = rule.trim().to_ascii_lowercase();
            if rule.starts_with('.') {
                name.ends_with(&rule)
            } else if let Some(family) = rule.strip_suffix("/*") {
                mime.split('/').next() == Some(family)
            } else {
                !rule.is_empty() && mime == rule
            }
        })
    }

    /// The `accept` attribute for the file input.
    pub fn accept_attribute(&self) -> Option<String> {
        (!self.accept.is_empty()).then(|| self.accept.join(","))
    }
}

/// A byte count for people: `0 bytes`, `512 bytes`, `1.5 KB`, `25 MB` (in English; a
/// language's own is [`Strings::size`](crate::i18n::Strings::size)).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let (tenths, unit) = size_in_tenths(bytes);
    format!("{} {}", tenths_text(tenths), UNITS[unit])
}

/// A byte count as tenths of its unit and the unit (0 bytes, 1 KB … 4 TB): whole units from
/// 10 up and for round values, else one decimal, rounded half up.
///
/// Integer arithmetic only: formatting an `f64` would add ~10 KB of float printing
/// to the wasm.
pub fn size_in_tenths(bytes: u64) -> (u64, usize) {
    if bytes < 1024 {
        return (bytes * 10, 0);
    }
    let mut unit = 1;
    let mut scale: u64 = 1024;
    while bytes / scale >= 1024 && unit < 4 {
        scale *= 1024;
        unit += 1;
    }
    // Whole units and tenths, without 128-bit or float arithmetic.
    let whole = bytes / scale;
    let rest = bytes % scale;
    let tenth = (rest * 10 + scale / 2) / scale;
    let rounded = whole + u64::from(rest * 2 >= scale);
    if rounded == 1024 && unit < 4 {
        (10, unit + 1)
    } else if whole >= 10 || tenth == 0 || tenth == 10 {
        (rounded * 10, unit)
    } else {
        (whole * 10 + tenth, unit)
    }
}

/// Tenths written with a point: `42` → `4.2`, `250` → `25`.
pub fn tenths_text(tenths: u64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// Reported to the host when a conversation (and its attachment) was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The conversation's Id.
    pub thread_id: u64,
    /// The first attachment's Id, when one was attached (kept for one-file hosts).
    pub file_id: Option<u64>,
    /// Every attachment's Id, in the order shown (several attachments).
    pub file_ids: Vec<u64>,
}

/// Reported to the host when the conversation exists but an attachment failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachFailed {
    /// The conversation that was posted.
    pub thread_id: u64,
    /// The messages shown to the member.
    pub messages: Vec<String>,
    /// The Ids of the attachments that were added.
    pub file_ids: Vec<u64>,
    /// The display names of the attachments that were not.
    pub missing: Vec<String>,
}

/// Reported to the host on a failure that is not about one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelError {
    /// A stable code: `unauthorized`, `not-found`, `throttled`, `server`, `unexpected`,
    /// `network`, `timeout`, `cancelled`, `upload`.
    pub code: &'static str,
    /// The message shown to the member.
    pub message: String,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn limits_check_size_emptiness_and_type() {
        let limits = Limits {
            max_bytes: 100,
            accept: vec!["image/*".into(), ".pdf".into(), "text/plain".into()],
            max_files: 1,
        };
        assert_eq!(limits.check("a.png", "image/png", 10), Ok(()));
        assert_eq!(limits.check("a.PDF", "", 10), Ok(()));
        assert_eq!(limits.check("a.txt", "text/plain", 10), Ok(()));
        assert_eq!(
            limits.check("a.png", "image/png", 0),
            Err(FileRefusal::Empty)
        );
        assert_eq!(
            limits.check("a.png", "image/png", 101),
            Err(FileRefusal::TooLarge)
        );
        assert_eq!(
            limits.check("a.zip", "application/zip", 10),
            Err(FileRefusal::WrongType)
        );
        assert_eq!(Limits::default().check("a.zip", "", 1), Ok(()));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(DEFAULT_MAX_BYTES), "25 MB");
        assert_eq!(human_size(10 * 1024 * 1024 + 1), "10 MB");
        assert_eq!(human_size(1024 * 1024 - 1), "1 MB");
        assert_eq!(human_size(2047), "2 KB");
        assert_eq!(human_size(1024 + 100), "1.1 KB");
        assert_eq!(human_size(u64::MAX), "16777216 TB");
    }

    #[test]
    fn events_serialise_as_plain_camel_case_data() {
        let created = Created {
            thread_id: 5001,
            file_id: Some(7),
            file_ids: vec![7, 8],
        };
        assert_eq!(
            serde_json::to_string(&created).unwrap(),
            r#"{"threadId":5001,"fileId":7,"fileIds":[7,8]}"#
        );
        let without = Created {
            thread_id: 5001,
            file_id: None,
            file_ids: Vec::new(),
        };
        assert_eq!(
            serde_json::to_string(&without).unwrap(),
            r#"{"threadId":5001,"fileId":null,"fileIds":[]}"#
        );
        let failed = AttachFailed {
            thread_id: 5001,
            messages: vec!["Too big".into()],
            file_ids: vec![7],
            missing: vec!["plan".into()],
        };
        assert_eq!(
            serde_json::to_string(&failed).unwrap(),
            r#"{"threadId":5001,"messages":["Too big"],"fileIds":[7],"missing":["plan"]}"#
        );
        let error = PanelError {
            code: "timeout",
            message: "Slow".into(),
        };
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"code":"timeout","message":"Slow"}"#
        );
    }
}
