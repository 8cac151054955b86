import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { pathMapSnippet } from '../../node-agent/runners/blender-python-step.js';
import { runBlenderTask } from '../../node-agent/runners/blender-runner.js';
import { centrePixel, isMagenta, makeSolidPng, makeTexturedScene } from '../helpers/textured-scene.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * The command-line Python step with Blender itself: a scene naming `C:\textures\wood.png`
 * renders that texture on Linux once the path is mapped into the workspace, and magenta without.
 */

let scratch: { dir: string; cleanup: () => Promise<void> };
let workspace: string;
let scene: string;
let home: string;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-path-map');
  workspace = join(scratch.dir, 'workspace');
  home = join(scratch.dir, 'home');
  scene = await makeTexturedScene(join(workspace, 'shot.blend'), 'C:\\textures\\wood.png', home);
  await makeSolidPng(join(workspace, 'maps/c_textures/wood.png'), '0x20c040');
});

after(async () => {
  await scratch?.cleanup();
});

function render(workDir: string, pythonSnippets: string[], allowMissing = false) {
  const lines: string[] = [];
  return runBlenderTask({
    blenderPath: findBlender()!,
    scenePath: scene,
    workDir,
    spec: { frames: [1], outputName: 'shot', format: 'PNG', allowMissing },
    scratchHome: home,
    pythonSnippets,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: (line) => lines.push(line),
  }).then((r) => ({ ...r, lines }));
}

test('a Windows path mapped into the workspace renders the texture; unmapped it renders magenta', async () => {
  const mapped = await render(join(scratch.dir, 'out-mapped'), [pathMapSnippet([{ from: 'c:/TEXTURES', to: 'maps/c_textures' }], workspace)!]);
  assert.ok(mapped.lines.some((l) => l.includes('farmhand: mapped 1 path(s) into the workspace')), mapped.lines.join('\n'));
  const [r, g, b] = await centrePixel(mapped.outputs[0]!);
  assert.ok(Math.abs(r - 0x20) <= 3 && Math.abs(g - 0xc0) <= 3 && Math.abs(b - 0x40) <= 3, `the texture's green, got ${[r, g, b]}`);

  const unmapped = await render(join(scratch.dir, 'out-unmapped'), [], true); // a missing file fails the attempt unless allowed
  assert.ok(isMagenta(await centrePixel(unmapped.outputs[0]!)), 'Blender\'s magenta for a missing texture');
});
