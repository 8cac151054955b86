import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startCapabilityProbe } from './capabilities.js';

// A first start checks Blender by running it (`--version`): until it answers, the probe says
// Blender is being checked instead of claiming or denying it. A restart reads the cached
// version and is complete at once. Judged with the real Blender and ffmpeg of this machine.

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'fh-capabilities-'))));
after(() => rm(dir, { recursive: true, force: true }));

test('a first start reports Blender as being checked until it answers; a restart knows it at once', async () => {
  const versionCache = join(dir, 'tool-versions.json');
  const first = startCapabilityProbe({ allowNoop: false, versionCache });
  const early = first.current();
  assert.equal(early.blender, null);
  assert.ok(early.checking?.includes('blender'), `checking: ${early.checking}`);
  assert.ok(!early.taskTypes.includes('blender'));

  const done = await first.done;
  assert.match(done.blender?.version ?? '', /^\d+\.\d+/);
  assert.match(done.ffmpeg?.version ?? '', /\S/);
  assert.ok(done.taskTypes.includes('blender') && done.taskTypes.includes('transcode-chunk'));
  assert.equal(done.checking, undefined);
  const { warnings: _warnings, ...confirmed } = done;
  assert.deepEqual(first.current(), confirmed);

  const restart = startCapabilityProbe({ allowNoop: false, versionCache });
  const now = restart.current();
  assert.equal(now.blender?.version, done.blender?.version);
  assert.equal(now.ffmpeg?.version, done.ffmpeg?.version);
  assert.equal(now.checking, undefined);
  await restart.done;
});

test('a Blender path that does not exist is neither claimed nor checked, and says why', async () => {
  const probe = startCapabilityProbe({ allowNoop: false, blenderPath: join(dir, 'no-such-blender') });
  assert.equal(probe.current().checking?.includes('blender') ?? false, false);
  const done = await probe.done;
  assert.equal(done.blender, null);
  assert.ok(done.warnings.some((w) => w.includes('no-such-blender') && w.includes('was not found')), done.warnings.join(' | '));
});
