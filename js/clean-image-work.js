// The photo cleaner: before a JPEG, PNG or WebP photo is uploaded, the browser decodes it
// with its EXIF orientation applied, downscales it and re-encodes it to the same type,
// which drops EXIF (GPS position, camera, date), XMP and text chunks. JavaScript beside
// the wasm, so the pixels never enter wasm memory; clean-image.js loads this module when a
// photo is chosen, and src/photo/ is the Rust binding.
//
//   const { file, report } = await cleanImage(chosen, { maxDimension: 2560, quality: 0.85, keepMetadata: false });
//
// It never loses the file and never rejects: whatever fails, the original comes back with
// `report.action === 'kept'` and a reason. Only header bytes are read to decide (a few
// small `slice`s, not the whole photo). The decoding and encoding run in a Worker with an
// OffscreenCanvas: this same module started as a module Worker (same origin, so a CSP's
// `script-src 'self'` allows it), or else from a Blob URL of `reencode`'s source (a
// package served from another origin; a CSP then needs `worker-src blob:`); where neither
// may run, on this thread with a canvas, which blocks it for a few hundred ms on a large
// photo (BENCHMARKS.md).

const JPEG = 'image/jpeg';
const PNG = 'image/png';
const WEBP = 'image/webp';
/** Photos without metadata at most this big and within `maxDimension` are left alone. */
const SMALL_BYTES = 1 << 20;

/** The ways to start a Worker that runs `reencode`, best first; one that fails is dropped. */
const workers = [
  () => new Worker(import.meta.url, { type: 'module' }),
  () => {
    const source = `(${listen})(${reencode})`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    try {
      return new Worker(url);
    } finally {
      // The Worker holds the Blob from its construction on (the URL is resolved then).
      URL.revokeObjectURL(url);
    }
  },
];

/**
 * In a Worker: answers each message with `reencode(...message)` (0 if it throws), after
 * saying it listens (a message sent before might find no listener, in a Worker that a
 * wrapper starts). Self-contained, as `reencode`: the Blob Worker runs its source.
 */
function listen(reencode) {
  onmessage = async ({ data }) => {
    try {
      postMessage(await reencode(...data));
    } catch {
      postMessage(0);
    }
  };
  postMessage('ready');
}

// This module in a Worker (the first way above).
if (typeof WorkerGlobalScope === 'function') listen(reencode);

export async function cleanImage(file, { maxDimension = 2560, quality = 0.85, keepMetadata = false } = {}) {
  const report = {
    action: 'kept',
    bytesBefore: file.size,
    bytesAfter: file.size,
    widthBefore: 0,
    heightBefore: 0,
    widthAfter: 0,
    heightAfter: 0,
    metadataRemoved: false,
    locationRemoved: false,
    resized: false,
  };
  const kept = (reason) => ({ file, report: { ...report, reason } });
  try {
    const found = await inspect(file);
    if (!found) return kept(file.type.startsWith('image/') ? 'unsupported' : 'not-an-image');
    report.widthBefore = report.widthAfter = found.width;
    report.heightBefore = report.heightAfter = found.height;
    if (found.animated) return kept('animated');
    // A still GIF is left as it is too: a canvas cannot encode GIF.
    if (found.type === 'image/gif') return kept('unsupported');
    if (found.metadata && keepMetadata) return kept('keep-metadata');
    const fits = Math.max(found.width, found.height) <= maxDimension && found.width > 0;
    if (!found.metadata && fits && file.size <= SMALL_BYTES) return kept('small-and-clean');

    const args = [file, maxDimension, found.type, quality];
    const { blob, width, height, w, h } = await inWorker(args).catch(() => reencode(...args));
    // The size the right way up, which the header's may not be.
    report.widthBefore = report.widthAfter = width;
    report.heightBefore = report.heightAfter = height;
    if (!blob) return kept('decode-failed');
    // Without an encoder for the type, browsers give PNG instead (Safari and WebP).
    if (blob.type !== found.type) return kept('unsupported');
    const resized = w !== width || h !== height;
    if (!found.metadata && !resized && blob.size >= file.size) return kept('bigger');
    return {
      file: new File([blob], file.name, { type: found.type, lastModified: file.lastModified }),
      report: {
        ...report,
        action: 'cleaned',
        bytesAfter: blob.size,
        widthAfter: w,
        heightAfter: h,
        metadataRemoved: found.metadata,
        locationRemoved: found.location,
        resized,
      },
    };
  } catch {
    return kept('decode-failed');
  }
}

