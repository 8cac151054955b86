import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { freePort } from '../helpers/free-port.js';
import { Proc } from '../helpers/proc.js';

// kill -9 of an agent process while Blender renders for it, then the agent starts again with
// the same data folder: the Blender it left behind is stopped (it would render for nobody),
// the controller requeues the lost task without charging an attempt, and the job finishes
// with every frame exactly once.

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const FRAMES = 6;

describe('agent killed mid-task and restarted', { timeout: 180_000 }, () => {
  let dir: string;
  let scene: string;
  before(async () => {
    assert.ok(existsSync(join(root, 'dist/bundle/farmhand.cjs')), 'build first: npm run build');
    dir = await mkdtemp(join(tmpdir(), 'fh-agent-restart-'));
    scene = await makeTestScene(dir, { frames: FRAMES, width: 64, height: 36, samples: 32 });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('its orphaned Blender is stopped, the task runs again, every frame arrives once', async () => {
    const farmKey = generateFarmKey();
    const port = await freePort();
    const env = { ...process.env, FARMHAND_FARM_KEY: farmKey, FARMHAND_HOME: join(dir, 'home'), HOME: join(dir, 'scratch'), XDG_CACHE_HOME: join(dir, 'scratch') };
    const startAgent = () => new Proc(spawn(process.execPath, [join(root, 'bin/farmhand-agent.js'), '--no-mdns', '--host', '127.0.0.1', '--port', String(port),
      '--data-dir', join(dir, 'agent')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let agent = startAgent();
    const out = join(dir, 'out');
    const render = new Proc(spawn(process.execPath, [join(root, 'bin/farmhand.js'), 'render', scene, '--out', out, '--chunk', String(FRAMES),
      '--no-discover', '--no-local-agent', '--agent', `wss://127.0.0.1:${port}`, '--agent-wait', '60', '--json'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      await agent.waitFor(/started: blender/, 30_000);
      const blenderPid = await blenderOf(join(dir, 'agent'));
      assert.ok(blenderPid, 'Blender runs for the agent');
      agent.child.kill('SIGKILL');
      await agent.exited;
      assert.ok(await running(blenderPid), 'killed with SIGKILL, the agent leaves its Blender running');

      agent = startAgent();
      await agent.waitFor(/stopped 1 render process group/, 20_000);
      assert.ok(await gone(blenderPid), 'the restarted agent stopped the orphaned Blender');

      assert.equal(await render.exited, 0, render.text());
      const summary = JSON.parse(render.lines.find((l) => l.text.startsWith('{'))!.text) as { framesOnDisk: number; job: { failedCount: number } };
      assert.equal(summary.framesOnDisk, FRAMES);
      assert.deepEqual((await readdir(out)).filter((n) => !n.startsWith('.')).sort(), Array.from({ length: FRAMES }, (_, i) => `test-scene_${String(i + 1).padStart(4, '0')}.png`));
      assert.match(render.text(), /went offline/, 'the user was told the agent was lost');
      assert.match(agent.text(), /attempt 2 started: blender/, 'the lost task ran again as a new attempt on the restarted agent');
    } finally {
      agent.child.kill('SIGTERM');
      render.child.kill('SIGTERM');
      await Promise.all([agent.exited, render.exited]);
    }
  });
});

/** The pid of a Blender whose command line names the agent's data folder (its scene is in the input cache there). */
async function blenderOf(agentDir: string): Promise<number | null> {
  for (let i = 0; i < 50; i++) {
    const { stdout } = await run('pgrep', ['-f', `blender -b ${agentDir}/`]).catch(() => ({ stdout: '' }));
    const pid = Number(stdout.trim().split('\n')[0]);
    if (pid > 0) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/** Running, not a zombie (a killed process can linger as one until it is reaped). */
async function running(pid: number): Promise<boolean> {
  const state = await run('ps', ['-o', 'stat=', '-p', String(pid)]).then(({ stdout }) => stdout.trim(), () => '');
  return state !== '' && !state.startsWith('Z');
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    if (!(await running(pid))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
