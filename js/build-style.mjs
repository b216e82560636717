// Writes style.js, the panel's CSS as an ES module (`export default "…"`), which the
// custom element adopts into its shadow root. Used by `cargo xtask package` (into pkg/)
// and by trunk's post_build hook (into the demo's staging dir).
//
//   node js/build-style.mjs [OUT_DIR]   (default: $TRUNK_STAGING_DIR)
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!out) {
  console.error('usage: node js/build-style.mjs OUT_DIR');
  process.exit(2);
}
// esbuild comes from tools/ (its lockfile), which `cargo xtask` installs.
const esbuild = createRequire(path.join(root, 'tools/package.json'))('esbuild');
const css = await readFile(path.join(root, 'static/nexudus-start-conversation.css'), 'utf8');
const { code } = await esbuild.transform(css, { loader: 'css', minify: true });
await writeFile(
  path.join(out, 'style.js'),
  `// The panel's CSS (nexudus-start-conversation.css), adopted into the shadow root.\nexport default ${JSON.stringify(code.trim())};\n`,
);
