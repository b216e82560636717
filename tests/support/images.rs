//! The test pictures of `e2e/support/images.js` (made by code, read by code), for the
//! browser tests of the photo cleaner and of the panel with photos.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

#[wasm_bindgen(module = "/e2e/support/images.js")]
extern "C" {
    /// Draws and encodes a picture (`{ width, height, orientation, type, quality, noise }`).
    #[wasm_bindgen(js_name = drawPhoto)]
    pub fn draw_photo(options: &JsValue) -> js_sys::Promise;
    /// The JPEG with an EXIF segment (`{ orientation, latitude, longitude }`).
    #[wasm_bindgen(js_name = withExif)]
    pub fn with_exif(jpeg: &Uint8Array, exif: &JsValue) -> Uint8Array;
    /// Whether the picture's bytes carry EXIF.
    #[wasm_bindgen(js_name = hasExif)]
    pub fn has_exif(bytes: &Uint8Array) -> bool;
    /// A JPEG's stored `{ width, height }`.
    #[wasm_bindgen(js_name = jpegSize)]
    pub fn jpeg_size(bytes: &Uint8Array) -> JsValue;
    /// A two-frame looping GIF.
    #[wasm_bindgen(js_name = animatedGif)]
    pub fn animated_gif() -> Uint8Array;
    /// The hostile corpus of issue 22: `[{ name, type, bytes, vouchable }]`.
    #[wasm_bindgen(js_name = hostileCorpus)]
    pub fn hostile_corpus() -> js_sys::Array;
    /// What of a location, a text or a comment the bytes still carry (a list of findings).
    #[wasm_bindgen(js_name = leaks)]
    pub fn leaks(bytes: &Uint8Array) -> js_sys::Array;
    /// The `[r, g, b, a]` at (`x`, `y`) of a picture, as stored.
    #[wasm_bindgen(js_name = pixelAt)]
    pub fn pixel_at(blob: &Blob, x: u32, y: u32) -> js_sys::Promise;
}
