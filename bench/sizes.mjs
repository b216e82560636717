// Sizes of the files a host loads: raw, gzip -9 and brotli -q 11 (node's zlib, as
// js/sizes.mjs). Used by bench/run.mjs and by the size guard of `cargo xtask test`
// (xtask/src/bench.rs), which reads the last line this prints.
//
//   node bench/sizes.mjs DIR FILE...
//
// prints one row per file and the total, then one JSON line:
//   {"rawTotalBytes":…,"gzipTotalBytes":…,"brotliTotalBytes":…}
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Raw, gzip -9 and brotli -q 11 sizes of one file's bytes. */
export function sizesOf(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  };
}

/** `{ files: [{ file, raw, gzip, brotli }], total: { raw, gzip, brotli } }` for files in `dir`. */
export async function measure(dir, files) {
  const rows = [];
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of files) {
    const size = sizesOf(await readFile(path.join(dir, file)));
    rows.push({ file, ...size });
    for (const key of Object.keys(total)) total[key] += size[key];
  }
  return { files: rows, total };
}

const number = (n) => n.toLocaleString('en-US');

/** A plain-text table of `measure`'s result. */
export function sizeTable(measured, title = 'bytes') {
  const lines = [`${title.padEnd(44)}${'raw'.padStart(10)}${'gzip -9'.padStart(10)}${'brotli 11'.padStart(11)}`];
  const row = (label, s) =>
    `${label.padEnd(44)}${number(s.raw).padStart(10)}${number(s.gzip).padStart(10)}${number(s.brotli).padStart(11)}`;
  for (const file of measured.files) lines.push(row(`  ${file.file}`, file));
  lines.push(row('  total', measured.total));
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, ...files] = process.argv.slice(2);
  if (!dir || files.length === 0) {
    console.error('usage: node bench/sizes.mjs DIR FILE...');
    process.exit(2);
  }
  try {
    const measured = await measure(dir, files);
    console.log(sizeTable(measured, `sizes in ${dir} (bytes)`));
    const { raw, gzip, brotli } = measured.total;
    console.log(JSON.stringify({ rawTotalBytes: raw, gzipTotalBytes: gzip, brotliTotalBytes: brotli }));
  } catch (error) {
    console.error(`bench/sizes.mjs: ${error.message}`);
    process.exit(1);
  }
}
