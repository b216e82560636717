//! What the cleaner did with a photo, read from its plain-object report, and the card's
//! note ("location data removed · 4.2 MB → 922 KB", its words in [`crate::i18n`]). DOM-free.

use serde::Serialize;

use crate::api::json::JsonView;
use crate::i18n::{Msg, Strings};

/// Whether the photo to upload is a cleaned copy or the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CleanAction {
    /// A re-encoded copy, without metadata, within the maximum dimension.
    Cleaned,
    /// The original file, untouched: it carries no metadata, or the host keeps it.
    Kept,
    /// Neither the re-encode nor the stripper can vouch for the file (an unknown
    /// container, a structure cut short or lying about itself, a file over the reading
    /// ceiling): the member chooses to send it as it is, or to remove it.
    Unverified,
    /// A format whose metadata the cleaner cannot remove (HEIC, HEIF, AVIF): not sent
    /// while cleaning is on.
    Refused,
}

/// Why the original was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeptReason {
    /// An animated GIF, PNG (APNG) or WebP: a canvas keeps only the first frame.
    Animated,
    /// Not a picture.
    NotAnImage,
    /// Within the maximum dimension, small, and carrying no metadata.
    SmallAndClean,
    /// Re-encoded it was no smaller, and there was nothing to remove or downscale.
    Bigger,
    /// It has metadata, and the host asked to keep it (`keepMetadata`).
    KeepMetadata,
    /// A picture the browser cannot re-encode as its own type (a GIF, HEIC, WebP where
    /// there is no WebP encoder).
    Unsupported,
    /// It could not be decoded (or the cleaner failed); with [`CleanAction::Kept`] the
    /// stripper vouched for it, with [`CleanAction::Unverified`] nothing did.
    DecodeFailed,
    /// A picture in no container the cleaner knows.
    UnknownFormat,
    /// Over the reading ceiling (100 MB): not read, so not vouched for.
    TooBigToRead,
    /// HEIC, HEIF or AVIF.
    Heif,
}

impl KeptReason {
    fn parse(text: &str) -> Option<KeptReason> {
        Some(match text {
            "animated" => KeptReason::Animated,
            "not-an-image" => KeptReason::NotAnImage,
            "small-and-clean" => KeptReason::SmallAndClean,
            "bigger" => KeptReason::Bigger,
            "keep-metadata" => KeptReason::KeepMetadata,
            "unsupported" => KeptReason::Unsupported,
            "decode-failed" => KeptReason::DecodeFailed,
            "unknown-format" => KeptReason::UnknownFormat,
            "too-big-to-read" => KeptReason::TooBigToRead,
            "heif" => KeptReason::Heif,
            _ => return None,
        })
    }
}

/// What the cleaner did, as `cleanImage` reports it (the same keys, camelCase).
/// Widths and heights are those of the picture the right way up; 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CleanReport {
    /// Cleaned copy or original.
    pub action: CleanAction,
    /// Why the original was kept, not vouched for or refused (`None` when cleaned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<KeptReason>,
    /// The chosen file's size.
    pub bytes_before: u64,
    /// The size of the file to upload.
    pub bytes_after: u64,
    /// The chosen picture's width.
    pub width_before: u32,
    /// The chosen picture's height.
    pub height_before: u32,
    /// The uploaded picture's width.
    pub width_after: u32,
    /// The uploaded picture's height.
    pub height_after: u32,
    /// EXIF, XMP, IPTC or text metadata was there and is gone.
    pub metadata_removed: bool,
    /// Among it, where the photo was taken (EXIF GPS, XMP GPS).
    pub location_removed: bool,
    /// Downscaled to the maximum dimension.
    pub resized: bool,
}

/// The gist of the card's note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanNote {
    /// The photo said where it was taken, and no longer does.
    LocationRemoved,
    /// Other metadata (camera, date, text) was removed.
    MetadataRemoved,
    /// Only downscaled or recompressed.
    MadeSmaller,
}

