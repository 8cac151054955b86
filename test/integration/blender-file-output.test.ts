import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { runBlenderTask } from '../../node-agent/runners/blender-runner.js';
import { makeDependencyScenes, type DependencyScenes } from '../fixtures/dependency-scenes.js';
import { renderReference } from '../helpers/reference-render.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * The command-line Python step with Blender itself: a compositor File Output node whose base
 * path is `//passes/` writes into the task's output folder (`<out>/passes/`), not beside the
 * scene in the workspace, and the runner hands those files back with the frames under their
 * relative names; their pixels equal a direct `blender -b` render's.
 */

let scratch: { dir: string; cleanup: () => Promise<void> };
let scenes: DependencyScenes;
const FRAMES = [1, 2];

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-file-output');
  scenes = await makeDependencyScenes(join(scratch.dir, 'scenes'));
});

after(async () => {
  await scratch?.cleanup();
});

test('File Output passes of both view layers land under the task output folder\'s passes/ and equal a direct render', async () => {
  const workspace = join(scratch.dir, 'workspace');
  await mkdir(workspace, { recursive: true });
  const scene = join(workspace, 'shot.blend');
  await copyFile(scenes.scenes['file-output'].blend, scene);
  const out = join(scratch.dir, 'out');
  const lines: string[] = [];
  const result = await runBlenderTask({
    blenderPath: findBlender()!,
    scenePath: scene,
    workDir: out,
    spec: { frames: FRAMES, outputName: 'shot', format: 'PNG' },
    scratchHome: join(scratch.dir, 'home'),
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: (line) => lines.push(line),
  });
  assert.ok(lines.some((l) => l.includes('farmhand: 1 File Output node(s) write into the task\'s output folder')), lines.join('\n'));
  assert.deepEqual(result.outputs.map((p) => relative(out, p)), [
    'shot_0001.png', 'shot_0002.png',
    'passes/bg_0001.png', 'passes/bg_0002.png', 'passes/fg_0001.png', 'passes/fg_0002.png',
  ]);
  assert.deepEqual(await readdir(workspace), ['shot.blend'], 'nothing is written into the workspace');

  const ref = await renderReference(scenes.scenes['file-output'].blend, join(scratch.dir, 'reference'), FRAMES);
  assert.equal(ref.passes.length, 4, ref.log.slice(-2000));
  assert.deepEqual(await renderDifferences(out, ref, { prefix: 'shot', frames: FRAMES }), []);
});

test('a multilayer EXR File Output node with an absolute base path outside the workspace writes under passes/ too (its last folder and prefix kept)', async () => {
  const workspace = join(scratch.dir, 'workspace-exr');
  await mkdir(workspace, { recursive: true });
  const scene = join(workspace, 'shot.blend');
  await copyFile(scenes.scenes['file-output'].blend, scene);
  const out = join(scratch.dir, 'out-exr');
  const outside = join(scratch.dir, 'elsewhere', 'comp');
  // Runs before the redirection: the scene as an artist might have set it up.
  const setUp = `for n in bpy.data.scenes[0].node_tree.nodes:
    if n.type == 'OUTPUT_FILE':
        n.format.file_format = 'OPEN_EXR_MULTILAYER'
        n.base_path = ${JSON.stringify(`${outside}/multi_`)}`;
  const lines: string[] = [];
  const result = await runBlenderTask({
    blenderPath: findBlender()!,
    scenePath: scene,
    workDir: out,
    spec: { frames: [1], outputName: 'shot', format: 'PNG' },
    scratchHome: join(scratch.dir, 'home'),
    pythonSnippets: [setUp],
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: (line) => lines.push(line),
  });
  assert.deepEqual(result.outputs.map((p) => relative(out, p)), ['shot_0001.png', 'passes/comp/multi_0001.exr'], lines.join('\n'));
  assert.ok((await stat(result.outputs[1]!)).size > 0);
  assert.equal(await stat(join(scratch.dir, 'elsewhere')).then(() => true, () => false), false, 'nothing written at the absolute path');
  assert.deepEqual(await readdir(workspace), ['shot.blend']);
});
