// The photo cleaner: before a picture is uploaded, its metadata (EXIF with the GPS
// position, XMP, IPTC, comments, text chunks) is removed from the bytes themselves, on the
// whole file (`stripMetadata`, lossless), and a JPEG, PNG or WebP photo that is too big
// or carries metadata is decoded by the browser with its EXIF orientation applied,
// downscaled and re-encoded to the same type (whose output is stripped too: a canvas
// encoder may add an ICC profile, nothing else is kept). JavaScript beside the wasm, so
// neither pixels nor bytes enter wasm memory; clean-image.js loads this module when a
// picture is chosen, and src/photo/ is the Rust binding.
//
//   const { file, report } = await cleanImage(chosen, { maxDimension: 2560, quality: 0.85, keepMetadata: false });
//
// It never loses the file and never rejects. `report.action` is `cleaned` (a copy without
// metadata), `kept` (the original, which carries none, or the host keeps it), `unverified`
// (neither the re-encode nor the stripper can vouch for it: an unknown container, a
// structure that lies or is cut short, a file over 100 MB; the member chooses) or
// `refused` (HEIC/HEIF/AVIF, whose boxes are not rewritten here). The reading, stripping,
// decoding and encoding run in a Worker (`prepare`): this same module started as a module
// Worker (same origin, so a CSP's `script-src 'self'` allows it), or else from a Blob URL
// of the functions' source (a package served from another origin; a CSP then needs
// `worker-src blob:`); where neither may run, on this thread, which blocks it for a few
// hundred ms on a large photo (BENCHMARKS.md).

const JPEG = 'image/jpeg';
const PNG = 'image/png';
const WEBP = 'image/webp';
/** Photos without metadata at most this big and within `maxDimension` are not re-encoded. */
const SMALL_BYTES = 1 << 20;
/** The most that is read of a file: a bigger one is not vouched for (the member chooses). */
export const READ_CEILING = 100 * 1024 * 1024;

