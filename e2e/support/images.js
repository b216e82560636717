// Test pictures made by code, and readers of what a picture's bytes carry. No imports, so
// the same module runs in Node, in a page (served, or as a wasm-bindgen snippet of the
// browser tests: `#[wasm_bindgen(module = "/e2e/support/images.js")]`), and through
// playwright's `page.evaluate(drawPhoto, options)` (`drawPhoto` and `pixelAt` are
// self-contained for that).
//
//   const jpeg = withExif(await drawPhoto({ width: 6000, height: 4000, orientation: 6, noise: 24 }),
//                         { orientation: 6, latitude: 48.8582, longitude: 2.2945 });
//   hasExif(jpeg) === true; jpegSize(jpeg) → { width: 6000, height: 4000 }
//
// The pictures mark which way is up: once turned as their EXIF orientation says, the top
// tenth is red, the bottom tenth green, the rest blue.

/**
 * Draws a picture in the browser and encodes it (`type`, default JPEG): `width` × `height`
 * stored pixels, turned so that a viewer applying EXIF `orientation` (1, 3, 6 or 8) sees
 * red at the top. `noise` (0–127) adds grain so that the file has a camera's size (a
 * 6000×4000 JPEG with noise 24 at quality 0.92 is about 10 MB). Resolves to the bytes.
 */
export async function drawPhoto({ width, height, orientation = 1, type = 'image/jpeg', quality = 0.92, noise = 0 }) {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  // The picture as seen, and where each of its points is stored (EXIF orientation 6 is
  // "turn 90° clockwise to view", so what is seen at the top is stored on the left).
  const turned = orientation === 6 || orientation === 8;
  const [seenWidth, seenHeight] = turned ? [height, width] : [width, height];
  const transforms = {
    1: [1, 0, 0, 1, 0, 0],
    3: [-1, 0, 0, -1, width, height],
    6: [0, -1, 1, 0, 0, height],
    8: [0, 1, -1, 0, width, 0],
  };
  context.setTransform(...(transforms[orientation] ?? transforms[1]));
  context.fillStyle = '#2040c0';
  context.fillRect(0, 0, seenWidth, seenHeight);
  const band = Math.ceil(seenHeight / 10);
  context.fillStyle = '#e02020';
  context.fillRect(0, 0, seenWidth, band);
  context.fillStyle = '#20c040';
  context.fillRect(0, seenHeight - band, seenWidth, band);
  context.setTransform(1, 0, 0, 1, 0, 0);
  if (noise > 0) {
    // Row by row, a cheap deterministic generator: grain that JPEG cannot squeeze away.
    let seed = 0x9e3779b9;
    for (let y = 0; y < height; y += 256) {
      const rows = Math.min(256, height - y);
      const pixels = context.getImageData(0, y, width, rows);
      const data = pixels.data;
      for (let i = 0; i < data.length; i += 4) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        const grain = ((seed & 0xff) * noise) / 128 - noise;
        data[i] += grain;
        data[i + 1] += grain;
        data[i + 2] += grain;
      }
      context.putImageData(pixels, 0, y);
    }
  }
  const blob = await canvas.convertToBlob({ type, quality });
  return new Uint8Array(await blob.arrayBuffer());
}

/** The colour `[r, g, b, a]` at (`x`, `y`) of a picture (`Blob`), as stored (no EXIF turn). */
export async function pixelAt(blob, x, y) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'none' });
  const canvas = new OffscreenCanvas(1, 1);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, x, y, 1, 1, 0, 0, 1, 1);
  bitmap.close();
  return [...context.getImageData(0, 0, 1, 1).data];
}

/**
 * An APP1 segment (`FF E1`, length, `Exif\0\0`, big-endian TIFF) with an Orientation tag
 * and a GPS directory holding latitude and longitude (degrees, minutes, seconds), as a
 * phone writes them.
 */
