import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { connectApi, type ApiClient } from '../../electron/controller/api/api-client.js';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { freePort } from '../helpers/free-port.js';
import { decodedPixelHash } from '../helpers/pixels.js';
import { AGENT_FIRST_START_MS, Proc } from '../helpers/proc.js';

// kill -9 of `farmhand controller` in the middle of a Blender job, with two agent processes
// on loopback that keep rendering while it is down. After a restart the job must finish by
// itself with every frame exactly once: frames collected before the crash stay, frames the
// agents finished during the outage are collected from what they hold (not rendered again),
// and no task runs a second time anywhere.

const root = fileURLToPath(new URL('../..', import.meta.url));
const FRAMES = 10;

describe('controller crash and restart (kill -9)', { timeout: 240_000 }, () => {
  let dir: string;
  let scene: string;
  before(async () => {
    assert.ok(existsSync(join(root, 'dist/bundle/farmhand.cjs')), 'build first: npm run build');
    dir = await mkdtemp(join(tmpdir(), 'fh-crash-'));
    scene = await makeTestScene(dir, { frames: FRAMES, width: 64, height: 36, samples: 24 });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the job resumes by itself; outputs finished during the outage are collected, nothing renders twice', async () => {
    const farmKey = generateFarmKey();
    const home = join(dir, 'home');
    const out = join(dir, 'out');
    const ports = [await freePort(), await freePort()];
    const env = { ...process.env, FARMHAND_HOME: home, FARMHAND_FARM_KEY: farmKey, FARMHAND_MDNS_INTERFACE: '127.0.0.1', HOME: join(dir, 'scratch'), XDG_CACHE_HOME: join(dir, 'scratch') };
    const agents = ports.map((port, i) => new Proc(spawn(process.execPath, [join(root, 'bin/farmhand-agent.js'), '--no-mdns', '--host', '127.0.0.1', '--port', String(port),
      '--data-dir', join(dir, `agent-${i}`), '--name', `agent-${i}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })));
    const startController = () => new Proc(spawn(process.execPath, [join(root, 'bin/farmhand.js'), 'controller', '--port', '0', '--no-discover', '--no-local-agent',
      ...ports.flatMap((p) => ['--agent', `wss://127.0.0.1:${p}`])], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let controller = startController();
    let client: ApiClient | null = null;
    try {
      await Promise.all(agents.map((a) => a.waitFor(/listening on/, AGENT_FIRST_START_MS)));
      const url = /listening on (ws:\S+)/.exec((await controller.waitFor(/listening on ws:/, 20_000)).text)![1]!;
      const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
      client = await connectApi(url, token);
      await waitUntil(async () => (await client!.call('agents.list', {})).filter((a) => a.online).length === 2, 'both agents online', 15_000);
      const job = await client.call('jobs.submit', { type: 'render', scenePath: scene, frames: `1-${FRAMES}`, chunkSize: 1, outputDir: out });

      // Frames arrive as Blender saves them (live), so wait also until an agent is on a task whose
      // frame is not in yet: that one renders during the outage and must be collected afterwards.
      await waitUntil(async () => {
        const have = (await frames(out)).length;
        return have >= 2 && startedTasks(agents).length > have;
      }, 'two frames collected and a task rendering', 60_000);
      controller.child.kill('SIGKILL');
      await controller.exited;
      const killedAt = Date.now();
      await client.close().catch(() => undefined);
      client = null;
      const beforeCrash = new Set(await frames(out));
      const startedBeforeCrash = startedTasks(agents).filter((s) => s.t <= killedAt).map((s) => s.taskId);

      // The agents go on with what they were given; give them time to finish it while no controller is there.
      await new Promise((r) => setTimeout(r, 4000));
      assert.deepEqual(new Set(await frames(out)), beforeCrash, 'nothing is written while the controller is down');

      // One agent comes back late (stopped, as if slow to reconnect): the other must not be
      // handed the tasks it ran or holds in the meantime.
      agents[1]!.child.kill('SIGSTOP');
      controller = startController();
      const url2 = /listening on (ws:\S+)/.exec((await controller.waitFor(/listening on ws:/, 20_000)).text)![1]!;
      await new Promise((r) => setTimeout(r, 3000));
      agents[1]!.child.kill('SIGCONT');
      assert.match(controller.text(), /1 job\(s\) from the store/);
      client = await connectApi(url2, (await readFile(join(home, 'api-token'), 'utf8')).trim());
      await waitUntil(async () => (await client!.call('jobs.get', { jobId: job.id })).state === 'succeeded', 'the job to finish after the restart', 120_000);

      // Every frame exactly once in the folder, none missing, no leftovers.
      const names = Array.from({ length: FRAMES }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`);
      assert.deepEqual((await readdir(out)).filter((n) => !n.startsWith('.')).sort(), names);
      // No task ran twice on any agent, and the controller never charged a second attempt.
      const started = startedTasks(agents);
      assert.equal(started.length, FRAMES, `tasks started on agents:\n${started.map((s) => s.text).join('\n')}`);
      assert.equal(new Set(started.map((s) => s.taskId)).size, FRAMES);
      const tasks = await client.call('tasks.list', { jobId: job.id });
      assert.ok(tasks.items.every((t) => t.attempt === 1 && t.state === 'succeeded'), JSON.stringify(tasks.items.map((t) => [t.label, t.attempt, t.state])));
      // Tasks that were running at the crash finished during the outage and were collected afterwards.
      const collectedLater = tasks.items.filter((t) => startedBeforeCrash.includes(t.id) && !t.outputs.some((o) => beforeCrash.has(o)));
      assert.ok(collectedLater.length >= 1, 'at least one frame rendered during the outage was collected from the agent after the restart');
      // The frames are the scene's frames: decoded pixels equal a direct Blender render.
      const ref = join(dir, 'ref');
      await directRender(scene, ref, join(dir, 'scratch'));
      for (const [i, name] of names.entries()) {
        assert.equal(await decodedPixelHash(join(out, name)), await decodedPixelHash(join(ref, `ref_${String(i + 1).padStart(4, '0')}.png`)), `${name} differs from the direct render`);
      }
      // The agents hold nothing back: every output was acknowledged.
      for (const i of [0, 1]) assert.deepEqual(await readdir(join(dir, `agent-${i}`, 'held')), [], `agent ${i} still holds outputs`);
    } finally {
      await client?.close().catch(() => undefined);
      controller.child.kill('SIGTERM');
      for (const a of agents) {
        a.child.kill('SIGCONT');
        a.child.kill('SIGTERM');
      }
      await Promise.all([controller.exited, ...agents.map((a) => a.exited)]);
    }
  });
});

async function frames(out: string): Promise<string[]> {
  return (await readdir(out).catch(() => [] as string[])).filter((n) => n.endsWith('.png'));
}

function startedTasks(agents: Proc[]): { t: number; taskId: string; text: string }[] {
  return agents.flatMap((a) => a.lines.flatMap((l) => {
    const m = /task (\S+) attempt \d+ started/.exec(l.text);
    return m ? [{ t: l.t, taskId: m[1]!, text: l.text }] : [];
  }));
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function directRender(scene: string, outDir: string, scratch: string): Promise<void> {
  const child = spawn('blender', ['-b', scene, '-noaudio', '--disable-autoexec', '-o', join(outDir, 'ref_####'), '-F', 'PNG', '-a'],
    { env: { ...process.env, HOME: scratch, XDG_CACHE_HOME: scratch }, stdio: 'ignore' });
  assert.equal(await new Promise((r) => child.once('exit', r)), 0, 'direct blender render failed');
}
