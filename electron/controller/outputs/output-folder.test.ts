import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newJob, newTask } from '../jobs/new-job.js';
import type { JobRecord } from '../model/job-model.js';
import { OutputConflictError } from './output-conflict-error.js';
import { outputFolder } from './output-folder.js';
import { UnsafeOutputNameError } from './output-names.js';

// The commit puts verified files in place and never replaces another task's: checked on real
// files, including the bytes of the file that stays.

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-output-folder-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');

function renderJob(outputDir: string): JobRecord {
  const spec = (frame: number) => ({ type: 'blender' as const, frames: [frame], outputName: 'scene', format: 'PNG' as const });
  return newJob({ id: 'j1', name: 'j', type: 'blender', priority: 50, tags: [], outputDir, inputFiles: [], settings: {}, tasks: [newTask('j1', 0, 'frames 1', spec(1), []), newTask('j1', 1, 'frames 2', spec(2), [])] });
}

/** An incoming file as the intake has it: a verified temp file in the folder. */
async function arrive(job: JobRecord, taskIndex: number, name: string, bytes: string): Promise<string> {
  const temp = await outputFolder.tempPathFor(job, job.tasks[taskIndex]!, name);
  await writeFile(temp, bytes);
  return outputFolder.commit(job, job.tasks[taskIndex]!, { name, sha256: sha(bytes) }, temp);
}

const parts = async (folder: string) => (await readdir(folder)).filter((f) => f.startsWith('.farmhand-part-'));

test('a new output is put in place under its name, no temp file left', async () => {
  const out = join(dir, 'new');
  const job = renderJob(out);
  assert.equal(await arrive(job, 0, 'scene_0001.png', 'one'), join(out, 'scene_0001.png'));
  assert.equal(await readFile(join(out, 'scene_0001.png'), 'utf8'), 'one');
  assert.deepEqual(await parts(out), []);
});

test('T: another task\'s committed frame > refused naming both tasks; the frame keeps its bytes', async () => {
  const out = join(dir, 'conflict');
  const job = renderJob(out);
  await arrive(job, 0, 'scene_0001.png', 'frame one');
  job.tasks[0]!.collected = ['scene_0001.png'];
  await assert.rejects(arrive(job, 1, 'scene_0001.png', 'random bytes'), (error: Error) => {
    assert.ok(error instanceof OutputConflictError);
    assert.equal(error.message, 'Task frames 2 sent scene_0001.png with other bytes than task frames 1 already put in place; the file was kept, and the attempt was not accepted.');
    return true;
  });
  await assert.rejects(arrive(job, 1, 'scene_0001.png', 'frame one'), /Task frames 2 sent scene_0001.png, which belongs to task frames 1 and is already in place/);
  assert.equal(await readFile(join(out, 'scene_0001.png'), 'utf8'), 'frame one');
  assert.deepEqual(await parts(out), []);
});

test('the same task again (a restart, a retry): the same bytes are kept, new bytes replace its own file', async () => {
  const out = join(dir, 'same-task');
  const job = renderJob(out);
  await arrive(job, 0, 'scene_0001.png', 'first render');
  job.tasks[0]!.collected = ['scene_0001.png'];
  assert.equal(await arrive(job, 0, 'scene_0001.png', 'first render'), join(out, 'scene_0001.png'));
  assert.equal(await arrive(job, 0, 'scene_0001.png', 'second render'), join(out, 'scene_0001.png'));
  assert.equal(await readFile(join(out, 'scene_0001.png'), 'utf8'), 'second render');
  assert.deepEqual(await parts(out), []);
});

test('a file no task of the job put there (an earlier job\'s render of the scene) is replaced, as a re-render should', async () => {
  const out = join(dir, 'earlier-job');
  const job = renderJob(out);
  await arrive(job, 0, 'scene_0002.png', 'placeholder'); // makes the folder
  await writeFile(join(out, 'scene_0002.png'), 'an earlier job\'s frame');
  await arrive(job, 1, 'scene_0002.png', 'this job\'s frame');
  assert.equal(await readFile(join(out, 'scene_0002.png'), 'utf8'), 'this job\'s frame');
});

test('a name that would leave the folder is refused before any file is made', async () => {
  const job = renderJob(join(dir, 'unsafe'));
  await assert.rejects(outputFolder.tempPathFor(job, job.tasks[0]!, '../scene_0001.png'), UnsafeOutputNameError);
  await assert.rejects(outputFolder.commit(job, job.tasks[0]!, { name: '../../x', sha256: sha('') }, join(dir, 'nothing')), UnsafeOutputNameError);
  assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n === 'x')), []);
});

test('free bytes are what df says the folder\'s disk has left for a user', async () => {
  const job = renderJob(dir);
  const free = await outputFolder.freeBytes!(job, job.tasks[0]!);
  const df = Number(execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').pop());
  assert.ok(Math.abs(free - df) < 64 * 1024 ** 2, `statfs ${free}, df ${df}`);
});

test('a File Output pass is put in place under its relative name, its folders made', async () => {
  const out = join(dir, 'passes');
  const job = renderJob(out);
  assert.equal(await arrive(job, 0, 'passes/comp/fg_0001.png', 'fg'), join(out, 'passes', 'comp', 'fg_0001.png'));
  assert.equal(await readFile(join(out, 'passes', 'comp', 'fg_0001.png'), 'utf8'), 'fg');
  assert.deepEqual(await parts(out), []);
  await assert.rejects(arrive(job, 0, 'other/fg_0001.png', 'x'), UnsafeOutputNameError);
});