export function exifSegment({ orientation = 1, latitude = 48.8582, longitude = 2.2945 } = {}) {
  const tiff = [];
  const u16 = (n) => tiff.push((n >> 8) & 0xff, n & 0xff);
  const u32 = (n) => tiff.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  const entry = (tag, type, count, value) => {
    u16(tag);
    u16(type);
    u32(count);
    value();
  };
  const SHORT = 3;
  const LONG = 4;
  const ASCII = 2;
  const RATIONAL = 5;
  // Header, then IFD0 at 8 (2 entries: 30 bytes), the GPS IFD at 38 (4 entries: 54
  // bytes), its two arrays of three rationals at 92 and 116.
  tiff.push(0x4d, 0x4d); // "MM": big-endian
  u16(42);
  u32(8);
  u16(2);
  entry(0x0112, SHORT, 1, () => (u16(orientation), u16(0)));
  entry(0x8825, LONG, 1, () => u32(38));
  u32(0);
  const ref = (letter) => () => tiff.push(letter.charCodeAt(0), 0, 0, 0);
  u16(4);
  entry(0x0001, ASCII, 2, ref(latitude < 0 ? 'S' : 'N'));
  entry(0x0002, RATIONAL, 3, () => u32(92));
  entry(0x0003, ASCII, 2, ref(longitude < 0 ? 'W' : 'E'));
  entry(0x0004, RATIONAL, 3, () => u32(116));
  u32(0);
  for (const degrees of [Math.abs(latitude), Math.abs(longitude)]) {
    const minutes = (degrees % 1) * 60;
    const hundredthsOfSeconds = Math.round((minutes % 1) * 6000);
    for (const [numerator, denominator] of [
      [Math.floor(degrees), 1],
      [Math.floor(minutes), 1],
      [hundredthsOfSeconds, 100],
    ]) {
      u32(numerator);
      u32(denominator);
    }
  }
  const length = 2 + 6 + tiff.length;
  return Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff, ...'Exif\0\0'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)).concat(tiff));
}

/** `jpeg` with its leading APP0 (JFIF) and APP1 segments replaced by `exifSegment(exif)`. */
export function withExif(jpeg, exif) {
  let offset = 2;
  while (jpeg[offset] === 0xff && (jpeg[offset + 1] === 0xe0 || jpeg[offset + 1] === 0xe1)) {
    offset += 2 + ((jpeg[offset + 2] << 8) | jpeg[offset + 3]);
  }
  const segment = exifSegment(exif);
  const out = new Uint8Array(2 + segment.length + jpeg.length - offset);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(offset), 2 + segment.length);
  return out;
}

/** The JPEG's segments before the image data: `[{ marker, offset, length }]`. */
function jpegSegments(bytes) {
  const segments = [];
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return segments;
  for (let offset = 2; offset + 4 <= bytes.length && bytes[offset] === 0xff; ) {
    const marker = bytes[offset + 1];
    if (marker === 0xda || marker === 0xd9) break;
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    segments.push({ marker, offset, length });
    offset += 2 + length;
  }
  return segments;
}

const ascii = (bytes, from, length) => String.fromCharCode(...bytes.subarray(from, from + length));

/**
 * Whether the picture carries EXIF: a JPEG's `Exif` APP1 segment, a PNG's `eXIf` chunk, a
 * WebP's `EXIF` chunk. Reads the whole of `bytes`.
 */
export function hasExif(bytes) {
  bytes = new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    return jpegSegments(bytes).some(({ marker, offset }) => marker === 0xe1 && ascii(bytes, offset + 4, 6) === 'Exif\0\0');
  }
  if (ascii(bytes, 1, 3) === 'PNG') {
    for (let offset = 8; offset + 8 <= bytes.length; ) {
      const length = ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
      if (ascii(bytes, offset + 4, 4) === 'eXIf') return true;
      offset += 12 + length;
    }
    return false;
  }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    for (let offset = 12; offset + 8 <= bytes.length; ) {
      const length = (bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24)) >>> 0;
      if (ascii(bytes, offset, 4) === 'EXIF') return true;
      offset += 8 + length + (length & 1);
    }
  }
  return false;
}

/** A JPEG's stored size from its frame header, `{ width, height }`; null if none. */
export function jpegSize(bytes) {
  bytes = new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length);
  const frame = jpegSegments(bytes).find(
    ({ marker }) => marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker),
  );
  if (!frame) return null;
  const at = frame.offset + 5;
  return { height: (bytes[at] << 8) | bytes[at + 1], width: (bytes[at + 2] << 8) | bytes[at + 3] };
}

/** A 1×1 GIF of two frames (red, then blue) that loops forever: 85 bytes, written by hand. */
export function animatedGif() {
  const bytes = [
    ...'GIF89a',
    [1, 0, 1, 0, 0xf0, 0, 0], // 1×1, a global table of 2 colours
    [0xff, 0, 0, 0, 0, 0xff], // red, blue
    [0x21, 0xff, 11], // the looping extension: what says "animated"
    ...'NETSCAPE2.0',
    [3, 1, 0, 0, 0],
    // Each frame: a 10 cs delay, a 1×1 image, LZW data (minimum code size 2): clear, the
    // colour index, end.
    [0x21, 0xf9, 4, 0, 10, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0],
    [0x21, 0xf9, 4, 0, 10, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0],
    [0x3b],
  ];
  return Uint8Array.from(bytes.flatMap((part) => (typeof part === 'string' ? [part.charCodeAt(0)] : part)));
}