/** The ways to start a Worker that runs `reencode`, best first; one that fails is dropped. */
const workers = [
  () => new Worker(import.meta.url, { type: 'module' }),
  () => {
    const source = `(${listen})((${prepare}).bind(null, ${reencode}, ${stripMetadata}))`;
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
 * In a Worker: answers each message with `work(...message)` (0 if it throws), after
 * saying it listens (a message sent before might find no listener, in a Worker that a
 * wrapper starts). Self-contained, as `work`: the Blob Worker runs its source.
 */
function listen(work) {
  onmessage = async ({ data }) => {
    try {
      postMessage(await work(...data));
    } catch {
      postMessage(0);
    }
  };
  postMessage('ready');
}

// This module in a Worker (the first way above).
if (typeof WorkerGlobalScope === 'function') listen(prepare.bind(null, reencode, stripMetadata));

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
  const kept = (reason, action = 'kept') => ({ file, report: { ...report, action, reason } });
  const picture = file.type.startsWith('image/') && file.type !== 'image/svg+xml';
  try {
    const found = await inspect(file);
    if (!found) {
      if (stripMetadata(new Uint8Array(await file.slice(0, 64).arrayBuffer()))?.refused) {
        return keepMetadata ? kept('keep-metadata') : kept('heif', 'refused');
      }
      return picture && !keepMetadata ? kept('unknown-format', 'unverified') : kept('not-an-image');
    }
    if (file.size > READ_CEILING) return keepMetadata ? kept('keep-metadata') : kept('too-big-to-read', 'unverified');
    report.widthBefore = report.widthAfter = found.width;
    report.heightBefore = report.heightAfter = found.height;
    if (found.metadata && keepMetadata) return kept('keep-metadata');
    const args = [file, { ...found, maxDimension, quality, keepMetadata, small: SMALL_BYTES }];
    const done = await inWorker(args).catch(() => prepare(reencode, stripMetadata, ...args));
    if (done.action !== 'cleaned') return kept(done.reason, done.action);
    return {
      file: new File([done.blob], file.name, { type: found.type, lastModified: file.lastModified }),
      report: {
        ...report,
        action: 'cleaned',
        bytesAfter: done.blob.size,
        // The size the right way up, which the header's may not be.
        widthBefore: done.width,
        heightBefore: done.height,
        widthAfter: done.w,
        heightAfter: done.h,
        metadataRemoved: done.metadata,
        locationRemoved: done.location,
        resized: done.resized,
      },
    };
  } catch {
    return keepMetadata ? kept('decode-failed') : kept('decode-failed', 'unverified');
  }
}

/**
 * Reads the whole of `file` and makes the copy to send: stripped of its metadata
 * (`stripMetadata`), and re-encoded (`reencode`, then stripped again) when it is too
 * big, carries metadata, or cannot be stripped. `task` is what `inspect` found (type,
 * size, metadata in the header, animation) with the host's settings. Answers
 * `{ action, reason, blob, width, height, w, h, metadata, location, resized }`.
 * Self-contained (its helpers come as arguments): the Blob Worker runs its source.
 */
async function prepare(reencode, stripMetadata, file, task) {
  const { type, maxDimension, quality, keepMetadata, animated } = task;
  const original = new Uint8Array(await file.arrayBuffer());
  const strip = (bytes) => (keepMetadata ? { bytes, removed: false, location: false } : stripMetadata(bytes));
  const stripped = strip(original);
  if (stripped?.refused) return { action: 'refused', reason: stripped.refused };
  const metadata = task.metadata || !!stripped?.removed;
  const found = { width: task.width, height: task.height, w: task.width, h: task.height, resized: false, metadata, location: task.location || !!stripped?.location };
  const fits = Math.max(task.width, task.height) <= maxDimension && task.width > 0;
  // Past 2^28 pixels (a 30000×30000 header, true or not) no decode is tried: it would take
  // gigabytes of the member's memory, where browsers give up or the tab dies.
  const decodable = task.width * task.height <= 2 ** 28;
  const wanted = decodable && !animated && type !== 'image/gif' && (!stripped || metadata || !fits || original.length > task.small);
  let made = null;
  if (wanted) {
    try {
      const { blob, width, height, w, h } = await reencode(file, maxDimension, type, quality);
      // Without an encoder for the type, browsers give PNG instead (Safari and WebP).
      const again = blob?.type === type ? strip(new Uint8Array(await blob.arrayBuffer())) : null;
      if (again?.bytes) made = { bytes: again.bytes, width, height, w, h, resized: w !== width || h !== height };
    } catch {
      // Not decoded (cut short, lying, too big for the browser): the stripped copy stands.
    }
  }
  const answer = (bytes, extra) => ({ ...found, ...extra, action: 'cleaned', blob: new Blob([bytes], { type }) });
  if (made && !(stripped && !metadata && !made.resized && made.bytes.length >= original.length)) {
    return answer(made.bytes, made);
  }
  if (!stripped) return { action: 'unverified', reason: 'decode-failed' };
  if (stripped.removed) return answer(stripped.bytes, {});
  const reason = made ? 'bigger' : wanted ? 'decode-failed' : animated ? 'animated' : type === 'image/gif' ? 'unsupported' : 'small-and-clean';
  return { action: 'kept', reason };
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
 * `prepare` in a Worker, by the first way of `workers` that starts; rejects when none
 * can run it (none left, or it threw there: this thread tries).
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
        else if (data === 0 || data?.action) done({ data });
      };
      // The script never ran (another origin, a CSP, no module Workers).
      worker.onerror = (event) => {
        event.preventDefault();
        done(null);
      };
    });
    if (answer) {
      if (answer.data) return answer.data;
      throw new Error('failed in the Worker');
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

// ---------------------------------------------------------------------------------------
// The stripper: metadata removed from the bytes themselves, losslessly, on the whole file.
// ---------------------------------------------------------------------------------------

/**
 * `bytes` without the metadata their container can carry, image data untouched:
 * `{ bytes, removed, location }`, or `{ refused: 'heif' }` for HEIC/AVIF (whose boxes it
 * does not rewrite), or null when it cannot vouch for the result (an unknown container,
 * a segment or chunk that runs past the end, a header that lies about its length).
 * Keeps only what a picture needs to be shown as it was (an allow-list: an unknown chunk
 * may carry anything):
 * - JPEG: every segment but APPn and COM; of those, APP0 `JFIF` and APP2 `ICC_PROFILE`;
 *   the scans as they are (markers between progressive scans are walked too); nothing
 *   after the end of image (a trailer may hold a second picture with its own EXIF).
 * - PNG: the critical chunks and those that change how it looks (transparency, gamma,
 *   colour, ICC, physical size, APNG frames); not `eXIf`, `tEXt`, `zTXt`, `iTXt`, `tIME`
 *   (a date of its own) or any private chunk, wherever it sits; nothing after `IEND`.
 * - WebP: `VP8 `, `VP8L`, `VP8X`, `ALPH`, `ANIM`, `ANMF`, `ICCP`; `EXIF` and `XMP ` go and
 *   VP8X's flags for them are cleared, the RIFF size rewritten.
 * - GIF: the blocks as they are but comments, plain text and application extensions other
 *   than the looping one.
 * A file cut short inside a JPEG's scan or after a whole PNG chunk is vouched for (what
 * is kept is image data); cut short anywhere else it is not.
 * Self-contained (no outer names): the Blob Worker runs its source text.
 */
function stripMetadata(bytes) {
  const n = bytes.length;
  const ascii = (at, length) => String.fromCharCode(...bytes.subarray(at, at + length));
  const be32 = (at) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  const le32 = (at) => (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
  const kept = [];
  let removed = false;
  let location = false;
  const drop = (from, to) => {
    removed = true;
    // EXIF's GPS directory (tag 0x8825, either byte order), XMP's exif:GPS…, or a text
    // naming coordinates. May say so of a block that only looks like it: the card then
    // says "location data removed" where "details removed" was the whole truth.
    const block = bytes.subarray(from, Math.min(to, from + 65536));
    location ||= /GPS|latitude|longitude/i.test(new TextDecoder('latin1').decode(block));
    for (let i = 0; !location && i + 1 < block.length; i++) {
      location = (block[i] === 0x88 && block[i + 1] === 0x25) || (block[i] === 0x25 && block[i + 1] === 0x88);
    }
  };
  const joined = () => {
    const out = new Uint8Array(kept.reduce((sum, [from, to]) => sum + to - from, 0));
    let at = 0;
    for (const [from, to] of kept) {
      out.set(bytes.subarray(from, to), at);
      at += to - from;
    }
    return { bytes: out, removed, location };
  };

  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    kept.push([0, 2]);
    let at = 2;
    let inScan = false;
    while (at < n) {
      if (inScan) {
        // Entropy-coded data: FF 00 is a stuffed byte, FF D0–D7 a restart; another
        // marker ends the scan. A file that ends here is cut short in its image data.
        let end = at;
        while (end < n && !(bytes[end] === 0xff && end + 1 < n && bytes[end + 1] !== 0 && (bytes[end + 1] < 0xd0 || bytes[end + 1] > 0xd7))) end++;
        kept.push([at, end]);
        at = end;
        inScan = false;
        continue;
      }
      if (at + 1 >= n || bytes[at] !== 0xff) return null;
      const code = bytes[at + 1];
      if (code === 0xff) {
        at += 1; // a fill byte
        continue;
      }
      if (code === 0xd9) {
        kept.push([at, at + 2]);
        if (at + 2 < n) drop(at + 2, n); // a trailer after the end of image
        return joined();
      }
      if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
        kept.push([at, at + 2]);
        at += 2;
        continue;
      }
      if (code === 0xd8 || code === 0x00 || at + 4 > n) return null;
      const end = at + 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
      if (end > n || end < at + 4) return null;
      const app = code >= 0xe0 && code <= 0xef;
      // APP14 `Adobe` says how CMYK data is coded: without it colours come out wrong.
      const keep =
        !(app || code === 0xfe) ||
        (code === 0xe0 && ascii(at + 4, 5) === 'JFIF\0') ||
        (code === 0xe2 && ascii(at + 4, 12) === 'ICC_PROFILE\0') ||
        (code === 0xee && ascii(at + 4, 5) === 'Adobe');
      if (keep) kept.push([at, end]);
      else drop(at + 4, end);
      inScan = code === 0xda;
      at = end;
    }
    // Cut short: vouched for only after a scan began (what is kept is image data).
    return kept.some(([from]) => bytes[from] === 0xff && bytes[from + 1] === 0xda) ? joined() : null;
  }

  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') {
    const SHOWN = ['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'bKGD', 'pHYs', 'cICP', 'mDCV', 'cLLI', 'acTL', 'fcTL', 'fdAT'];
    kept.push([0, 8]);
    let at = 8;
    let image = false;
    while (at < n) {
      if (at + 12 > n) break;
      const type = ascii(at + 4, 4);
      const end = at + 12 + be32(at);
      if (!/^[A-Za-z]{4}$/.test(type) || be32(at) > 0x7fffffff) return null;
      if (end > n) break;
      if (SHOWN.includes(type)) kept.push([at, end]);
      else drop(at + 8, end - 4);
      image ||= type === 'IDAT';
      at = end;
      if (type === 'IEND') {
        if (at < n) drop(at, n);
        return joined();
      }
    }
    // Cut short: vouched for once image data came, the partial chunk left out.
    if (!image) return null;
    if (at < n) drop(at, n);
    return joined();
  }

  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const SHOWN = ['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'ICCP'];
    const limit = Math.min(n, 8 + le32(4));
    let at = 12;
    let flags = -1;
    const chunks = [];
    while (at < limit) {
      if (at + 8 > limit) return null;
      const type = ascii(at, 4);
      const length = le32(at + 4);
      const end = at + 8 + length + (length & 1);
      // A chunk running past the end (or past its RIFF) lies about its length.
      if (end > limit + (length & 1) || !/^[\x20-\x7e]{4}$/.test(type)) return null;
      if (SHOWN.includes(type)) {
        if (type === 'VP8X') flags = chunks.reduce((sum, [from, to]) => sum + to - from, 12) + 8;
        chunks.push([at, Math.min(end, n)]);
      } else drop(at + 8, at + 8 + length);
      at = end;
    }
    if (limit < n) drop(limit, n);
    kept.push([0, 12], ...chunks);
    const out = joined();
    const size = out.bytes.length - 8;
    out.bytes.set([size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24], 4);
    // VP8X flags: 0x08 EXIF, 0x04 XMP, no longer there.
    if (flags >= 0) out.bytes[flags] &= ~0x0c;
    return out;
  }

  if (ascii(0, 4) === 'GIF8') {
    // Header and logical screen, then its colour table if the flag says so.
    let at = 13 + (bytes[10] & 0x80 ? 3 << ((bytes[10] & 7) + 1) : 0);
    kept.push([0, at]);
    const blocks = (from) => {
      let end = from;
      while (end < n && bytes[end] !== 0) end += bytes[end] + 1;
      return end < n ? end + 1 : -1;
    };
    while (at < n) {
      const kind = bytes[at];
      if (kind === 0x3b) {
        kept.push([at, at + 1]);
        if (at + 1 < n) drop(at + 1, n);
        return joined();
      }
      let end;
      if (kind === 0x2c) {
        const flagsAt = at + 9;
        const table = bytes[flagsAt] & 0x80 ? 3 << ((bytes[flagsAt] & 7) + 1) : 0;
        end = blocks(at + 10 + table + 1);
        if (end < 0) return null;
        kept.push([at, end]);
      } else if (kind === 0x21) {
        const label = bytes[at + 1];
        end = blocks(at + 2);
        if (end < 0) return null;
        const looping = label === 0xff && /^(NETSCAPE2\.0|ANIMEXTS1\.0)$/.test(ascii(at + 3, 11));
        if (label === 0xf9 || looping) kept.push([at, end]);
        else drop(at + 2, end);
      } else {
        return null;
      }
      at = end;
    }
    return null;
  }

  // ISO BMFF (HEIC, HEIF, AVIF): its metadata sits in item boxes this does not rewrite.
  if (ascii(4, 4) === 'ftyp' && /heic|heix|hevc|heim|heis|mif1|msf1|avif|avis/.test(ascii(8, Math.min(be32(0), 64) - 8))) {
    return { refused: 'heif' };
  }
  return null;
}
