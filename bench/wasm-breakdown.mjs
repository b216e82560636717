// Where the wasm's code bytes go, by crate and by function, read from the name section of
// the wasm-bindgen output before wasm-opt (`cargo xtask package` leaves it in
// target/npm-package/; wasm-opt -Oz then shrinks and strips it, so the figures are
// proportions, not final sizes).
//
//   node bench/wasm-breakdown.mjs target/npm-package/nexudus-start-conversation_bg.wasm [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/wasm-breakdown.mjs FILE.wasm [TOP]');
  process.exit(2);
}
const top = Number(topArg) || 25;
const bytes = readFileSync(file);
let at = 8;
const leb = () => {
  let result = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
};
const text = (length) => bytes.subarray(at, (at += length)).toString('utf8');

let importedFunctions = 0;
const bodies = []; // [size] per defined function
const names = new Map(); // function index → name
const sections = [];
while (at < bytes.length) {
  const id = bytes[at++];
  const length = leb();
  const end = at + length;
  let name = '';
  if (id === 0) name = text(leb());
  sections.push({ id, name, length });
  if (id === 2) {
    for (let n = leb(), i = 0; i < n; i += 1) {
      text(leb());
      text(leb());
      const kind = bytes[at++];
      if (kind === 0) {
        importedFunctions += 1;
        leb();
      } else if (kind === 1) {
        at += 1;
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) {
        at += 2;
      } else {
        leb();
        leb();
      }
    }
  } else if (id === 10) {
    for (let n = leb(), i = 0; i < n; i += 1) {
      const size = leb();
      bodies.push(size);
      at += size;
    }
  } else if (id === 0 && name === 'name') {
    while (at < end) {
      const sub = bytes[at++];
      const subLength = leb();
      const subEnd = at + subLength;
      if (sub === 1) {
        for (let n = leb(), i = 0; i < n; i += 1) {
          const index = leb();
          names.set(index, text(leb()));
        }
      }
      at = subEnd;
    }
  }
  at = end;
}

const crateOf = (name) => {
  // "<yew::html::component::scope::Scope<T> as …>::fn" → yew; "core::fmt::…" → core
  const cleaned = name.replace(/^<+/, '').replace(/^&(mut )?/, '');
  // v0-demangled names carry a crate hash: "core[c5930c85a12de822]::fmt::…".
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/.exec(cleaned);
  return match ? match[1] : name.startsWith('__wbg') || name.startsWith('__wbindgen') ? 'wasm-bindgen glue' : '(other)';
};
const byCrate = new Map();
const functions = [];
let total = 0;
bodies.forEach((size, i) => {
  const name = names.get(importedFunctions + i) ?? `func[${importedFunctions + i}]`;
  const crate = crateOf(name);
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  functions.push({ name, size });
  total += size;
});
const data = sections.filter((s) => s.id === 11).reduce((sum, s) => sum + s.length, 0);
const pct = (n) => `${((n * 100) / total).toFixed(1)}%`.padStart(6);
console.log(`${file}: ${bodies.length} functions, code ${total.toLocaleString('en-US')} bytes, data ${data.toLocaleString('en-US')} bytes\n`);
console.log('code by crate (first path segment of the function name):');
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${size.toLocaleString('en-US').padStart(10)} ${pct(size)}  ${crate}`);
}
console.log(`\nlargest functions:`);
for (const { name, size } of functions.sort((a, b) => b.size - a.size).slice(0, top)) {
  console.log(`${size.toLocaleString('en-US').padStart(10)} ${pct(size)}  ${name.length > 150 ? `${name.slice(0, 150)}…` : name}`);
}
