import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The renderer is type-checked as web code by plain `tsc -p renderer/tsconfig.json` (part of
// `npm run typecheck`): the contract's types are usable there, and Node's modules and globals
// are not. Extra files are checked here under the same options, beside the renderer's own.

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('renderer code may use the API contract but not node:fs or process', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-renderer-types-'));
  try {
    const good = join(dir, 'uses-contract.ts');
    const bad = join(dir, 'uses-node.ts');
    await writeFile(good, `import type { JobSummary } from '${join(root, 'electron/controller/api/contract.js')}';\nexport const state: JobSummary['state'] = 'queued';\n`);
    await writeFile(bad, `import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const env = process.env;\n`);
    const config = join(dir, 'tsconfig.json');
    await writeFile(config, JSON.stringify({ extends: join(root, 'renderer/tsconfig.json'), include: [join(root, 'renderer/src/**/*.ts'), join(root, 'renderer/src/**/*.tsx')], files: [good, bad] }));
    const run = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: root, encoding: 'utf8', timeout: 55_000 });
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /uses-node\.ts.*Cannot find module 'node:fs'/s);
    assert.match(run.stdout, /Cannot find name 'process'/);
    assert.equal(run.stdout.match(/error TS\d+/g)?.length, 2, run.stdout);
    assert.doesNotMatch(run.stdout, /uses-contract\.ts/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