/**
 * Decodes `file` the right way up, scales its long side down to `maxDimension` and
 * encodes it as `type`. Self-contained (no outer names) because the Worker runs its
 * source text too.
 */
async function reencode(file, maxDimension, type, quality) {
  const decoded = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = decoded;
  const scale = Math.min(1, maxDimension / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  let bitmap = decoded;
  if (scale < 1) {
    try {
      bitmap = await createImageBitmap(decoded, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
      decoded.close();
    } catch {
      // No resize options here: drawImage scales instead.
    }
  }
  const canvas =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(w, h)
      : Object.assign(document.createElement('canvas'), { width: w, height: h });
  const context = canvas.getContext('2d');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const blob = await (canvas.convertToBlob
    ? canvas.convertToBlob({ type, quality })
    : new Promise((resolve) => canvas.toBlob(resolve, type, quality)));
  return { blob, width, height, w, h };
}

/**
 * `reencode` in a Worker, by the first way of `workers` that starts; rejects when none
 * can run it (none left, or the Worker failed to decode the photo: this thread tries).
 */
async function inWorker(args) {
  while (typeof Worker === 'function' && typeof OffscreenCanvas === 'function' && workers.length > 0) {
    const answer = await new Promise((resolve) => {
      let worker;
      try {
        worker = workers[0]();
      } catch {
        resolve(null);
        return;
      }
      const done = (answer) => {
        worker.terminate();
        resolve(answer);
      };
      // Other messages (a test runner's, say) are not the cleaner's.
      worker.onmessage = ({ data }) => {
        if (data === 'ready') worker.postMessage(args);
        else if (data === 0 || data?.blob) done({ data });
      };
      // The script never ran (another origin, a CSP, no module Workers).
      worker.onerror = (event) => {
        event.preventDefault();
        done(null);
      };
    });
    if (answer) {
      if (answer.data) return answer.data;
      throw new Error('not decoded');
    }
    workers.shift();
  }
  throw new Error('no Worker');
}

// ---------------------------------------------------------------------------------------
// Headers: type, size, metadata, animation; from a few small reads.
// ---------------------------------------------------------------------------------------

/** `(offset, length) => bytes` through a 64 KB window of `file` (shorter at its end). */
function windowReader(file) {
  let start = 0;
  let bytes = new Uint8Array(0);
  return async (offset, length) => {
    if (offset < start || offset + length > start + bytes.length) {
      start = offset;
      bytes = new Uint8Array(await file.slice(offset, offset + Math.max(length, 65536)).arrayBuffer());
    }
    return bytes.subarray(offset - start, offset - start + length);
  };
}

const text = (bytes, from = 0, length = bytes.length) =>
  String.fromCharCode(...bytes.subarray(from, from + Math.min(length, 64)));
const latin1 = (bytes) => new TextDecoder('latin1').decode(bytes);
const be16 = (b, i) => (b[i] << 8) | b[i + 1];
const be32 = (b, i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const le24 = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const le32 = (b, i) => (le24(b, i) | (b[i + 3] << 24)) >>> 0;

/**
 * `{ type, width, height, metadata, location, animated }` from the file's first bytes, or
 * null when it is none of JPEG, PNG, WebP, GIF.
 */
async function inspect(file) {
  const read = windowReader(file);
  const head = await read(0, 16);
  const found = { width: 0, height: 0, metadata: false, location: false, animated: false };
  if (head[0] === 0xff && head[1] === 0xd8) return jpeg(read, { ...found, type: JPEG });
  if (text(head, 1, 3) === 'PNG') return png(read, file.size, { ...found, type: PNG });
  if (text(head, 0, 4) === 'RIFF' && text(head, 8, 4) === 'WEBP') return webp(read, { ...found, type: WEBP });
  if (text(head, 0, 4) === 'GIF8') {
    // The looping extension is how an animated GIF says so.
    return { ...found, type: 'image/gif', animated: /NETSCAPE2\.0|ANIMEXTS1\.0/.test(latin1(await read(0, 65536))) };
  }
  return null;
}

/** Whether an EXIF block (TIFF bytes) or XMP packet says where the photo was taken. */
function hasLocation(bytes) {
  if (text(bytes, 0, 6) === 'Exif\0\0') bytes = bytes.subarray(6);
  const order = text(bytes, 0, 2);
  if (order !== 'II' && order !== 'MM') return /GPSLatitude|GPSLongitude/.test(latin1(bytes));
  const u16 = (i) => (order === 'II' ? bytes[i] | (bytes[i + 1] << 8) : be16(bytes, i));
  const ifd = order === 'II' ? le32(bytes, 4) : be32(bytes, 4);
  // The GPS IFD pointer (tag 0x8825) among the first directory's entries.
  for (let entry = 0, count = u16(ifd); entry < count && ifd + 14 + entry * 12 <= bytes.length; entry++) {
    if (u16(ifd + 2 + entry * 12) === 0x8825) return true;
  }
  return false;
}

async function jpeg(read, found) {
  // Segments up to the start of scan: APP1 (Exif, XMP) and APP13 (IPTC) are metadata,
  // SOFn has the size. Fill bytes and stand-alone markers carry no length.
  for (let offset = 2, steps = 0; steps < 1000; steps++) {
    const marker = await read(offset, 4);
    if (marker.length < 4 || marker[0] !== 0xff) break;
    const code = marker[1];
    if (code === 0xff) {
      offset += 1;
      continue;
    }
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd8)) {
      offset += 2;
      continue;
    }
    if (code === 0xda || code === 0xd9) break;
    const length = be16(marker, 2);
    if (code === 0xe1 || code === 0xed) {
      found.metadata = true;
      found.location ||= hasLocation(await read(offset + 4, length - 2));
    } else if (code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc) {
      const size = await read(offset + 5, 4);
      found.height = be16(size, 0);
      found.width = be16(size, 2);
    }
    offset += 2 + length;
  }
  return found;
}

const PNG_METADATA = ['eXIf', 'tEXt', 'iTXt', 'zTXt'];

async function png(read, fileSize, found) {
  const header = await read(16, 8);
  found.width = be32(header, 0);
  found.height = be32(header, 4);
  // Chunks up to the first image data: acTL marks an APNG; then the file's last 64 KB,
  // where metadata after the image data sits (before IEND).
  for (let offset = 8, steps = 0; steps < 1000; steps++) {
    const chunk = await read(offset, 8);
    if (chunk.length < 8) break;
    const type = text(chunk, 4, 4);
    if (type === 'IDAT') break;
    if (type === 'acTL') found.animated = true;
    if (PNG_METADATA.includes(type)) {
      found.metadata = true;
      if (type !== 'zTXt') found.location ||= hasLocation(await read(offset + 8, be32(chunk, 0)));
    }
    offset += 12 + be32(chunk, 0);
  }
  const tailStart = Math.max(0, fileSize - 65536);
  const tail = await read(tailStart, fileSize - tailStart);
  const tailText = latin1(tail);
  for (const type of PNG_METADATA) {
    // A real chunk: its length field before the name, and a CRC then a chunk (or the end) after it.
    for (let at = tailText.indexOf(type); at >= 4; at = tailText.indexOf(type, at + 1)) {
      const next = at + 8 + be32(tail, at - 4);
      if (next === tail.length || /^[A-Za-z]{4}$/.test(text(tail, next + 4, 4))) {
        found.metadata = true;
        found.location ||= type === 'eXIf' && hasLocation(tail.subarray(at + 4, next - 4));
      }
    }
  }
  return found;
}

async function webp(read, found) {
  // RIFF chunks: VP8 / VP8L / VP8X give the size; VP8X's flags and the ANIM, EXIF and
  // XMP chunks (after the image data) the rest.
  for (let offset = 12, steps = 0; steps < 1000; steps++) {
    const chunk = await read(offset, 18);
    if (chunk.length < 8) break;
    const type = text(chunk, 0, 4);
    const length = le32(chunk, 4);
    const b = chunk.subarray(8);
    if (type === 'VP8X') {
      found.animated ||= (b[0] & 0x02) !== 0;
      found.width = 1 + le24(b, 4);
      found.height = 1 + le24(b, 7);
    } else if (type === 'VP8 ' && !found.width) {
      found.width = le24(b, 6) & 0x3fff;
      found.height = le24(b, 8) & 0x3fff;
    } else if (type === 'VP8L' && !found.width) {
      const bits = le32(b, 1);
      found.width = 1 + (bits & 0x3fff);
      found.height = 1 + ((bits >>> 14) & 0x3fff);
    } else if (type === 'ANIM') {
      found.animated = true;
    } else if (type === 'EXIF' || type === 'XMP ') {
      found.metadata = true;
      found.location ||= hasLocation(await read(offset + 8, length));
    }
    offset += 8 + length + (length & 1);
  }
  return found;
}
