import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../../electron/controller/api/farm-service.js';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import type { RenderRequest } from '../../electron/controller/jobs/job-request.js';
import { gpuSceneOnCpuSentence } from '../../electron/controller/scheduler/gpu-scene-on-cpu.js';
import { runBlenderScript } from '../helpers/blender-script.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';
import { DRIVER_EXPRESSION, DRIVER_TEXT, makePythonDriverScene } from '../helpers/python-driver-scene.js';
import { renderReference } from '../helpers/reference-render.js';
import { renamedBlender, renamedBlenderRuns } from '../helpers/renamed-blender.js';
import { runCommand } from '../helpers/run-command.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * The controller's side of the agent's renderers, end to end through the API's jobs.submit
 * (the .blend reader, the compile, the scheduler's requirements, real agents with the real
 * Blender 3.4.1 on loopback): a GPU scene on this CPU-only farm renders and the job says so
 * once; a rig's Python skipped without trust is a warning at submit naming it, and with trust
 * on an --allow-scripts agent it renders pixel-equal to `blender -b -y`; an unbaked cloth warns
 * when chunked and not as one chunk; a file saved by a newer Blender waits with the reason on
 * a 3.4 farm and runs once an agent with a (renamed) 4.1 joins.
 */

/** Runs inside Blender: `-- <out.blend> <cycles device> <frames> <cloth: 0|1>`. Tiny Cycles scene: 32×24, 1 sample. */
const SCENE = `
import bpy, sys
out, device, frames, cloth = sys.argv[sys.argv.index("--") + 1:][:4]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = device
s.cycles.samples = 1
s.cycles.use_denoising = False
s.cycles.use_adaptive_sampling = False
s.view_settings.view_transform = "Standard"
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 32, 24, 100
s.frame_start, s.frame_end = 1, int(frames)
s.render.image_settings.file_format = "PNG"
bpy.ops.mesh.primitive_plane_add(size=2)
plane = bpy.context.active_object
plane.name = "Flag"
if cloth == "1":
    plane.modifiers.new("Cloth", "CLOTH")
mat = bpy.data.materials.new("Glow")
mat.use_nodes = True
nodes, links = mat.node_tree.nodes, mat.node_tree.links
nodes.clear()
emit = nodes.new("ShaderNodeEmission")
emit.inputs["Color"].default_value = (0.8, 0.4, 0.2, 1.0)
out_node = nodes.new("ShaderNodeOutputMaterial")
links.new(emit.outputs["Emission"], out_node.inputs["Surface"])
plane.data.materials.append(mat)
bpy.ops.object.camera_add(location=(0, 0, 5), rotation=(0, 0, 0))
cam = bpy.context.active_object
cam.data.type = "ORTHO"
cam.data.ortho_scale = 4
s.camera = cam
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False, relative_remap=False)
`;

let scratch: { dir: string; cleanup: () => Promise<void> };
let home: string;
const at = (p: string) => join(scratch.dir, p);

async function makeScene(out: string, o: { device: 'CPU' | 'GPU'; frames: number; cloth: boolean }): Promise<string> {
  await mkdir(join(out, '..'), { recursive: true });
  await runBlenderScript(['--python-expr', SCENE, '--', out, o.device, String(o.frames), o.cloth ? '1' : '0'], { home, what: 'renderer scene' });
  return out;
}

/** A farm and the API service over it; `agents: []` for a farm that only takes submits. */
async function farmWithApi(agents: Parameters<typeof startLoopbackFarm>[0] = {}): Promise<{ farm: LoopbackFarm; service: FarmService }> {
  const farm = await startLoopbackFarm(agents);
  const service = createFarmService(farm.controller, { outputRoot: at('out'), home, agentSettings: await AgentSettings.open(null) });
  return { farm, service };
}

