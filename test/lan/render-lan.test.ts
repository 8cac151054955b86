import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { JobStore } from '../../electron/controller/store/job-store.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { decodedPixelHash } from '../helpers/pixels.js';
import { AGENT_FIRST_START_MS, Proc } from '../helpers/proc.js';
import { cleanupLeftovers, createLan, netnsAvailable, type Lan } from './netns.js';

// The heart of Farmhand on a real (namespaced) LAN: a controller host finds two agent hosts
// over mDNS, ships them a scene, both render with real Blender, every frame comes back and
// matches a direct Blender render pixel for pixel. Then an agent is killed with SIGKILL
// mid-job and the job still finishes with every frame exactly once. All traffic stays on the
// namespaces' bridge: every process is pinned to its namespace's own address.

const root = fileURLToPath(new URL('../..', import.meta.url));
const AGENT_BIN = join(root, 'bin/farmhand-agent.js');
const FARMHAND_BIN = join(root, 'bin/farmhand.js');
const prefix = `fhr${process.pid}`;

async function directRender(scene: string, outDir: string, scratch: string): Promise<void> {
  const env = { ...process.env, HOME: scratch, XDG_CACHE_HOME: scratch };
  const child = spawn('blender', ['-b', scene, '-noaudio', '--disable-autoexec', '-o', join(outDir, 'ref_####'), '-F', 'PNG', '-a'], { env, stdio: 'ignore' });
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0, 'direct blender render failed');
}

