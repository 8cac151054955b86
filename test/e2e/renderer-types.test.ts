import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The renderer is type-checked as web code: the contract's types are usable there, and Node's
// modules and globals are not (renderer/check-types.mjs, part of `npm run typecheck`).

const root = fileURLToPath(new URL('../..', import.meta.url));

test('renderer code may use the API contract but not node:fs or process', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-renderer-types-'));
  try {
    const good = join(dir, 'uses-contract.ts');
    const bad = join(dir, 'uses-node.ts');
    await writeFile(good, `import type { JobSummary } from '${join(root, 'electron/controller/api/contract.js')}';\nexport const state: JobSummary['state'] = 'queued';\n`);
    await writeFile(bad, `import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const env = process.env;\n`);
    const run = spawnSync(process.execPath, [join(root, 'renderer/check-types.mjs'), good, bad], { cwd: root, encoding: 'utf8', timeout: 55_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /uses-node\.ts.*Cannot find module 'node:fs'/s);
    assert.match(run.stderr, /Cannot find name 'process'/);
    assert.match(run.stderr, /renderer: 2 type error\(s\)/);
    assert.doesNotMatch(run.stderr, /uses-contract\.ts/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