/** A copy of `original` whose header says "saved by 4.1" (BLENDER-v304 → v401): only the version the routing reads changes. */
async function savedBy41(original: string, copy: string): Promise<string> {
  await copyFile(original, copy);
  const bytes = await readFile(copy);
  assert.match(bytes.toString('latin1', 0, 12), /^BLENDER[-_][vV]304$/);
  bytes.write('401', 9, 'latin1');
  await writeFile(copy, bytes);
  return copy;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const FARMHAND = [process.execPath, '--import', 'tsx', join(root, 'electron/cli/farmhand.ts')];

/** `farmhand …` from the sources (tsx), as a user runs it: loopback only, its own data folder. */
function farmhand(args: string[], timeoutMs = 120_000, env: Record<string, string> = { FARMHAND_HOME: at('cli-home') }) {
  return runCommand(FARMHAND, args, { cwd: root, env, timeoutMs });
}

const count = (text: string, part: string) => text.split(part).length - 1;

const render = (scenePath: string, over: Partial<RenderRequest> = {}): RenderRequest => ({ type: 'render', scenePath, video: false, priority: 50, tags: [], ...over });

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-renderers-controller');
  home = at('home');
});

after(async () => {
  await scratch?.cleanup();
});

describe('a GPU scene on this CPU-only farm', { timeout: 180_000 }, () => {
  test('renders, and the job carries the CPU warning once however many chunks ran on the CPU', async () => {
    const scene = await makeScene(at('gpu/shot.blend'), { device: 'GPU', frames: 3, cloth: false });
    const { farm, service } = await farmWithApi();
    try {
      await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the agent online with Blender', 30_000);
      const job = await service.api['jobs.submit'](render(scene, { chunkSize: 1, outputDir: at('gpu-out') }));
      assert.equal(job.taskCount, 3);
      assert.equal(job.warnings, undefined, 'nothing to say before it renders');
      const ended = await farm.controller.waitForJob(job.id);
      assert.equal(ended.state, 'succeeded', ended.failure ?? '');
      const detail = await service.api['jobs.get']({ jobId: job.id });
      assert.equal(detail.settings.cyclesDevice, 'GPU', 'the reader read the scene\'s Cycles device');
      assert.deepEqual(detail.warnings, [gpuSceneOnCpuSentence('shot.blend')]);
      // The agent's own sentence for it, on each of the three tasks, was taken to the job: no task repeats it.
      assert.equal(detail.warningCount, undefined, detail.firstWarning);
      const tasks = await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 });
      assert.deepEqual(tasks.items.map((t) => t.outputs), [['shot_0001.png'], ['shot_0002.png'], ['shot_0003.png']]);
    } finally {
      await farm.close();
    }
  });
});

describe('a rig whose driver needs Python', { timeout: 180_000 }, () => {
  test('without trust the submit warns naming the text block and the driver; with trust on an --allow-scripts agent it renders pixel-equal to blender -b -y', async () => {
    const scene = await makePythonDriverScene(at('rig/shot.blend'), home);
    const reference = await renderReference(scene, at('rig-ref'), [1], { scripts: true });
    const untrusting = await farmWithApi({ agents: [] });
    try {
      const job = await untrusting.service.api['jobs.submit'](render(scene));
      assert.equal(job.warnings?.length, 1, String(job.warnings));
      assert.equal(job.warnings[0], `The scene runs Python that Blender skips without trust: text "${DRIVER_TEXT}", driver Shader Nodetree: nodes["Emission"].inputs[1].default_value = ${DRIVER_EXPRESSION}; its frames may be wrong. Submit with --trust-scripts to run it on agents started with --allow-scripts.`);
    } finally {
      await untrusting.farm.close();
    }
    const { farm, service } = await farmWithApi({ agents: [{ allowScripts: true }] });
    try {
      await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.allowScripts), 'the agent online, allowing scripts', 30_000);
      const job = await service.api['jobs.submit'](render(scene, { trustScripts: true, outputDir: at('rig-out') }));
      assert.equal(job.warnings, undefined, 'trusted: nothing skipped');
      const ended = await farm.controller.waitForJob(job.id);
      assert.equal(ended.state, 'succeeded', ended.failure ?? '');
      assert.deepEqual(await renderDifferences(at('rig-out'), reference, { prefix: 'shot', frames: [1] }), []);
    } finally {
      await farm.close();
    }
  });
});

