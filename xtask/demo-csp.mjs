// trunk's post_build hook for the demo page: adds the origins in DEMO_CONNECT_SRC (space
// separated, each an http(s) origin) to the page's `connect-src`, so the panel may PUT to a
// bucket on another origin (`cargo xtask demo --bucket`). Without the variable it changes
// nothing: the page allows only its own origin.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const origins = (process.env.DEMO_CONNECT_SRC ?? '').split(/\s+/).filter(Boolean);
const staging = process.env.TRUNK_STAGING_DIR;
if (origins.length > 0 && staging) {
  for (const origin of origins) {
    if (new URL(origin).origin !== origin) throw new Error(`DEMO_CONNECT_SRC: ${origin} is not an origin`);
  }
  const file = path.join(staging, 'index.html');
  const page = await readFile(file, 'utf8');
  const allowed = page.replace("connect-src 'self'", `connect-src 'self' ${origins.join(' ')}`);
  if (allowed === page) throw new Error("index.html has no connect-src 'self' to extend");
  await writeFile(file, allowed);
}