describe('rendering across a LAN of network namespaces', { timeout: 600_000 }, () => {
  let lan: Lan;
  let dir: string;
  let scene: string;
  const farmKey = generateFarmKey();

  before(async () => {
    assert.ok(await netnsAvailable(), 'the LAN tests need root and `ip netns` (iproute2)');
    assert.ok(existsSync(join(root, 'dist/node-agent/cli.js')), 'build first: npm run build');
    await cleanupLeftovers(prefix);
    lan = await createLan({ hosts: 4, prefix });
    dir = await mkdtemp(join(tmpdir(), 'fh-lan-'));
    scene = await makeTestScene(dir, { frames: 12, width: 64, height: 36, samples: 4 });
  });

  after(async () => {
    await lan?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const startAgent = (host: number, key = farmKey) => new Proc(lan.spawn(host, process.execPath, [
    AGENT_BIN, '--farm-key', key, '--data-dir', join(dir, `agent-h${host}-${Date.now()}`), '--name', `node-h${host}`,
    '--mdns-interface', lan.hosts[host]!.address, '--host', lan.hosts[host]!.address,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FARMHAND_FARM_KEY: '' } }));

  const startRender = (out: string, args: string[]) => new Proc(lan.spawn(0, process.execPath, [
    FARMHAND_BIN, 'render', scene, '--out', out, '--no-local-agent', '--mdns-interface', lan.hosts[0]!.address, '--json', ...args,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FARMHAND_HOME: join(dir, `home-${Date.now()}`), FARMHAND_FARM_KEY: farmKey, FARMHAND_MDNS_INTERFACE: '' } }));

  test('discovers both agents, both render, every frame equals a direct Blender render; a stranger is refused', async () => {
    const agents = [startAgent(1), startAgent(2)];
    const stranger = startAgent(3, generateFarmKey());
    try {
      await Promise.all([...agents, stranger].map((a) => a.waitFor(/listening on/, AGENT_FIRST_START_MS)));
      const out = join(dir, 'out-lan');
      const render = startRender(out, ['--chunk', '1']);
      const code = await render.exited;
      assert.equal(code, 0, `render failed:\n${render.text()}`);
      const summary = JSON.parse(render.lines.find((l) => l.text.startsWith('{'))!.text) as { framesOnDisk: number; frames: number };
      assert.equal(summary.frames, 12);
      assert.equal(summary.framesOnDisk, 12);

      // Both agents were found over mDNS and both rendered.
      for (const agent of agents) assert.match(agent.text(), /task \S+ attempt 1 started: blender/, 'an agent received no task');
      // The stranger was refused, never ran a task, and the user was told why.
      assert.doesNotMatch(stranger.text(), /started: blender/);
      assert.match(render.text(), /refused: .*belongs to a different farm/);

      const files = (await readdir(out)).sort();
      assert.deepEqual(files, Array.from({ length: 12 }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`));
      const ref = join(dir, 'ref');
      await directRender(scene, ref, join(dir, 'scratch'));
      for (let f = 1; f <= 12; f++) {
        const n = String(f).padStart(4, '0');
        assert.equal(await decodedPixelHash(join(out, `test-scene_${n}.png`)), await decodedPixelHash(join(ref, `ref_${n}.png`)), `frame ${f} differs from the direct render`);
      }
    } finally {
      for (const a of [...agents, stranger]) a.child.kill('SIGTERM');
      await Promise.all([...agents, stranger].map((a) => a.exited));
    }
  });

  test('kill -9 of an agent mid-job: noticed within 5 s, every frame still arrives exactly once', async () => {
    const agents = [startAgent(1), startAgent(2)];
    try {
      await Promise.all(agents.map((a) => a.waitFor(/listening on/, AGENT_FIRST_START_MS)));
      const out = join(dir, 'out-kill');
      const home = join(dir, `home-kill`);
      const render = new Proc(lan.spawn(0, process.execPath, [
        FARMHAND_BIN, 'render', scene, '--out', out, '--no-local-agent', '--mdns-interface', lan.hosts[0]!.address, '--json', '--chunk', '2',
      ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FARMHAND_HOME: home, FARMHAND_FARM_KEY: farmKey, FARMHAND_MDNS_INTERFACE: '' } }));
      const victim = agents[0]!;
      await victim.waitFor(/started: blender/, 60_000);
      const killedAt = Date.now();
      process.kill(-victim.child.pid!, 'SIGKILL'); // the agent and its Blender, like a machine dying
      const noticed = await render.waitFor(/Agent node-h1 went offline/, 10_000);
      const detectionMs = noticed.t - killedAt;
      console.log(`agent loss noticed after ${detectionMs} ms`);
      assert.ok(detectionMs < 5000, `loss noticed after ${detectionMs} ms`);

      assert.equal(await render.exited, 0, `render failed:\n${render.text()}`);
      const files = (await readdir(out)).sort();
      assert.deepEqual(files, Array.from({ length: 12 }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`), 'exactly the 12 frames, no leftovers');
      // Exactly once in the store as well: each frame collected by exactly one task.
      const store = await JobStore.open(home);
      const [job] = store.jobs();
      await store.close();
      assert.ok(job, 'the job is in the store');
      const collected = job.tasks.flatMap((t) => t.collected).sort();
      assert.deepEqual(collected, files);
      assert.ok(job.tasks.every((t) => t.state === 'succeeded' && t.failures === 0));
      assert.match(agents[1]!.text(), /started: blender/);
    } finally {
      for (const a of agents) a.child.kill('SIGTERM');
      await Promise.all(agents.map((a) => Promise.race([a.exited, new Promise((r) => setTimeout(r, 3000))])));
    }
  });

  test('an agent cut off the network (silence, no close) is marked offline by the heartbeat within 5 s', async () => {
    const agents = [startAgent(1), startAgent(2)];
    try {
      await Promise.all(agents.map((a) => a.waitFor(/listening on/, AGENT_FIRST_START_MS)));
      const out = join(dir, 'out-silence');
      const render = startRender(out, ['--chunk', '2']);
      const victim = agents[0]!;
      await victim.waitFor(/started: blender/, 60_000);
      const cutAt = Date.now();
      await lan.netem(1, 'loss 100%');
      const noticed = await render.waitFor(/Agent node-h1 went offline/, 10_000);
      const detectionMs = noticed.t - cutAt;
      console.log(`silent agent noticed after ${detectionMs} ms`);
      assert.ok(detectionMs < 5000, `loss noticed after ${detectionMs} ms`);
      await lan.netem(1, 'clear'); // it comes back: whatever it finished meanwhile is stale or collected, never doubled
      assert.equal(await render.exited, 0, `render failed:\n${render.text()}`);
      const files = (await readdir(out)).sort();
      assert.deepEqual(files, Array.from({ length: 12 }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`));
    } finally {
      for (const a of agents) a.child.kill('SIGTERM');
      await Promise.all(agents.map((a) => Promise.race([a.exited, new Promise((r) => setTimeout(r, 3000))])));
    }
  });
});
