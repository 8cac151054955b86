import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import type { ProgressUpdate } from '../../node-agent/runners/blender-progress.js';
import { runBlenderTask, type BlenderRunOptions } from '../../node-agent/runners/blender-runner.js';
import { TaskCanceledError, TaskFailedError } from '../../node-agent/runners/task-errors.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { decodedPixelHash } from '../helpers/pixels.js';
import { makeScratchDir } from '../helpers/scratch.js';

const blender = findBlender();

/** Process ids whose command line mentions `needle`, read from /proc (no `ps` needed). */
async function processesMentioning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) found.push(Number(entry));
  }
  return found;
}

describe('runBlenderTask with the real Blender', {}, () => {
  test('Blender is installed (apt-get install blender)', () => {
    if (!blender) throw new Error('Blender is not installed: apt-get install -y blender');
  });

  let scratch: { dir: string; cleanup: () => Promise<void> };
  let scene: string;
  let home: string;

  before(async () => {
    scratch = await makeScratchDir('farmhand-blender-runner');
    scene = await makeTestScene(scratch.dir, { frames: 3 });
    home = join(scratch.dir, 'home');
  });
  after(() => scratch.cleanup());

  function options(workDir: string, over: Partial<BlenderRunOptions> = {}): BlenderRunOptions & { progress: ProgressUpdate[]; logs: string[] } {
    const progress: ProgressUpdate[] = [];
    const logs: string[] = [];
    return {
      blenderPath: blender!,
      scenePath: scene,
      workDir,
      spec: { frames: [1, 2, 3], outputName: 'test-scene', format: 'PNG' },
      scratchHome: home,
      signal: new AbortController().signal,
      onProgress: (u) => progress.push(u),
      onLog: (line) => logs.push(line),
      ...over,
      progress,
      logs,
    };
  }

  test('renders every frame, reports progress up to 1, and matches a plain blender -a render pixel for pixel', async () => {
    const o = options(join(scratch.dir, 'work-ok'));
    const { outputs } = await runBlenderTask(o);
    assert.deepEqual(outputs, [1, 2, 3].map((f) => join(o.workDir, `test-scene_000${f}.png`)));
    for (const file of outputs) assert.ok((await stat(file)).size > 0);
    assert.equal(o.progress[o.progress.length - 1]!.fraction, 1);
    assert.equal(o.progress[o.progress.length - 1]!.framesDone, 3);
    assert.ok(o.logs.some((line) => line.startsWith('Saved: ')), 'Blender output reaches onLog');
    // Blender's start-up (process start → first `Fra:`) rides on every report once known, the same on each (the chunk planner's measure).
    const startups = new Set(o.progress.map((u) => u.startupMs));
    assert.equal(startups.size, 1, `one start-up per run: ${[...startups].join(', ')}`);
    const startupMs = [...startups][0]!;
    assert.ok(startupMs !== undefined && startupMs > 0 && startupMs < 60_000, `start-up ${startupMs} ms`);

    const direct = join(scratch.dir, 'direct');
    const run = spawnSync(blender!, ['-b', scene, '-noaudio', '--factory-startup', '--disable-autoexec', '-o', `${direct}/frame_####`, '-a'], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stdout);
    for (const [i, file] of outputs.entries()) {
      assert.equal(await decodedPixelHash(file), await decodedPixelHash(join(direct, `frame_000${i + 1}.png`)), `frame ${i + 1}`);
    }
    assert.notEqual(await decodedPixelHash(outputs[0]!), await decodedPixelHash(outputs[2]!), 'frames differ');
  });

  test('a missing scene fails at once as unrecoverable', async () => {
    const o = options(join(scratch.dir, 'work-missing'), { scenePath: join(scratch.dir, 'nope.blend') });
    await assert.rejects(runBlenderTask(o), (error: unknown) => {
      assert.ok(error instanceof TaskFailedError);
      assert.equal(error.unrecoverable, true);
      assert.match(error.message, /Blender could not read the scene "nope\.blend"/);
      return true;
    });
  });

  test('a scene Blender cannot read (truncated) is unrecoverable and names Blender\'s reason', async () => {
    const truncated = join(scratch.dir, 'half.blend');
    const whole = await readFile(scene);
    await writeFile(truncated, whole.subarray(0, whole.length >> 1));
    const o = options(join(scratch.dir, 'work-truncated'), { scenePath: truncated });
    await assert.rejects(runBlenderTask(o), (error: unknown) => {
      assert.ok(error instanceof TaskFailedError);
      assert.equal(error.unrecoverable, true);
      assert.equal(error.message, 'Blender could not read the scene "half.blend": Missing DNA block.');
      return true;
    });
  });

  test('a text file named .blend is unrecoverable', async () => {
    const text = join(scratch.dir, 'notes.blend');
    await writeFile(text, 'not a scene\n');
    await assert.rejects(runBlenderTask(options(join(scratch.dir, 'work-text'), { scenePath: text })), (error: unknown) => {
      assert.ok(error instanceof TaskFailedError && error.unrecoverable);
      assert.equal(error.message, 'Blender could not read the scene "notes.blend": File format is not supported.');
      return true;
    });
  });

  test('an unknown engine is unrecoverable', async () => {
    const o = options(join(scratch.dir, 'work-engine'), { spec: { frames: [1], outputName: 'x', format: 'PNG', engine: 'NO_SUCH_ENGINE' } });
    await assert.rejects(runBlenderTask(o), (error: unknown) => {
      assert.ok(error instanceof TaskFailedError && error.unrecoverable);
      assert.match(error.message, /no render engine "NO_SUCH_ENGINE"/);
      return true;
    });
  });

  test('a Blender binary that does not exist is a recoverable failure', async () => {
    const o = options(join(scratch.dir, 'work-nobin'), { blenderPath: join(scratch.dir, 'no-blender') });
    await assert.rejects(runBlenderTask(o), (error: unknown) => {
      assert.ok(error instanceof TaskFailedError);
      assert.equal(error.unrecoverable, false);
      assert.match(error.message, /could not be started/);
      return true;
    });
  });

  test('abort mid-render rejects with TaskCanceledError and leaves no Blender process behind', async () => {
    const slowDir = join(scratch.dir, 'slow');
    await mkdir(slowDir);
    const slow = await makeTestScene(slowDir, { frames: 20, width: 320, height: 180, samples: 2000 });
    // A unique path, so the process check below cannot see other tests' Blenders.
    const unique = join(slowDir, `abort-${process.pid}.blend`);
    await copyFile(slow, unique);
    const controller = new AbortController();
    let runningAtAbort: number[] = [];
    let abortedAt = 0;
    const o = options(join(scratch.dir, 'work-abort'), {
      scenePath: unique,
      spec: { frames: Array.from({ length: 20 }, (_, i) => i + 1), outputName: 'slow', format: 'PNG' },
      signal: controller.signal,
      onProgress: (u) => {
        if (abortedAt || !u.message?.startsWith('Sample')) return;
        abortedAt = -1;
        void processesMentioning(unique).then((pids) => {
          runningAtAbort = pids;
          abortedAt = performance.now();
          controller.abort();
        });
      },
    });
    await assert.rejects(runBlenderTask(o), TaskCanceledError);
    assert.ok(performance.now() - abortedAt < 5000, 'the abort is prompt');
    assert.ok(runningAtAbort.length > 0, 'Blender was rendering when the abort came');
    assert.deepEqual(await processesMentioning(unique), []);
  });
});
