#!/usr/bin/env node
// Runs the test suites with node:test (through tsx, since Node 20 cannot run .ts itself) and
// ends with one line "N passed, N failed" from the runner's own counts. A suite that finds
// no tests is an error: a bare `node --test` that matches nothing exits 0 and hides it.
//
//   node scripts/run-tests.mjs            unit, integration, lan, e2e, electron
//   node scripts/run-tests.mjs unit lan   only those suites
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = {
  unit: { dirs: ['node-agent', 'electron'], concurrency: 2 },
  integration: { dirs: ['test/integration'], concurrency: 1 },
  lan: { dirs: ['test/lan'], concurrency: 1 },
  // The UI in headless Chromium against a real controller (needs `npm run build` and Debian's chromium).
  e2e: { dirs: ['test/e2e'], concurrency: 1 },
  // The desktop app in Electron (Playwright's Electron driver; needs `npm run build`). Where the
  // Electron binary or a display is missing, its app tests skip and print why.
  electron: { dirs: ['test/electron'], concurrency: 1 },
};
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(suites);

function findTests(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const total = { passed: 0, failed: 0, skipped: 0, todo: 0, failures: [] };
const scratch = mkdtempSync(join(tmpdir(), 'farmhand-tests-'));
let broken = false;
for (const suite of wanted) {
  const spec = suites[suite];
  if (!spec) {
    console.error(`unknown suite "${suite}"; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  const files = spec.dirs.flatMap((d) => findTests(join(root, d))).sort();
  if (files.length === 0) {
    console.error(`suite ${suite}: no test files found`);
    broken = true;
    continue;
  }
  console.log(`\n── ${suite}: ${files.length} file(s) ──`);
  const countsFile = join(scratch, `${suite}.json`);
  const result = spawnSync(process.execPath, [
    '--import', 'tsx', '--test',
    `--test-concurrency=${spec.concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/count-reporter.mjs')}`, `--test-reporter-destination=${countsFile}`,
    ...files.map((f) => relative(root, f)),
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, FARMHAND_TEST: '1' } });
  let counts;
  try {
    counts = JSON.parse(readFileSync(countsFile, 'utf8'));
  } catch {
    console.error(`suite ${suite}: the test runner produced no counts (exit ${result.status}, signal ${result.signal})`);
    broken = true;
    continue;
  }
  if (counts.passed + counts.failed === 0) {
    console.error(`suite ${suite}: 0 tests ran`);
    broken = true;
  }
  if (result.status !== 0 && counts.failed === 0) broken = true;
  for (const key of ['passed', 'failed', 'skipped', 'todo']) total[key] += counts[key];
  total.failures.push(...counts.failures);
}
rmSync(scratch, { recursive: true, force: true });
if (total.failures.length) console.log(`\nFailed:\n  ${total.failures.join('\n  ')}`);
console.log(`\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 || broken ? 1 : 0);
