//! The host's `images: { maxDimension, quality, keepMetadata }`, checked. DOM-free.

use std::ops::RangeInclusive;

use serde::Serialize;

/// How photos are cleaned: the options `cleanImage` takes (`js/clean-image.js`), in its
/// key names, so [`to_js_object`](crate::api::json::to_js_object) hands them over as they are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageSettings {
    max_dimension: u32,
    quality: f64,
    keep_metadata: bool,
}

/// Why the host's image settings were refused. The messages name the option and the rule
/// but not the value: printing a float would link Rust's float formatting into the wasm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageSettingsError {
    /// `maxDimension` is not a whole number in [`ImageSettings::MAX_DIMENSION`].
    #[error("`maxDimension` must be a whole number of pixels from 320 to 8192")]
    MaxDimension,
    /// `quality` is not a number in [`ImageSettings::QUALITY`].
    #[error("`quality` must be a number from 0.3 to 1")]
    Quality,
}

impl ImageSettings {
    /// The longest side a cleaned photo may have, in pixels, by default.
    pub const DEFAULT_MAX_DIMENSION: u32 = 2560;
    /// The encoder's quality by default (JPEG and WebP; PNG is lossless).
    pub const DEFAULT_QUALITY: f64 = 0.85;
    /// The `maxDimension` a host may set: below 320 a photo is no longer worth posting,
    /// above 8192 browsers refuse canvases (and the photo is not shrunk).
    pub const MAX_DIMENSION: RangeInclusive<u32> = 320..=8192;
    /// The `quality` a host may set: below 0.3 JPEG artefacts take over.
    pub const QUALITY: RangeInclusive<f64> = 0.3..=1.0;

    /// Settings from the host's values, each checked against its range.
    pub fn new(
        max_dimension: u64,
        quality: f64,
        keep_metadata: bool,
    ) -> Result<Self, ImageSettingsError> {
        let max_dimension = u32::try_from(max_dimension)
            .ok()
            .filter(|n| Self::MAX_DIMENSION.contains(n))
            .ok_or(ImageSettingsError::MaxDimension)?;
        // `contains` is false for NaN.
        if !Self::QUALITY.contains(&quality) {
            return Err(ImageSettingsError::Quality);
        }
        Ok(ImageSettings {
            max_dimension,
            quality,
            keep_metadata,
        })
    }

    /// The longest side of a cleaned photo, in pixels.
    pub fn max_dimension(&self) -> u32 {
        self.max_dimension
    }

    /// The encoder's quality, 0.3 to 1.
    pub fn quality(&self) -> f64 {
        self.quality
    }

    /// Whether a photo with metadata is left as it is (it cannot be re-encoded without
    /// losing it).
    pub fn keep_metadata(&self) -> bool {
        self.keep_metadata
    }
}

impl Default for ImageSettings {
    fn default() -> Self {
        ImageSettings {
            max_dimension: Self::DEFAULT_MAX_DIMENSION,
            quality: Self::DEFAULT_QUALITY,
            keep_metadata: false,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_those_of_issue_13() {
        let settings = ImageSettings::default();
        assert_eq!(settings.max_dimension(), 2560);
        assert_eq!(settings.quality(), 0.85);
        assert!(!settings.keep_metadata());
        assert_eq!(ImageSettings::new(2560, 0.85, false), Ok(settings));
    }

    #[test]
    fn max_dimension_is_taken_from_320_to_8192() {
        for ok in [320, 1024, 8192] {
            assert_eq!(
                ImageSettings::new(ok, 0.85, false).map(|s| s.max_dimension()),
                Ok(ok as u32)
            );
        }
        for refused in [0, 319, 8193, u64::from(u32::MAX) + 320] {
            assert_eq!(
                ImageSettings::new(refused, 0.85, false),
                Err(ImageSettingsError::MaxDimension),
                "{refused}"
            );
        }
    }

    #[test]
    fn quality_is_taken_from_0_3_to_1() {
        for ok in [0.3, 0.5, 1.0] {
            assert_eq!(
                ImageSettings::new(2560, ok, true).map(|s| s.quality()),
                Ok(ok)
            );
        }
        for refused in [0.29, 1.01, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                ImageSettings::new(2560, refused, false),
                Err(ImageSettingsError::Quality),
                "{refused}"
            );
        }
    }

    #[test]
    fn errors_name_the_option_and_its_rule() {
        assert_eq!(
            ImageSettingsError::MaxDimension.to_string(),
            "`maxDimension` must be a whole number of pixels from 320 to 8192"
        );
        assert_eq!(
            ImageSettingsError::Quality.to_string(),
            "`quality` must be a number from 0.3 to 1"
        );
    }

    #[test]
    fn serializes_as_the_options_of_clean_image() {
        let json = serde_json::to_value(ImageSettings::new(1024, 0.5, true).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"maxDimension": 1024, "quality": 0.5, "keepMetadata": true})
        );
    }
}