describe('an unbaked cloth', { timeout: 120_000 }, () => {
  test('split into chunks warns with the --chunk that makes one; one chunk covering the range does not', async () => {
    const scene = await makeScene(at('cloth/shot.blend'), { device: 'CPU', frames: 12, cloth: true });
    const { farm, service } = await farmWithApi({ agents: [] });
    try {
      const chunked = await service.api['jobs.submit'](render(scene, { chunkSize: 4 }));
      assert.equal(chunked.taskCount, 3);
      assert.equal(chunked.warnings?.length, 1, String(chunked.warnings));
      assert.equal(chunked.warnings[0], 'The scene has unbaked simulations (cloth on "Flag") and renders in 3 chunks: each chunk after the first starts them mid-sequence, so its frames may be wrong. Bake them in Blender, or render it as one chunk with --chunk 12.');
      const whole = await service.api['jobs.submit'](render(scene, { chunkSize: 12 }));
      assert.equal(whole.taskCount, 1);
      assert.equal(whole.warnings, undefined);
    } finally {
      await farm.close();
    }
  });
});

describe('a file saved by a newer Blender', { timeout: 180_000 }, () => {
  test('waits with the reason on a farm whose only agent has 3.4, and runs once an agent with a Blender 4.1 joins', async () => {
    const original = await makeScene(at('newer/made.blend'), { device: 'CPU', frames: 1, cloth: false });
    const scene = await savedBy41(original, at('newer/shot.blend'));

    const { farm, service } = await farmWithApi();
    try {
      await farm.waitFor(() => farm.controller.agents().some((a) => a.online && a.taskTypes.includes('blender')), 'the 3.4 agent online', 30_000);
      const reason = 'no agent has Blender ≥ 4.1 for shot.blend (saved by 4.1).';
      // A pin older than the file is refused at once.
      await assert.rejects(service.api['jobs.submit'](render(scene, { blenderVersion: '3.4' })), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'bad-input');
        assert.equal(e.message, 'The job asks for Blender 3.4, but shot.blend was saved by Blender 4.1, which an older Blender opens with loss of data; pin 4.1 or newer with --blender-version, or leave it out.');
        return true;
      });
      const job = await service.api['jobs.submit'](render(scene, { outputDir: at('newer-out') }));
      await farm.waitFor(() => farm.notices.includes(`Job "shot.blend" is waiting: ${reason}`), 'the waiting notice');
      const waiting = await service.api['jobs.get']({ jobId: job.id });
      assert.equal(waiting.state, 'queued');
      assert.equal(waiting.waitingReason, reason);
      assert.equal(waiting.runningCount + waiting.succeededCount, 0, 'the 3.4 agent never got it');

      const renamed = await renamedBlender(at('blenders'), '4.1.0');
      const newer = await farm.startAgent({ blenderPath: renamed });
      farm.controller.pool.add(newer.url);
      const ended = await farm.controller.waitForJob(job.id);
      const tasks = await service.api['tasks.list']({ jobId: job.id, offset: 0, limit: 10 });
      const ran = tasks.items.map((t) => t.agentId);
      assert.deepEqual(ran, [newer.agentId], 'the task went to the agent with 4.1');
      assert.ok((await renamedBlenderRuns(renamed)).length >= 1, 'the 4.1 Blender (real 3.4.1 underneath) ran it');
      assert.equal((await service.api['jobs.get']({ jobId: job.id })).waitingReason, undefined);
      // The renamed Blender is 3.4.1 underneath, reading a 3.4 file whose header claims 4.1: it renders it.
      assert.equal(ended.state, 'succeeded', ended.failure ?? tasks.items[0]!.error ?? '');
    } finally {
      await farm.close();
    }
  });
});

