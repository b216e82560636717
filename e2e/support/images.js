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

// ---------------------------------------------------------------------------------------
// Hostile pictures (issue 22): made byte by byte, so that they are the same in Node and
// in every engine (WebKit's canvas cannot encode WebP), each carrying a location where a
// header scan would miss it, or lying about itself. `leaks(bytes)` says what of it a
// sent file still carries.
// ---------------------------------------------------------------------------------------

/** The coordinates every hostile picture carries somewhere, as text. */
export const PLACE_TEXT = 'GPS 48.8582 N, 2.2945 E (Tour Eiffel)';

const bytesOf = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const be16b = (n) => [(n >> 8) & 0xff, n & 0xff];
const be32b = (n) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const le32b = (n) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/**
 * A valid grey baseline JPEG of `width` × `height` (multiples of 8) that any decoder
 * reads: one component, Huffman tables of one code each (a DC difference of 0, then the
 * end of block), so every 8×8 block takes two bits, all zero: a 30000×30000 picture is
 * 3.5 MB, made in milliseconds. `claim` writes another size in the frame header (a lie).
 */
export function greyJpeg(width, height, { claim } = {}) {
  const [w, h] = claim ?? [width, height];
  const quant = [0xff, 0xdb, 0, 67, 0, ...new Array(64).fill(1)];
  const frame = [0xff, 0xc0, 0, 11, 8, ...be16b(h), ...be16b(w), 1, 1, 0x11, 0];
  const oneCode = (table) => [0xff, 0xc4, 0, 20, table, 1, ...new Array(15).fill(0), 0];
  const scan = [0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0];
  const blocks = (width / 8) * (height / 8);
  const data = new Uint8Array(Math.ceil(blocks / 4)); // 2 bits a block, all zero
  const jfif = [0xff, 0xe0, 0, 16, ...bytesOf('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  return concat(Uint8Array.from([0xff, 0xd8, ...jfif, ...quant, ...frame, ...oneCode(0x00), ...oneCode(0x10), ...scan]), data, Uint8Array.from([0xff, 0xd9]));
}

/** `jpeg` with `segments` (each bytes from `FF xx` on) right after its start of image. */
export function jpegWith(jpeg, ...segments) {
  return concat(jpeg.subarray(0, 2), ...segments, jpeg.subarray(2));
}

/** A JPEG comment segment holding `text`. */
export const jpegComment = (text) => concat(Uint8Array.from([0xff, 0xfe, ...be16b(2 + text.length)]), bytesOf(text));

/** `count` empty APP4 segments (a length of 2: no payload). */
export const emptyAppSegments = (count) => Uint8Array.from({ length: count * 4 }, (_, i) => [0xff, 0xe4, 0, 2][i % 4]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A PNG chunk of `type` holding `data` (with its CRC). */
export function pngChunk(type, data) {
  const body = concat(bytesOf(type), data);
  return concat(Uint8Array.from(be32b(data.length)), body, Uint8Array.from(be32b(crc32(body))));
}

/**
 * A valid `width` × `height` grey PNG whose image data is split into `idatCount` IDAT
 * chunks, with `before` chunks before the first, `between` between the first two and
 * `after` after the last (before IEND). The zlib stream is stored, not compressed.
 */
export function greyPng(width, height, { idatCount = 1, before = [], between = [], after = [] } = {}) {
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = (x * 7 + y * 3) & 0xff;
  const stored = [];
  for (let at = 0; at < raw.length || at === 0; at += 65535) {
    const piece = raw.subarray(at, at + 65535);
    const last = at + 65535 >= raw.length ? 1 : 0;
    stored.push(Uint8Array.from([last, piece.length & 0xff, piece.length >> 8, ~piece.length & 0xff, (~piece.length >> 8) & 0xff]), piece);
    if (last) break;
  }
  let a = 1;
  let b = 0;
  for (const byte of raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const zlib = concat(Uint8Array.from([0x78, 0x01]), ...stored, Uint8Array.from(be32b(((b << 16) | a) >>> 0)));
  const size = Math.ceil(zlib.length / idatCount);
  const idats = Array.from({ length: idatCount }, (_, i) => pngChunk('IDAT', zlib.subarray(i * size, (i + 1) * size)));
  const header = pngChunk('IHDR', Uint8Array.from([...be32b(width), ...be32b(height), 8, 0, 0, 0, 0]));
  return concat(bytesOf('\x89PNG\r\n\x1a\n'), header, ...before, idats[0], ...between, ...idats.slice(1), ...after, pngChunk('IEND', new Uint8Array(0)));
}

/** The EXIF block of `exifSegment` without its JPEG framing (TIFF bytes), for PNG and WebP. */
export const exifTiff = (exif) => exifSegment(exif).subarray(10);

/** A PNG tEXt chunk `keyword`\0`text`. */
export const pngText = (keyword, text) => pngChunk('tEXt', bytesOf(`${keyword}\0${text}`));

/** A 1×1 lossy WebP (the smallest every engine decodes), as a simple file. */
const WEBP_1X1 = 'RIFF\x22\x00\x00\x00WEBPVP8 \x16\x00\x00\x00\x30\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x0e\xc0\xfe\x25\xa4\x00\x03\x70\x00\x00\x00\x00';

/**
 * A 1×1 WebP in the extended form (VP8X) with an `EXIF` chunk (flag set) holding
 * `exifTiff(exif)` after the image data; `malformed` adds a chunk whose length runs past
 * the end of the file.
 */
export function webpWithExif(exif, { malformed = false } = {}) {
  const simple = bytesOf(WEBP_1X1);
  const chunk = (type, data) => concat(bytesOf(type), Uint8Array.from(le32b(data.length)), data, new Uint8Array(data.length & 1));
  const vp8x = chunk('VP8X', Uint8Array.from([0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  const exifChunk = chunk('EXIF', exifTiff(exif));
  const broken = malformed ? concat(bytesOf('JUNK'), Uint8Array.from(le32b(1 << 20)), bytesOf(PLACE_TEXT)) : new Uint8Array(0);
  const body = concat(bytesOf('WEBP'), vp8x, simple.subarray(12), exifChunk, broken);
  return concat(bytesOf('RIFF'), Uint8Array.from(le32b(body.length)), body);
}

/**
 * The hostile corpus: `[{ name, type, bytes, vouchable }]`. `vouchable` is false where no
 * cleaner can vouch for the file (the panel must then ask the member).
 */
export function hostileCorpus() {
  const exif = { latitude: 48.8582, longitude: 2.2945 };
  const gps = exifSegment(exif);
  const jpeg = greyJpeg(64, 64);
  const truncated = jpegWith(greyJpeg(512, 512), gps);
  return [
    { name: 'truncated-gps.jpg', type: 'image/jpeg', bytes: truncated.subarray(0, Math.floor(truncated.length * 0.6)), vouchable: true },
    { name: 'claims-30000.jpg', type: 'image/jpeg', bytes: jpegWith(greyJpeg(64, 64, { claim: [30000, 30000] }), gps), vouchable: true },
    { name: 'huge-30000.jpg', type: 'image/jpeg', bytes: jpegWith(greyJpeg(30000, 30000), gps), vouchable: true },
    { name: 'malformed.webp', type: 'image/webp', bytes: webpWithExif(exif, { malformed: true }), vouchable: false },
    // eXIf after the image data, then 100 KB of a private chunk: past a 64 KB tail window.
    { name: 'exif-after-idat.png', type: 'image/png', bytes: greyPng(32, 32, { after: [pngChunk('eXIf', exifTiff(exif)), pngChunk('prVt', new Uint8Array(100_000))] }), vouchable: true },
    { name: 'text-between-idat.png', type: 'image/png', bytes: greyPng(32, 32, { idatCount: 2, between: [pngText('Location', PLACE_TEXT)] }), vouchable: true },
    { name: 'gps-after-1000-app.jpg', type: 'image/jpeg', bytes: jpegWith(jpeg, emptyAppSegments(1000), gps), vouchable: true },
    { name: 'comment.jpg', type: 'image/jpeg', bytes: jpegWith(jpeg, jpegComment(PLACE_TEXT)), vouchable: true },
    { name: 'gps.jpg', type: 'image/jpeg', bytes: jpegWith(jpeg, gps), vouchable: true },
    { name: 'gps.png', type: 'image/png', bytes: greyPng(32, 32, { before: [pngChunk('eXIf', exifTiff(exif))] }), vouchable: true },
    { name: 'gps.webp', type: 'image/webp', bytes: webpWithExif(exif), vouchable: true },
  ];
}

/**
 * What of a location, a text or a comment `bytes` still carry: a list of findings, empty
 * for a clean file. Walks the whole file: JPEG segments (APP1, APP13, COM, any APPn but
 * JFIF, ICC, Adobe), PNG chunks (eXIf, tEXt, zTXt, iTXt, tIME), WebP chunks (EXIF, XMP),
 * and the coordinates' text anywhere.
 */
export function leaks(bytes) {
  bytes = new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length);
  const found = [];
  const text = new TextDecoder('latin1').decode(bytes);
  if (text.includes('48.8582') || text.includes('Tour Eiffel')) found.push('the coordinates as text');
  if (text.includes('Exif\0\0')) found.push('an EXIF block');
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let at = 2; at + 4 <= bytes.length && bytes[at] === 0xff; ) {
      const marker = bytes[at + 1];
      if (marker === 0xda || marker === 0xd9) break;
      const length = (bytes[at + 2] << 8) | bytes[at + 3];
      const id = ascii(bytes, at + 4, 5);
      const allowed = (marker === 0xe0 && id === 'JFIF\0') || (marker === 0xe2 && id === 'ICC_P') || (marker === 0xee && id === 'Adobe');
      if (marker === 0xfe) found.push('a JPEG comment');
      else if (marker >= 0xe0 && marker <= 0xef && !allowed && length > 2) found.push(`APP${marker - 0xe0}`);
      at += 2 + length;
    }
  } else if (ascii(bytes, 1, 3) === 'PNG') {
    for (let at = 8; at + 8 <= bytes.length; ) {
      const type = ascii(bytes, at + 4, 4);
      if (['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME'].includes(type)) found.push(`a PNG ${type} chunk`);
      at += 12 + (((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0);
    }
  } else if (ascii(bytes, 0, 4) === 'RIFF') {
    for (let at = 12; at + 8 <= bytes.length; ) {
      const type = ascii(bytes, at, 4);
      const length = (bytes[at + 4] | (bytes[at + 5] << 8) | (bytes[at + 6] << 16) | (bytes[at + 7] << 24)) >>> 0;
      if (type === 'EXIF' || type === 'XMP ') found.push(`a WebP ${type} chunk`);
      at += 8 + length + (length & 1);
    }
  }
  return found;
}
