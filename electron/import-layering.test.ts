import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// DESIGN.md's dependency rule, the part about Electron: only the shell (electron/main,
// electron/preload) imports `electron`. The controller core and the agent run headless
// (`farmhand controller`, `farmhand-agent`, the tests) where no Electron exists, and the
// renderer is a web page that also runs in a plain browser.

const root = new URL('..', import.meta.url).pathname;
const SHELL = ['electron/main/', 'electron/preload/'];
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** `from 'electron'`, `import 'electron/…'`, `import('electron')`, `require("electron")`. */
const IMPORTS_ELECTRON = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]electron(?:\/[^'"]*)?['"]/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

test('the import pattern finds every way of loading electron, and nothing else', () => {
  for (const line of [`import { app } from 'electron';`, `import type { WebContents } from "electron"`, `const { shell } = require('electron')`, `await import('electron')`, `import 'electron/main';`]) assert.match(line, IMPORTS_ELECTRON, line);
  for (const line of [`import { x } from './electron-ish.js';`, `// the electron shell`, `from '../../electron/controller/api/contract.js'`, `import { a } from 'electron-builder'`]) assert.doesNotMatch(line, IMPORTS_ELECTRON, line);
});

test('only electron/main and electron/preload import electron (not the controller, the CLI, the agent or the renderer)', () => {
  const files = ['electron', 'node-agent', 'renderer'].flatMap((d) => sources(join(root, d))).map((f) => relative(root, f));
  assert.ok(files.length > 100, `found only ${files.length} source files: is the root right?`);
  const offenders = files
    .filter((f) => !SHELL.some((shell) => f.startsWith(shell)) && f !== 'electron/import-layering.test.ts')
    .filter((f) => IMPORTS_ELECTRON.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(offenders, [], 'these files import electron; move that code into electron/main (or the preload) and give the core a plain interface');
});

/** Relative import specifiers of a source file (`from '…'`, `import('…')`, `import '…'`). */
function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
}

/**
 * What of node-agent the controller may use: the wire contract (protocol/), the socket code that
 * carries it (channel/), and helpers about the machine both programs run on (host/).
 */
const SHARED_WITH_CONTROLLER = ['node-agent/protocol/', 'node-agent/channel/', 'node-agent/host/'];
/** What each shared folder may import besides itself: the contract stands alone, the channel carries only the contract. */
const SHARED_MAY_IMPORT: Record<string, string[]> = {
  'node-agent/protocol/': [],
  'node-agent/channel/': ['node-agent/protocol/'],
  'node-agent/host/': [],
};

test('the controller core and the agent meet only in node-agent/protocol (the one wire contract), its channel and the host helpers', () => {
  const resolveFrom = (file: string, spec: string) => relative(root, join(root, file, '..', spec));
  const offenders: string[] = [];
  for (const file of sources(join(root, 'electron', 'controller')).map((f) => relative(root, f))) {
    for (const target of relativeImports(readFileSync(join(root, file), 'utf8')).map((s) => resolveFrom(file, s))) {
      if (target.startsWith('node-agent/') && !SHARED_WITH_CONTROLLER.some((dir) => target.startsWith(dir))) offenders.push(`${file} → ${target}`);
    }
  }
  for (const file of sources(join(root, 'node-agent')).map((f) => relative(root, f))) {
    const shared = SHARED_WITH_CONTROLLER.find((dir) => file.startsWith(dir));
    for (const target of relativeImports(readFileSync(join(root, file), 'utf8')).map((s) => resolveFrom(file, s))) {
      if (target.startsWith('electron/')) offenders.push(`${file} → ${target}`);
      else if (shared && !target.startsWith(shared) && !SHARED_MAY_IMPORT[shared]!.some((dir) => target.startsWith(dir))) offenders.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(offenders, [], 'move what both sides need into node-agent/protocol (the contract), node-agent/channel (socket code) or node-agent/host (machine helpers), or give the controller its own module');
});

test('node-agent/protocol holds the contract only: the socket code lives in node-agent/channel', () => {
  const protocol = readdirSync(join(root, 'node-agent', 'protocol')).filter((f) => SOURCE.test(f));
  const socketCode = protocol.filter((f) => /\b(?:from|import)\s*\(?\s*['"](?:ws|node:net|node:tls|node:dgram)['"]/.test(readFileSync(join(root, 'node-agent', 'protocol', f), 'utf8')));
  assert.ok(readdirSync(join(root, 'node-agent', 'channel')).includes('peer-channel.ts'), 'the peer channel is in node-agent/channel');
  assert.deepEqual(socketCode, [], 'these files of the contract open or use sockets; move them to node-agent/channel');
});

test('only electron/farm joins the core and the agent: nothing else of the app imports node-agent/create-agent', () => {
  const resolveFrom = (file: string, spec: string) => relative(root, join(root, file, '..', spec));
  const files = ['electron', 'renderer'].flatMap((d) => sources(join(root, d))).map((f) => relative(root, f));
  const importers = files.filter((file) => relativeImports(readFileSync(join(root, file), 'utf8')).some((s) => /^node-agent\/create-agent(\.[jt]s)?$/.test(resolveFrom(file, s))));
  assert.ok(importers.includes('electron/farm/start-farm.ts'), `the rule sees no importer at all (${importers.join(', ')}): is the pattern right?`);
  assert.deepEqual(importers.filter((f) => !f.startsWith('electron/farm/')), [], 'start the embedded agent through electron/farm (startFarm or startControllerService), so the CLI and the desktop app stay thin composition roots');
});

/**
 * What the CLI may use of the controller: the service's entries. The API surface (contract,
 * views, client, token, defaults, errors), the user-error base class, the data folder, and the
 * one submit path; everything else it reaches through electron/farm. The scheduler, the store,
 * the job compilers and the agent links stay the controller's business.
 */
const CLI_MAY_IMPORT = [
  'electron/controller/api/contract.ts',
  'electron/controller/api/views.ts',
  'electron/controller/api/api-client.ts',
  'electron/controller/api/api-token.ts',
  'electron/controller/api/api-defaults.ts',
  'electron/controller/api/api-errors.ts',
  'electron/controller/input-error.ts',
  'electron/controller/farm-home.ts',
  'electron/controller/jobs/submit-job.ts',
];

test('the CLI imports no controller internals beyond the service\'s entries (the API surface, farm-home, submit-job) and electron/farm', () => {
  const resolveFrom = (file: string, spec: string) => relative(root, join(root, file, '..', spec)).replace(/\.js$/, '.ts');
  const cli = sources(join(root, 'electron', 'cli')).map((f) => relative(root, f)).filter((f) => !f.endsWith('.test.ts'));
  const reached = new Set<string>();
  const offenders: string[] = [];
  for (const file of cli) {
    for (const target of relativeImports(readFileSync(join(root, file), 'utf8')).map((s) => resolveFrom(file, s))) {
      if (!target.startsWith('electron/controller/')) continue;
      reached.add(target);
      if (!CLI_MAY_IMPORT.includes(target)) offenders.push(`${file} → ${target}`);
    }
  }
  assert.ok(reached.has('electron/controller/jobs/submit-job.ts') && reached.has('electron/controller/api/contract.ts'), `the rule sees only ${[...reached].join(', ')}: is the pattern right?`);
  assert.deepEqual(offenders, [], 'reach the controller through electron/farm (startFarm, startControllerService, serveFarmApi, runToEnd) or the API contract, not its internals');
});