describe('farmhand render (CLI)', { timeout: 240_000 }, () => {
  test('a GPU scene on this machine\'s CPU agent: Done, and the CPU warning printed once for its three chunks', async () => {
    const scene = await makeScene(at('cli-gpu/shot.blend'), { device: 'GPU', frames: 3, cloth: false });
    const r = await farmhand(['render', scene, '--no-discover', '--chunk', '1', '--out', at('cli-gpu-out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Done: 3 frame\(s\)/);
    assert.equal(count(r.stderr, gpuSceneOnCpuSentence('shot.blend')), 1, r.stderr);
    assert.equal(r.stderr.split('\n').filter((line) => line.includes('GPU')).length, 1, `no other line about the GPU:\n${r.stderr}`);
    assert.deepEqual((await readdir(at('cli-gpu-out'))).filter((f) => f.endsWith('.png')).sort(), ['shot_0001.png', 'shot_0002.png', 'shot_0003.png']);
  });

  test('a file saved by 4.1 with only this machine\'s 3.4: the waiting reason printed once, then the render gives up with it (exit 1)', async () => {
    const original = await makeScene(at('cli-newer/made.blend'), { device: 'CPU', frames: 1, cloth: false });
    const scene = await savedBy41(original, at('cli-newer/shot.blend'));
    const r = await farmhand(['render', scene, '--no-discover', '--agent-wait', '2', '--out', at('cli-newer-out')], 60_000);
    const reason = 'no agent has Blender ≥ 4.1 for shot.blend (saved by 4.1).';
    assert.equal(r.code, 1, r.stderr);
    assert.equal(count(r.stderr, `Job "shot.blend" is waiting: ${reason}`), 1, r.stderr);
    assert.match(r.stderr, new RegExp(`No agent can run this job: ${reason.replace(/[.()]/g, '\\$&')} Start an agent`));
    assert.deepEqual(await readdir(at('cli-newer-out')).catch(() => []), [], 'nothing rendered by the older Blender');
  });

  test('--blender-version older than the file is refused at once (exit 2, one sentence)', async () => {
    const original = await makeScene(at('cli-pin/made.blend'), { device: 'CPU', frames: 1, cloth: false });
    const scene = await savedBy41(original, at('cli-pin/shot.blend'));
    const r = await farmhand(['render', scene, '--no-discover', '--blender-version', '3.4'], 60_000);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim(), 'farmhand: The job asks for Blender 3.4, but shot.blend was saved by Blender 4.1, which an older Blender opens with loss of data; pin 4.1 or newer with --blender-version, or leave it out.');
    const bad = await farmhand(['render', scene, '--no-discover', '--blender-version', '4'], 60_000);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--blender-version takes a Blender major\.minor, like 4\.1, not "4"\./);
  });
});

describe('farmhand controller and its clients (CLI)', { timeout: 240_000 }, () => {
  test('a job waiting for a Blender 4.1: `job` shows the reason, `jobs` says waiting, `watch` prints it once; `agents` shows the Blender, the device and scripts', async () => {
    const original = await makeScene(at('svc/made.blend'), { device: 'CPU', frames: 1, cloth: false });
    const scene = await savedBy41(original, at('svc/shot.blend'));
    const home = at('svc-home');
    const child = spawn(FARMHAND[0]!, [...FARMHAND.slice(1), 'controller', '--port', '0', '--no-discover', '--output-root', at('svc-out')], {
      cwd: root, env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1', FARMHAND_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`the controller printed no URL within 30 s: ${stdout}`)), 30_000);
        child.stdout!.on('data', (d: Buffer) => {
          stdout += d;
          const m = /listening on (ws:\/\/\S+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const env = { FARMHAND_HOME: home, FARMHAND_URL: url };
      const reason = 'no agent has Blender ≥ 4.1 for shot.blend (saved by 4.1).';
      const submitted = await farmhand(['submit', scene, '--json'], 30_000, env);
      assert.equal(submitted.code, 0, submitted.stderr);
      const id = (JSON.parse(submitted.stdout) as { id: string }).id;
      let shown = '';
      for (let i = 0; i < 40 && !shown.includes('Waiting'); i++) {
        shown = (await farmhand(['job', id], 30_000, env)).stdout;
        if (!shown.includes('Waiting')) await new Promise((r) => setTimeout(r, 250));
      }
      assert.match(shown, new RegExp(`^Waiting\\s+${reason.replace(/[.()]/g, '\\$&')}$`, 'm'));
      assert.match((await farmhand(['jobs'], 30_000, env)).stdout, new RegExp(`${id}\\s+shot\\.blend\\s+blender\\s+queued \\(waiting\\)`));
      // `watch` follows a job that never starts: stopped after a few seconds, it has said why once.
      const watched = await farmhand(['watch', id], 6_000, env);
      assert.equal(count(watched.stderr, `Job "shot.blend" is waiting: ${reason}`), 1, watched.stderr);
      const agents = (await farmhand(['agents'], 30_000, env)).stdout;
      assert.match(agents, /TOOLS\s+DEVICE\s+SCRIPTS/);
      assert.match(agents, /blender 3\.4\.\d+, ffmpeg \S+\s+cpu\s+-$/m);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
