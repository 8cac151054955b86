import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The API contract stands alone: the renderer reaches the controller only through the
// contract's types and the thin client, and the contract with its views imports nothing of the
// controller's internals. So the UI type-checks as web code and its bundle carries no
// controller code (and not the contract's schemas).

const root = new URL('../../..', import.meta.url).pathname;
const API = 'electron/controller/api/';
/** What a client may load of the controller: the contract, its views, errors and IPC form (desktop-bridge), the thin client and its framing. */
const CONTRACT_FILES = ['contract.ts', 'views.ts', 'api-errors.ts', 'desktop-bridge.ts', 'api-client.ts', 'read-server-frame.ts', 'api-wire.ts'].map((f) => API + f);
/** What the browser bundle runs of them: the thin client and what it loads at run time, none of which loads zod. */
const CLIENT_RUNTIME = ['api-client.ts', 'api-errors.ts', 'read-server-frame.ts'].map((f) => API + f);
/** The renderer imports these for their types only. */
const TYPE_ONLY = ['contract.ts', 'views.ts', 'desktop-bridge.ts'].map((f) => API + f);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

/** Each relative import of a file: the project file it reaches (.js → .ts) and whether it is type-only. */
function imports(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found = [...text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"](\.[^'"]+)['"]/gm)];
  const dynamic = [...text.matchAll(/\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g)];
  const resolve = (spec: string) => relative(root, join(root, file, '..', spec)).replace(/\.js$/, '.ts');
  return [
    ...found.map((m) => ({ target: resolve(m[2]!), typeOnly: m[1] !== undefined })),
    ...dynamic.map((m) => ({ target: resolve(m[1]!), typeOnly: false })),
  ];
}

test('the renderer imports only the contract\'s types (with its IPC form) and the thin client (api-client.ts) from outside renderer/', () => {
  const seen: string[] = [];
  const offenders: string[] = [];
  for (const file of sources(join(root, 'renderer/src'))) {
    for (const { target, typeOnly } of imports(file)) {
      if (target.startsWith('renderer/')) continue;
      seen.push(`${typeOnly ? 'type ' : ''}${target}`);
      const allowed = target === `${API}api-client.ts` || (typeOnly && TYPE_ONLY.includes(target));
      if (!allowed) offenders.push(`${file} → ${typeOnly ? 'type ' : ''}${target}`);
    }
  }
  assert.ok(seen.includes(`type ${API}contract.ts`) && seen.includes(`${API}api-client.ts`), `the rule sees neither the contract's types nor the client (${[...new Set(seen)].join(', ')}): is the pattern right?`);
  assert.deepEqual(offenders, [], 'import the contract with `import type` (electron/controller/api/contract.ts) and talk through api-client.ts; UI logic lives in renderer/');
});

test('the contract, its views and the thin client import nothing of the controller beyond each other', () => {
  const offenders = CONTRACT_FILES.flatMap((file) => imports(file).filter(({ target }) => !CONTRACT_FILES.includes(target)).map(({ target }) => `${file} → ${target}`));
  assert.ok(imports(`${API}contract.ts`).some(({ target }) => target === `${API}views.ts`), 'the rule does not see contract.ts import its views: is the pattern right?');
  assert.deepEqual(offenders, [], 'define what the API shows in electron/controller/api/views.ts and let the internals import it from there');
});

test('the thin client loads no zod at run time, so the UI bundle carries no schema library', () => {
  const runtimeImports = (file: string) => imports(file).filter((i) => !i.typeOnly).map((i) => i.target);
  const reached = new Set([`${API}api-client.ts`]);
  for (const file of reached) for (const target of runtimeImports(file)) reached.add(target);
  assert.deepEqual([...reached].sort(), [...CLIENT_RUNTIME].sort(), 'the client loads a file it did not: keep what it runs to api-client.ts, api-errors.ts and read-server-frame.ts, importing the rest as types');
  const loadsZod = CLIENT_RUNTIME.filter((file) => /^\s*import\s+(?!type\b)[^;]*?\sfrom\s*['"]zod['"]/m.test(readFileSync(join(root, file), 'utf8')));
  assert.deepEqual(loadsZod, [], 'check server frames by hand in read-server-frame.ts; zod would go into the browser bundle');
  assert.ok(/^\s*import\s+\{\s*z\s*\}\s+from\s*['"]zod['"]/m.test(readFileSync(join(root, `${API}api-wire.ts`), 'utf8')), 'the zod pattern does not see api-wire.ts load zod: is it right?');
});