impl CleanNote {
    /// The note's message (a template with `{before}` and `{after}`), which hosts may
    /// override like any other string.
    pub const fn msg(self) -> Msg {
        match self {
            CleanNote::LocationRemoved => Msg::PhotoLocationRemoved,
            CleanNote::MetadataRemoved => Msg::PhotoDetailsRemoved,
            CleanNote::MadeSmaller => Msg::PhotoMadeSmaller,
        }
    }
}

impl CleanReport {
    /// The original kept for `reason`, sizes unknown: what a failure of the cleaner itself
    /// reports.
    pub fn kept(bytes: u64, reason: KeptReason) -> CleanReport {
        CleanReport {
            action: CleanAction::Kept,
            reason: Some(reason),
            bytes_before: bytes,
            bytes_after: bytes,
            width_before: 0,
            height_before: 0,
            width_after: 0,
            height_after: 0,
            metadata_removed: false,
            location_removed: false,
            resized: false,
        }
    }

    /// Reads `cleanImage`'s `report`; `None` unless it has the action, a known reason
    /// when kept, and both byte counts.
    pub fn read(value: &impl JsonView) -> Option<CleanReport> {
        let text = |key| value.field(key).and_then(|v| v.as_text());
        let count = |key| value.field(key).and_then(|v| v.read_u64());
        let pixels = |key| count(key).and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        let flag = |key| value.field(key).and_then(|v| v.as_boolean()) == Some(true);
        let action = match text("action")?.as_str() {
            "cleaned" => CleanAction::Cleaned,
            "kept" => CleanAction::Kept,
            "unverified" => CleanAction::Unverified,
            "refused" => CleanAction::Refused,
            _ => return None,
        };
        let reason = match action {
            CleanAction::Cleaned => None,
            _ => Some(KeptReason::parse(&text("reason")?)?),
        };
        Some(CleanReport {
            action,
            reason,
            bytes_before: count("bytesBefore")?,
            bytes_after: count("bytesAfter")?,
            width_before: pixels("widthBefore"),
            height_before: pixels("heightBefore"),
            width_after: pixels("widthAfter"),
            height_after: pixels("heightAfter"),
            metadata_removed: flag("metadataRemoved"),
            location_removed: flag("locationRemoved"),
            resized: flag("resized"),
        })
    }

    /// The original not vouched for by the cleaner (`reason`): what a failure of the
    /// cleaner itself reports, so that a photo is never sent unchecked unasked.
    pub fn unverified(bytes: u64, reason: KeptReason) -> CleanReport {
        CleanReport {
            action: CleanAction::Unverified,
            ..CleanReport::kept(bytes, reason)
        }
    }

    /// What the card says of a cleaned photo; `None` for any other.
    pub fn note_kind(&self) -> Option<CleanNote> {
        match self.action {
            CleanAction::Kept | CleanAction::Unverified | CleanAction::Refused => None,
            CleanAction::Cleaned if self.location_removed => Some(CleanNote::LocationRemoved),
            CleanAction::Cleaned if self.metadata_removed => Some(CleanNote::MetadataRemoved),
            CleanAction::Cleaned => Some(CleanNote::MadeSmaller),
        }
    }

