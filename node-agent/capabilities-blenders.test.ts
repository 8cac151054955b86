import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findOnPath, resolveExecutable } from './host/find-executable.js';
import { renamedBlender } from '../test/helpers/renamed-blender.js';
import { probeCapabilities, startCapabilityProbe } from './capabilities.js';

// An agent with several Blenders probes each (`--version`, cached like any tool) and advertises
// every one that answers, the first as the default; one that does not run is left out with a
// line and the agent goes on. The second Blender is this machine's real one under another path
// reporting 4.1.0 (test/helpers/renamed-blender.ts).

let dir: string;
let real: string;
let real34: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-capabilities-blenders-'));
  real = (process.env.FARMHAND_BLENDER ? resolveExecutable(process.env.FARMHAND_BLENDER) : findOnPath('blender'))!;
  assert.ok(real, 'Blender is installed');
  real34 = (await probeCapabilities({ allowNoop: false, blenderPath: real, tools: ['blender'] })).blender!.version;
});
after(() => rm(dir, { recursive: true, force: true }));

test('repeated --blender: each is advertised in the order given, the first is `blender`, and a broken one is left out with a line', async () => {
  const renamed = await renamedBlender(join(dir, 'repeated'), '4.1.0');
  const broken = join(dir, 'broken/blender');
  await mkdir(join(dir, 'broken'), { recursive: true });
  await writeFile(broken, '#!/bin/sh\nexit 3\n');
  await chmod(broken, 0o755);
  const done = await probeCapabilities({
    allowNoop: false, tools: ['blender'], blenderPaths: [renamed, join(dir, 'no-such-blender'), broken, real],
  });
  assert.deepEqual(done.blenders, [
    { path: renamed, version: '4.1.0', devices: [] },
    { path: real, version: real34, devices: [] },
  ]);
  assert.deepEqual(done.blender, { path: renamed, version: '4.1.0' });
  assert.ok(done.taskTypes.includes('blender'));
  assert.ok(done.warnings.includes(`Blender at ${join(dir, 'no-such-blender')} was not found; it is left out.`), done.warnings.join(' | '));
  assert.ok(done.warnings.includes(`Blender at ${broken} did not run (Command failed: ${broken} --version); it is left out.`), done.warnings.join(' | '));
});

test('--blender-dir: its installs follow the --blender ones; a second start has them all at once from the cache', async () => {
  const installs = join(dir, 'installs');
  const v36 = await renamedBlender(installs, '3.6.5');
  const v41 = await renamedBlender(installs, '4.1.0');
  const versionCache = join(dir, 'tool-versions.json');
  const first = await probeCapabilities({ allowNoop: false, tools: ['blender'], blenderPaths: [real], blenderDirs: [installs], versionCache });
  assert.deepEqual(first.blenders?.map((b) => [b.path, b.version]), [[real, real34], [v36, '3.6.5'], [v41, '4.1.0']]);
  assert.deepEqual(first.warnings, []);
  const again = startCapabilityProbe({ allowNoop: false, tools: ['blender'], blenderPaths: [real], blenderDirs: [installs], versionCache });
  assert.equal(again.current().checking, undefined, 'nothing left to check');
  assert.deepEqual(again.current().blenders, first.blenders);
  await again.done;
});

test('two installs of one version: the first is kept and the other named in a line', async () => {
  const a = await renamedBlender(join(dir, 'twins-a'), '4.1.0');
  const b = await renamedBlender(join(dir, 'twins-b'), '4.1.0');
  const done = await probeCapabilities({ allowNoop: false, tools: ['blender'], blenderPaths: [a, b] });
  assert.deepEqual(done.blenders?.map((i) => i.path), [a]);
  assert.deepEqual(done.warnings, [`Blender at ${b} reports the same version (4.1.0) as ${a}, which is used; it is left out.`]);
});

test('only broken Blenders: no Blender tasks, said once more in a line; the rest of the agent is unaffected', async () => {
  const done = await probeCapabilities({ allowNoop: true, tools: ['blender'], blenderPaths: [join(dir, 'gone-1'), join(dir, 'gone-2')] });
  assert.equal(done.blender, null);
  assert.equal(done.blenders, undefined);
  assert.deepEqual(done.taskTypes, ['noop']);
  assert.equal(done.warnings.at(-1), 'None of the 2 Blenders given runs; this agent will not take Blender tasks.');
});

test('--allow-scripts is advertised; without it nothing is said', async () => {
  const versionCache = join(dir, 'tool-versions.json');
  const allowed = await probeCapabilities({ allowNoop: false, tools: ['blender'], blenderPaths: [real], allowScripts: true, versionCache });
  assert.equal(allowed.allowScripts, true);
  const plain = await probeCapabilities({ allowNoop: false, tools: ['blender'], blenderPaths: [real], versionCache });
  assert.equal(plain.allowScripts, undefined);
});
