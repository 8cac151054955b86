import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobStore } from './job-store.js';

// A job exactly as the version before protocol 4 saved it: the workspace inside every Blender
// task's spec (files, pathMap) and every dependency in every task's inputs.

const sha = (c: string) => c.repeat(64);
const scene = { sha256: sha('f'), size: 50, name: 'shot.blend' };
const files = [
  { path: 'tex/wood.png', sha256: sha('a'), size: 100 },
  { path: 'external/c/hdri/sky.exr', sha256: sha('b'), size: 200 },
];
const pathMap = [{ from: 'C:\\hdri', to: 'external/c/hdri' }];

function oldTask(index: number, spec: Record<string, unknown>, inputs: unknown[]) {
  return {
    id: `jold.${index}`, jobId: 'jold', index, label: `frames ${index + 1}`, state: index === 0 ? 'succeeded' : 'queued', attempt: index === 0 ? 1 : 0, failures: 0,
    spec: { type: 'blender', frames: [index + 1], outputName: 'shot', format: 'PNG', ...spec }, inputs,
    inputsFromDependencies: false, intermediate: false, dependsOn: [], agentId: null, progress: index === 0 ? 1 : 0, outputs: [], collected: [], error: null, startedAt: null, endedAt: null,
  };
}

async function writeOldJob(dir: string, id: string, tasks: unknown[]) {
  const folder = join(dir, 'store', 'jobs', id);
  await mkdir(folder, { recursive: true });
  const document = {
    id, name: 'shot.blend', type: 'blender', priority: 50, createdAt: 1_700_000_000_000, paused: false, failure: null, canceled: false, tags: [], outputDir: '/out',
    inputFiles: [{ sha256: scene.sha256, size: 50, path: '/art/shot.blend' }, { sha256: sha('a'), size: 100, path: '/art/tex/wood.png' }, { sha256: sha('b'), size: 200, path: '/mnt/c/hdri/sky.exr' }],
    settings: {}, endedAt: null, taskCount: tasks.length, taskPageSize: 250,
  };
  await writeFile(join(folder, 'job.json'), JSON.stringify(document));
  await writeFile(join(folder, 'tasks-0000.json'), JSON.stringify({ jobId: id, first: 0, tasks }));
  return folder;
}

test('a Blender job saved before protocol 4 has its files and path map moved once into job.json, its tasks naming the workspace', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'farmhand-hoist-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const inputs = [scene, { sha256: sha('a'), size: 100, name: 'wood.png' }, { sha256: sha('b'), size: 200, name: 'sky.exr' }];
  const folder = await writeOldJob(dir, 'jold', [0, 1].map((i) => oldTask(i, { scenePath: 'shot.blend', files, pathMap }, inputs)));
  // A scene-only job of the same version: nothing to move.
  const plainFolder = await writeOldJob(dir, 'jplain', [oldTask(0, { scenePath: 'shot.blend' }, [scene])].map((task) => ({ ...task, id: 'jplain.0', jobId: 'jplain' })));
  const plainBefore = await readFile(join(plainFolder, 'tasks-0000.json'), 'utf8');

  const store = await JobStore.open(dir, { delayMs: 0 });
  const job = store.get('jold')!;
  assert.deepEqual(job.workspace, { scenePath: 'shot.blend', files, pathMap });
  for (const task of job.tasks) {
    assert.deepEqual(task.spec, { type: 'blender', frames: [task.index + 1], outputName: 'shot', format: 'PNG', scenePath: 'shot.blend', workspace: true });
    assert.deepEqual(task.inputs, [scene]);
  }
  assert.deepEqual(job.inputFiles.map((f) => f.sha256), [sha('f'), sha('a'), sha('b')], 'the files are still served by hash');
  assert.deepEqual(store.problems, []);
  await store.close();

  // Saved so: the list is in job.json once, and the task page no longer carries it.
  const document = JSON.parse(await readFile(join(folder, 'job.json'), 'utf8')) as { workspace?: unknown };
  assert.deepEqual(document.workspace, { scenePath: 'shot.blend', files, pathMap });
  const page = await readFile(join(folder, 'tasks-0000.json'), 'utf8');
  assert.ok(!page.includes('"files"') && !page.includes('"pathMap"') && !page.includes(sha('a')), page);
  assert.equal(await readFile(join(plainFolder, 'tasks-0000.json'), 'utf8'), plainBefore, 'a job with nothing to move is not rewritten');

  // Opened again: the same job, nothing left to move.
  const again = await JobStore.open(dir, { delayMs: 0 });
  assert.deepEqual(again.get('jold'), job);
  assert.equal(again.get('jplain')!.workspace, undefined);
  await again.close();
});
