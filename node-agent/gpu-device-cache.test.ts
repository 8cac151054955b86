import assert from 'node:assert/strict';
import { chmod, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeScratchDir } from '../test/helpers/scratch.js';
import { attachDevices } from './blender-devices.js';
import { GpuDeviceCache } from './gpu-device-cache.js';
import type { DeviceProbeAnswer } from './gpu-probe.js';
import type { GpuDevice } from './protocol/index.js';

const CARD: GpuDevice = { backend: 'CUDA', id: 'CUDA_RTX_0000:01:00', name: 'NVIDIA RTX 4090' };

describe('GpuDeviceCache', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    scratch = await makeScratchDir('fh-gpu-cache');
  });
  after(() => scratch.cleanup());

  async function tool(name: string, body = '#!/bin/sh\n'): Promise<string> {
    const path = join(scratch.dir, name);
    await writeFile(path, body);
    await chmod(path, 0o755);
    return path;
  }

  test('the devices are remembered across instances for the same Blender file and version', async () => {
    const blender = await tool('blender-a');
    const file = join(scratch.dir, 'a.json');
    const first = new GpuDeviceCache(file);
    assert.equal(first.get(blender, '3.4.1'), null);
    first.set(blender, '3.4.1', [CARD]);
    first.save();
    assert.deepEqual(new GpuDeviceCache(file).get(blender, '3.4.1'), [CARD]);
    first.set(blender, '3.4.1', []);
    first.save();
    assert.deepEqual(new GpuDeviceCache(file).get(blender, '3.4.1'), [], 'no GPU is an answer too');
  });

  test('another version, a changed file (size or time) or --reprobe is probed again', async () => {
    const blender = await tool('blender-b');
    const file = join(scratch.dir, 'b.json');
    const cache = new GpuDeviceCache(file);
    cache.set(blender, '3.4.1', [CARD]);
    cache.save();
    assert.equal(new GpuDeviceCache(file).get(blender, '4.3.2'), null, 'version');
    assert.equal(new GpuDeviceCache(file, true).get(blender, '3.4.1'), null, '--reprobe');
    await utimes(blender, new Date(), new Date(Date.now() + 5000));
    assert.equal(new GpuDeviceCache(file).get(blender, '3.4.1'), null, 'mtime');
    const again = new GpuDeviceCache(file);
    again.set(blender, '3.4.1', [CARD]);
    again.save();
    await writeFile(blender, '#!/bin/sh\n# upgraded\n');
    assert.equal(new GpuDeviceCache(file).get(blender, '3.4.1'), null, 'size');
  });

  test('an unreadable cache, an entry of the wrong shape or a missing Blender is no answer, not an error', async () => {
    const blender = await tool('blender-c');
    const broken = join(scratch.dir, 'broken.json');
    await writeFile(broken, '{not json');
    assert.equal(new GpuDeviceCache(broken).get(blender, '3.4.1'), null);
    const file = join(scratch.dir, 'c.json');
    const cache = new GpuDeviceCache(file);
    cache.set(blender, '3.4.1', [CARD]);
    cache.save();
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, { devices: unknown[] }>;
    Object.values(stored)[0]!.devices = [{ backend: 'OPENCL', id: 'x', name: 'y' }];
    await writeFile(file, JSON.stringify(stored));
    assert.equal(new GpuDeviceCache(file).get(blender, '3.4.1'), null);
    assert.equal(cache.get(join(scratch.dir, 'absent'), '3.4.1'), null);
  });

  test('attachDevices probes each uncached Blender once, stores the answers, and answers at once from the cache after', async () => {
    const a = await tool('blender-d1');
    const b = await tool('blender-d2', '#!/bin/sh\n# two\n');
    const file = join(scratch.dir, 'd.json');
    const probed: string[] = [];
    const probe = async (path: string): Promise<DeviceProbeAnswer> => {
      probed.push(path);
      return { devices: path === a ? [CARD] : [], compiled: ['CUDA'] };
    };
    const installs = [{ path: a, version: '3.4.1', devices: [] }, { path: b, version: '4.3.2', devices: [] }];
    const warnings: string[] = [];
    const first = attachDevices(installs, { cache: new GpuDeviceCache(file), scratchHome: () => scratch.dir, warnings, probe });
    assert.ok(first instanceof Promise);
    assert.deepEqual((await first).map((i) => i.devices), [[CARD], []]);
    assert.deepEqual(probed, [a, b]);
    const second = attachDevices(installs, { cache: new GpuDeviceCache(file), scratchHome: () => assert.fail('no scratch HOME is made'), warnings, probe });
    assert.ok(Array.isArray(second), 'all cached: at once');
    assert.deepEqual(second.map((i) => i.devices), [[CARD], []]);
    assert.deepEqual(probed, [a, b], 'not probed again');
    await attachDevices(installs, { cache: new GpuDeviceCache(file, true), scratchHome: () => scratch.dir, warnings, probe });
    assert.deepEqual(probed, [a, b, a, b], '--reprobe');
    assert.deepEqual(warnings, []);
  });

  test('a probe that fails leaves that Blender on the CPU with a warning, and is tried again at the next start', async () => {
    const a = await tool('blender-e');
    const file = join(scratch.dir, 'e.json');
    const warnings: string[] = [];
    const failing = async (): Promise<DeviceProbeAnswer> => {
      throw new Error('no answer within 60 s');
    };
    const installs = [{ path: a, version: '3.4.1', devices: [] }];
    const result = await attachDevices(installs, { cache: new GpuDeviceCache(file), scratchHome: () => scratch.dir, warnings, probe: failing });
    assert.deepEqual(result, [{ path: a, version: '3.4.1', devices: [] }]);
    assert.deepEqual(warnings, [`Cycles' device probe with Blender 3.4.1 at ${a} failed (no answer within 60 s); that Blender renders on the CPU only.`]);
    assert.equal(new GpuDeviceCache(file).get(a, '3.4.1'), null, 'not cached');
  });
});
