// Prints the package's sizes: raw, gzip -9 and brotli -q 11 (node's zlib, so nothing
// else is needed). Used by `cargo xtask package`.
//
//   node js/sizes.mjs PKG_DIR
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const pkg = process.argv[2];
if (!pkg) {
  console.error('usage: node js/sizes.mjs PKG_DIR');
  process.exit(2);
}

async function measure(files) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of files) {
    const bytes = await readFile(path.join(pkg, file));
    total.raw += bytes.length;
    total.gzip += gzipSync(bytes, { level: 9 }).length;
    total.brotli += brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length;
  }
  return total;
}

// wasm-bindgen's snippets (the photo cleaner's entry) load with the glue; what they import
// with a literal `import('./…')` loads when used (the cleaner itself, on the first photo).
const glue = await readFile(path.join(pkg, 'nexudus-start-conversation.js'), 'utf8');
const imported = [...new Set(glue.match(/\.\/snippets\/[^'"]*/g) ?? [])].map((p) => p.slice(2));
const lazy = [];
for (const snippet of imported) {
  const text = await readFile(path.join(pkg, snippet), 'utf8');
  for (const [, file] of text.matchAll(/import\(\s*["'`]\.\/([^/"'`$]+)["'`]/g)) lazy.push(path.posix.join(path.posix.dirname(snippet), file));
}
const glueFiles = ['nexudus-start-conversation.js', ...imported];

const rows = [
  ['wasm', ['nexudus-start-conversation_bg.wasm']],
  ['JS: mount API (glue, snippets, index.js)', [...glueFiles, 'index.js']],
  ['JS: custom element (+ element.js, style.js)', [...glueFiles, 'index.js', 'element.js', 'style.js']],
  ['CSS (nexudus-start-conversation.css)', ['nexudus-start-conversation.css']],
  ...(lazy.length ? [['JS: loaded when used (photo cleaner)', lazy]] : []),
];
const number = (n) => n.toLocaleString('en-US').padStart(9);
console.log(`\n${'package sizes in bytes'.padEnd(46)}${'raw'.padStart(9)} ${'gzip -9'.padStart(9)} ${'brotli 11'.padStart(9)}`);
for (const [label, files] of rows) {
  const size = await measure(files);
  console.log(`${label.padEnd(46)}${number(size.raw)} ${number(size.gzip)} ${number(size.brotli)}`);
}