    /// The card's note: "location data removed · 4.2 MB → 922 KB"; `None` for a kept photo.
    pub fn note(&self, strings: &Strings) -> Option<String> {
        let kind = self.note_kind()?;
        Some(strings.fill(
            kind.msg(),
            &[
                ("before", &strings.size(self.bytes_before)),
                ("after", &strings.size(self.bytes_after)),
            ],
        ))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::json;

    fn cleaned() -> serde_json::Value {
        json!({
            "action": "cleaned", "bytesBefore": 4_404_019, "bytesAfter": 943_718,
            "widthBefore": 4000, "heightBefore": 6000, "widthAfter": 1707, "heightAfter": 2560,
            "metadataRemoved": true, "locationRemoved": true, "resized": true,
        })
    }

    #[test]
    fn reads_a_cleaned_report() {
        let report = CleanReport::read(&cleaned()).unwrap();
        assert_eq!(report.action, CleanAction::Cleaned);
        assert_eq!(report.reason, None);
        assert_eq!(
            (report.bytes_before, report.bytes_after),
            (4_404_019, 943_718)
        );
        assert_eq!((report.width_after, report.height_after), (1707, 2560));
        assert!(report.metadata_removed && report.location_removed && report.resized);
    }

    #[test]
    fn reads_every_reason_for_keeping_the_original() {
        for (text, reason) in [
            ("animated", KeptReason::Animated),
            ("not-an-image", KeptReason::NotAnImage),
            ("small-and-clean", KeptReason::SmallAndClean),
            ("bigger", KeptReason::Bigger),
            ("keep-metadata", KeptReason::KeepMetadata),
            ("unsupported", KeptReason::Unsupported),
            ("decode-failed", KeptReason::DecodeFailed),
            ("unknown-format", KeptReason::UnknownFormat),
            ("too-big-to-read", KeptReason::TooBigToRead),
            ("heif", KeptReason::Heif),
        ] {
            let value =
                json!({"action": "kept", "reason": text, "bytesBefore": 10, "bytesAfter": 10});
            let report = CleanReport::read(&value).unwrap();
            assert_eq!(report.reason, Some(reason), "{text}");
            assert_eq!(report, CleanReport::kept(10, reason));
            // And back: the report serializes to the keys it was read from.
            assert_eq!(serde_json::to_value(report).unwrap()["reason"], json!(text));
        }
    }

    #[test]
    fn reads_a_file_not_vouched_for_and_a_refused_one() {
        let value = json!({"action": "unverified", "reason": "unknown-format", "bytesBefore": 7, "bytesAfter": 7});
        let report = CleanReport::read(&value).unwrap();
        assert_eq!(
            report,
            CleanReport::unverified(7, KeptReason::UnknownFormat)
        );
        assert_eq!(report.note_kind(), None);
        let value =
            json!({"action": "refused", "reason": "heif", "bytesBefore": 7, "bytesAfter": 7});
        assert_eq!(
            CleanReport::read(&value).unwrap().action,
            CleanAction::Refused
        );
        let without_reason = json!({"action": "unverified", "bytesBefore": 1, "bytesAfter": 1});
        assert_eq!(CleanReport::read(&without_reason), None);
    }

    #[test]
    fn refuses_a_report_of_another_shape() {
        let mut value = cleaned();
        value["action"] = json!("shrunk");
        assert_eq!(CleanReport::read(&value), None);
        let kept_without_reason = json!({"action": "kept", "bytesBefore": 1, "bytesAfter": 1});
        assert_eq!(CleanReport::read(&kept_without_reason), None);
        let mut value = cleaned();
        value["bytesAfter"] = json!(-1);
        assert_eq!(CleanReport::read(&value), None);
        assert_eq!(CleanReport::read(&json!(null)), None);
    }

    #[test]
    fn serializes_to_the_keys_it_reads() {
        let report = CleanReport::read(&cleaned()).unwrap();
        assert_eq!(serde_json::to_value(report).unwrap(), cleaned());
    }

    #[test]
    fn the_note_says_what_left_and_the_sizes() {
        let report = CleanReport::read(&cleaned()).unwrap();
        assert_eq!(
            report.note(&Strings::default()).as_deref(),
            Some("location data removed · 4.2 MB → 922 KB")
        );
        assert_eq!(
            report.note(&crate::i18n::french()).as_deref(),
            Some("données de localisation retirées · 4.2 Mo → 922 Ko")
        );
        let details = CleanReport {
            location_removed: false,
            ..report
        };
        assert_eq!(details.note_kind(), Some(CleanNote::MetadataRemoved));
        let smaller = CleanReport {
            metadata_removed: false,
            ..details
        };
        assert_eq!(
            smaller.note(&Strings::default()).as_deref(),
            Some("made smaller · 4.2 MB → 922 KB")
        );
        assert_eq!(
            CleanReport::kept(10, KeptReason::Bigger).note(&Strings::default()),
            None
        );
    }
}
