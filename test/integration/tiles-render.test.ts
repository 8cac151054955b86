import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { compileBlenderJob } from '../../electron/controller/jobs/blender/blender-job.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { readSceneInfo } from '../../electron/controller/jobs/blender/scene-probe.js';
import { readFrameList } from '../../electron/controller/jobs/frame-list.js';
import { describeFile } from '../../node-agent/protocol/index.js';
import { runBlenderScript } from '../helpers/blender-script.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// One still across the farm (issue 19): a real Cycles frame cut into regions, each rendered by
// a real Blender on its own loopback agent, merged by the controller's own agent with ffmpeg,
// and compared byte for byte (decoded to raw pixels) with the same frame rendered whole.
// No denoiser, no adaptive sampling: then every pixel is independent of the region.

const run = promisify(execFile);
let dir: string;

/** A small transparent-film Cycles scene at an odd size and a percentage: `-- out w h pct format depth`. */
const SCENE_SCRIPT = `
import bpy, sys, math
out, w, h, pct, fmt, depth = sys.argv[sys.argv.index("--") + 1:][:6]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = "CPU"
s.cycles.samples = 4
s.cycles.use_denoising = False
s.cycles.use_adaptive_sampling = False
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = int(w), int(h), int(pct)
s.render.film_transparent = True
s.render.image_settings.file_format = fmt
s.render.image_settings.color_mode = "RGBA"
s.render.image_settings.color_depth = depth
s.frame_start, s.frame_end = 1, 5
bpy.ops.mesh.primitive_uv_sphere_add(location=(0.6, 0, 0.2))
bpy.ops.mesh.primitive_cube_add(size=1.2, location=(-1.1, 0.4, -0.2))
bpy.ops.object.camera_add(location=(0, -6, 1.5), rotation=(math.radians(78), 0, 0))
s.camera = bpy.context.active_object
bpy.ops.object.light_add(type="POINT", location=(1, -2, 3))
bpy.context.active_object.data.energy = 600
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False)
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-tiles-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function makeScene(name: string, o: { width: number; height: number; percent: number; format: 'PNG' | 'OPEN_EXR'; depth: string }): Promise<string> {
  const out = join(dir, `${name}.blend`);
  await runBlenderScript(['--python-expr', SCENE_SCRIPT, '--', out, String(o.width), String(o.height), String(o.percent), o.format, o.depth], { home: join(dir, '.blender-home'), what: 'tiles scene' });
  return out;
}

/** The frame rendered whole, as the agents run Blender (factory settings, no scripts), without Farmhand. */
async function renderWhole(scene: string, frame: number, format: string, out: string): Promise<string> {
  const blender = findBlender()!;
  const home = join(dir, '.blender-home');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(blender, ['-b', scene, '-noaudio', '--factory-startup', '--disable-autoexec', '-o', join(out, 'whole_####'), '-F', format, '-x', '1', '-f', String(frame)], { stdio: 'ignore', env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') } });
    child.once('error', reject);
    child.once('close', resolve);
  });
  assert.equal(code, 0, 'the whole-frame reference render');
  const file = (await readdir(out)).find((f) => f.startsWith('whole_'));
  assert.ok(file, 'the reference frame was written');
  return join(out, file);
}

/** An image's pixels decoded by ffmpeg into raw bytes of `pixFmt`, with its size. */
async function rawPixels(file: string, pixFmt: string): Promise<{ size: string; bytes: Buffer }> {
  const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]);
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return { size: probe.stdout.trim(), bytes: stdout };
}

async function renderTiled(scene: string, o: { tiles: number; frame: number; pixFmt: string; ext: string }): Promise<void> {
  const farm = await startLoopbackFarm({ agents: [{ slots: 1 }, { slots: 1 }], localAgent: { slots: 1 } });
  try {
    await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === 3, 'three agents online', 20_000);
    const outputDir = join(dir, `out-${basename(scene, '.blend')}`);
    const sceneInfo = await readSceneInfo(scene, { blenderPath: findBlender(), scratchHome: join(dir, '.blender-home') });
    const job = compileBlenderJob(
      { scenePath: scene, frames: readFrameList(String(o.frame)), outputDir, tiles: o.tiles },
      { scene: await describeFile(scene, basename(scene)), scenePath: scene, sceneInfo, agentCount: 3 },
    );
    assert.equal(job.tasks.length, o.tiles + 1, 'one task per tile and the merge');
    farm.controller.submit(job);
    const summary = await farm.controller.waitForJob(job.id);
    assert.equal(summary.state, 'succeeded', `${summary.failure ?? ''} ${job.tasks.map((t) => t.error).filter(Boolean).join(' | ')}`);

    const tiles = job.tasks.filter((t) => t.spec.type === 'blender');
    const merge = job.tasks.find((t) => t.spec.type === 'tiles-merge')!;
    assert.ok(new Set(tiles.map((t) => t.agentId)).size >= 2, `the tiles were rendered on ${new Set(tiles.map((t) => t.agentId)).size} agent(s)`);
    assert.equal(merge.agentId, farm.agents[2]!.agentId, 'the merge ran on the controller\'s own agent');
    // The frame alone is in the job's folder: the tiles were intermediates, removed with the work folder.
    const frameName = `${basename(scene, '.blend')}_${String(o.frame).padStart(4, '0')}.${o.ext}`;
    await farm.waitFor(() => !existsSync(join(outputDir, `.farmhand-work-${job.id}`)), 'the job\'s work folder (the tiles) removed');
    assert.deepEqual(await readdir(outputDir), [frameName]);

    const whole = await renderWhole(scene, o.frame, o.ext === 'exr' ? 'OPEN_EXR' : 'PNG', join(dir, `whole-${basename(scene, '.blend')}`));
    const merged = await rawPixels(join(outputDir, frameName), o.pixFmt);
    const reference = await rawPixels(whole, o.pixFmt);
    assert.equal(merged.size, reference.size, 'the merged frame has the whole frame\'s size');
    assert.ok(merged.bytes.length > 0);
    const differing = merged.bytes.reduce((n, b, i) => n + (b === reference.bytes[i] ? 0 : 1), 0);
    assert.equal(differing, 0, `${differing} of ${merged.bytes.length} bytes differ from the whole-frame render`);
    // Not a frame of nothing: the scene's objects are there (some pixels opaque, some transparent).
    assert.ok(new Set(merged.bytes).size > 16, 'the frame has content');
  } finally {
    await farm.close();
  }
}

test('a 4-tile PNG (8-bit RGBA, 63×47 from 127×95 at 50 %) merges equal to the whole frame, byte for byte', async () => {
  const scene = await makeScene('tiles-png', { width: 127, height: 95, percent: 50, format: 'PNG', depth: '8' });
  await renderTiled(scene, { tiles: 4, frame: 3, pixFmt: 'rgba', ext: 'png' });
});

test('a 3-tile half-float EXR (RGBA, 61×45) merges equal to the whole frame, float for float', async () => {
  const scene = await makeScene('tiles-exr', { width: 61, height: 45, percent: 100, format: 'OPEN_EXR', depth: '16' });
  await renderTiled(scene, { tiles: 3, frame: 2, pixFmt: 'gbrapf32le', ext: 'exr' });
});
