// The shipped TypeScript declarations, as a consumer's `tsc` sees them from the installed
// tarball (fixtures/types): good.ts and early.ts type-check (bundler and NodeNext resolution), and each
// misuse in bad.ts fails at its own line, which names the wrong option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { FIXTURES } from '../harness.mjs';

const DIR = path.join(FIXTURES, 'types');
const TSC = path.join(DIR, 'node_modules/typescript/bin/tsc');

async function tsc(project) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: DIR });
    return { code: 0, output: stdout };
  } catch (error) {
    return { code: error.code, output: `${error.stdout}${error.stderr}` };
  }
}

for (const project of ['tsconfig.json', 'tsconfig.nodenext.json']) {
  test(`good.ts type-checks against the declarations (${project})`, async () => {
    const { code, output } = await tsc(project);
    assert.equal(code, 0, output);
  });
}

test('each misuse in bad.ts fails to type-check at its line, naming the option', async () => {
  const { code, output } = await tsc('tsconfig.bad.json');
  assert.notEqual(code, 0, 'bad.ts must not type-check');
  const lines = (await readFile(path.join(DIR, 'bad.ts'), 'utf8')).split('\n');
  const errors = [...output.matchAll(/^bad\.ts\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)].map((m) => ({
    line: Number(m[1]),
    column: Number(m[2]),
    code: m[3],
    text: m[4],
  }));
  const marked = lines
    .map((text, index) => ({ line: index + 1, name: /\/\/ BAD (\S+)/.exec(text)?.[1], text }))
    .filter((entry) => entry.name);
  assert.ok(marked.length >= 8);
  for (const { line, name, text } of marked) {
    const error = errors.find((e) => e.line === line);
    assert.ok(error, `no error on bad.ts line ${line}: ${text}\n${output}`);
    // The error points at the wrong option itself.
    const at = text.slice(error.column - 1);
    assert.ok(at.startsWith(name), `line ${line}: the error points at "${at.slice(0, 20)}", not ${name} (${error.text})`);
  }
  const unmarked = errors.filter((e) => !marked.some((m) => m.line === e.line));
  assert.deepEqual(unmarked, [], 'only the marked lines fail');
});
