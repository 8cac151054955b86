import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { AgentView, JobDetail, JobSummary, TaskView } from '../../electron/controller/api/contract.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { freePort } from '../helpers/free-port.js';
import { runCommand } from '../helpers/run-command.js';

// `farmhand controller` and its client commands as a user runs them: the built CLI, a real
// local agent on loopback, no discovery. Jobs go in with `submit`, are looked at, steered
// and followed, and every mistake (unknown id, wrong token, nothing running) is one
// sentence and exit code 2.

const root = fileURLToPath(new URL('../..', import.meta.url));
const FARMHAND = join(root, 'bin/farmhand.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function farmhand(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return runCommand([process.execPath, FARMHAND], args, { cwd: root, env, timeoutMs });
}

function json<T>(r: Run): T {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function assertUserError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got:\n${r.stderr}`);
}

/** Starts `farmhand controller` and resolves with its URL once it listens. */
async function startController(env: Record<string, string>, args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [FARMHAND, 'controller', '--port', '0', '--no-discover', ...args], { cwd: root, env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the controller printed no URL within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      const m = /listening on (ws:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`the controller exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

describe('farmhand controller and its client commands', { timeout: 300_000 }, () => {
  let dir: string;
  let scene: string;
  let env: Record<string, string>;
  let controller: Awaited<ReturnType<typeof startController>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-cli-client-'));
    scene = await makeTestScene(dir, { frames: 2 });
    const home = join(dir, 'home');
    controller = await startController({ FARMHAND_HOME: home }, ['--output-root', join(dir, 'out')]);
    env = { FARMHAND_HOME: home, FARMHAND_URL: controller.url };
  });
  after(async () => {
    if (controller?.child.exitCode === null) controller.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('the controller reports its real port and where its token is', async () => {
    assert.match(controller.url, /^ws:\/\/127\.0\.0\.1:\d+\/api$/);
    assert.doesNotMatch(controller.url, /:0\//);
    for (let i = 0; i < 50 && !controller.stderr().includes('API token'); i++) await new Promise((r) => setTimeout(r, 20)); // stderr is another pipe
    assert.match(controller.stderr(), new RegExp(`API token: ${join(dir, 'home', 'api-token').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });

  test('agents --json lists the local agent, online', async () => {
    const deadline = Date.now() + 15_000;
    let agents: AgentView[] = [];
    while (Date.now() < deadline) {
      agents = json<AgentView[]>(await farmhand(['agents', '--json'], env));
      if (agents.some((a) => a.online)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(agents.length, 1);
    assert.equal(agents[0]!.name, 'this machine');
    assert.equal(agents[0]!.online, true);
    const human = await farmhand(['agents'], env);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^ID\s+NAME\s+URL\s+STATE/);
    assert.match(human.stdout, /this machine\s+wss:\/\/127\.0\.0\.1:\d+\s+online/);
  });

  test('submit, jobs, job, watch, tasks and logs: a render from queue to frames on disk', async () => {
    const out = join(dir, 'render-out');
    const submitted = json<JobSummary>(await farmhand(['submit', scene, '--frames', '1-2', '--chunk', '1', '--out', out, '--json'], env));
    assert.equal(submitted.type, 'blender');
    assert.equal(submitted.taskCount, 2);

    const listed = json<JobSummary[]>(await farmhand(['jobs', '--json'], env));
    assert.ok(listed.some((j) => j.id === submitted.id), 'jobs lists the new job');

    const watched = await farmhand(['watch', submitted.id], env, 120_000);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, new RegExp(`Job ${submitted.id} succeeded: 2/2 task\\(s\\)`));
    assert.deepEqual((await readdir(out)).sort(), ['test-scene_0001.png', 'test-scene_0002.png']);

    const job = json<JobDetail>(await farmhand(['job', submitted.id, '--json'], env));
    assert.equal(job.state, 'succeeded');
    assert.equal(job.outputDir, out);
    assert.equal(job.progress, 1);

    const tasks = json<TaskView[]>(await farmhand(['tasks', submitted.id, '--json'], env));
    assert.deepEqual(tasks.map((t) => t.state), ['succeeded', 'succeeded']);
    const succeededOnly = json<TaskView[]>(await farmhand(['tasks', submitted.id, '--state', 'failed', '--json'], env));
    assert.deepEqual(succeededOnly, []);

    const log = json<{ taskId: string; attempt: number; lines: string[] }>(await farmhand(['logs', tasks[0]!.id, '--json'], env));
    assert.equal(log.attempt, 1);
    assert.ok(log.lines.some((l) => /Blender/.test(l)), `a Blender log, got ${log.lines.slice(0, 3).join(' | ')}`);

    const table = await farmhand(['jobs'], env);
    assert.match(table.stdout, new RegExp(`${submitted.id}\\s+test-scene\\S*\\s+blender\\s+succeeded\\s+2/2`));
  });

  test('a job no agent can take: pause, resume, priority, cancel, watch says canceled, delete', async () => {
    const submitted = json<JobSummary>(await farmhand(['submit', scene, '--frames', '1', '--tags', 'no-such-tag', '--out', join(dir, 'never'), '--json'], env));
    assert.equal(json<JobSummary>(await farmhand(['pause', submitted.id, '--json'], env)).state, 'paused');
    assert.equal(json<JobSummary>(await farmhand(['resume', submitted.id, '--json'], env)).state, 'queued');
    assert.equal(json<JobSummary>(await farmhand(['priority', submitted.id, '90', '--json'], env)).priority, 90);
    const canceled = await farmhand(['cancel', submitted.id], env);
    assert.equal(canceled.code, 0, canceled.stderr);
    const watched = await farmhand(['watch', submitted.id], env);
    assert.equal(watched.code, 1, 'a canceled job is not a success');
    assert.match(watched.stdout, new RegExp(`Job ${submitted.id} canceled`));
    assert.equal((await farmhand(['delete', submitted.id], env)).code, 0);
    assertUserError(await farmhand(['job', submitted.id], env), new RegExp(`There is no job ${submitted.id}`));
  });

  test('agent tags and enabling round-trip', async () => {
    const [agent] = json<AgentView[]>(await farmhand(['agents', '--json'], env));
    assert.deepEqual(json<AgentView>(await farmhand(['agents', 'tags', agent!.agentId, 'gpu,linux', '--json'], env)).tags, ['gpu', 'linux']);
    assert.equal(json<AgentView>(await farmhand(['agents', 'disable', agent!.agentId, '--json'], env)).enabled, false);
    assert.equal(json<AgentView>(await farmhand(['agents', 'enable', agent!.agentId, '--json'], env)).enabled, true);
    assert.equal(json<AgentView>(await farmhand(['agents', 'drain', agent!.agentId, '--json'], env)).enabled, false);
    const stopped = await farmhand(['agents', 'stop', agent!.agentId], env);
    assert.match(stopped.stdout, new RegExp(`Agent ${agent!.agentId} stopped; 0 task\\(s\\) went back to the queue`));
    assert.equal(json<AgentView>(await farmhand(['agents', 'enable', agent!.agentId, '--json'], env)).enabled, true);
    assert.deepEqual(json<AgentView>(await farmhand(['agents', 'tags', agent!.agentId, '', '--json'], env)).tags, []);
  });

  test('queue pause and resume hold the whole queue; queue says which', async () => {
    assert.deepEqual(json(await farmhand(['queue', 'pause', '--json'], env)), { queuePaused: true });
    const said = await farmhand(['queue'], env);
    assert.equal(said.code, 0, said.stderr);
    assert.equal(said.stdout, 'The queue is paused: no new task starts until `farmhand queue resume`; running tasks finish.\n');
    assert.deepEqual(json(await farmhand(['queue', '--json'], env)), { queuePaused: true });
    const resumed = await farmhand(['queue', 'resume'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^The queue is running/);
    assert.deepEqual(json(await farmhand(['queue', '--json'], env)), { queuePaused: false });
    assert.equal((await farmhand(['queue', 'hold'], env)).code, 2, 'an unknown verb is a usage error');
  });

  test('mistakes are one sentence and exit 2: unknown ids, wrong token, no token, bad options, nothing running', async () => {
    assertUserError(await farmhand(['job', 'nope'], env), /^farmhand: There is no job nope; list jobs with `farmhand jobs`\.$/m);
    assertUserError(await farmhand(['logs', 'nope.0'], env), /There is no task nope\.0/);
    assertUserError(await farmhand(['agents', 'disable', 'nope'], env), /There is no agent nope/);
    assertUserError(await farmhand(['jobs', '--token', 'not-the-token'], env), /The controller refused the token; use the one in .*api-token/);
    assertUserError(await farmhand(['jobs'], { ...env, FARMHAND_HOME: join(dir, 'elsewhere') }), /No API token was given and .*elsewhere\/api-token does not exist; pass --token/);
    assertUserError(await farmhand(['submit', scene, '--crf', '20'], env), /--crf applies to videos, and test-scene\.blend is a Blender scene/);
    assertUserError(await farmhand(['submit', join(dir, 'missing.blend')], env), /missing\.blend" does not exist/);
    assertUserError(await farmhand(['agents', 'add', 'http://somewhere'], env), /url is not valid \(give the agent as HOST:PORT or wss:\/\/HOST:PORT, e\.g\. 10\.0\.0\.5:7420\)/);
    assert.equal((await farmhand(['priority', 'x', '500'], env)).code, 2, 'commander usage errors are exit 2 too');
    const nowhere = `ws://127.0.0.1:${await freePort()}/api`;
    assertUserError(await farmhand(['jobs', '--url', nowhere], env), new RegExp(`No Farmhand controller is running at ${nowhere.replace(/[./]/g, '\\$&')}; start one with \`farmhand controller\`\\.`));
  });

  test('SIGTERM stops the controller cleanly', async () => {
    controller.child.kill('SIGTERM');
    const code = await Promise.race([controller.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    assert.equal(code, 0, controller.stderr());
    assert.match(controller.stderr(), /Stopped\.\s*$/);
    assertUserError(await farmhand(['jobs'], env), /No Farmhand controller is running at/);
  });
});
