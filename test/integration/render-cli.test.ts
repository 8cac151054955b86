import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { makeTestScene } from '../fixtures/test-scene.js';

// `farmhand render` as a user runs it (the built CLI, a real local agent on loopback, no
// discovery): it renders, and bad input fails fast with one sentence naming the problem.

const root = fileURLToPath(new URL('../..', import.meta.url));
const FARMHAND = join(root, 'bin/farmhand.js');

function farmhand(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [FARMHAND, ...args], { cwd: root, env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr, ms: Date.now() - started });
  }));
}

function assertOneSentence(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.equal(stderr.trim().split('\n').length, 1, `one line, got:\n${stderr}`);
}

describe('farmhand render (CLI)', { timeout: 300_000 }, () => {
  let dir: string;
  let scene: string;
  let env: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-cli-'));
    scene = await makeTestScene(dir, { frames: 4 });
    env = { FARMHAND_HOME: join(dir, 'home') };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('renders on the embedded local agent and exits 0 with every frame on disk', async () => {
    const out = join(dir, 'out');
    const r = await farmhand(['render', scene, '--no-discover', '--frames', '2-4', '--chunk', '2', '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['test-scene_0002.png', 'test-scene_0003.png', 'test-scene_0004.png']);
    assert.match(r.stderr, /Done: 3 frame\(s\)/);
    // A second render of the same scene sends the scene nothing new: the agent's cache has it.
    const again = await farmhand(['render', scene, '--no-discover', '--frames', '1', '--out', join(dir, 'out2')], env);
    assert.equal(again.code, 0, again.stderr);
    const cached = await readdir(join(dir, 'home', 'local-agent', 'inputs'));
    assert.equal(cached.filter((f) => /^[0-9a-f]{64}$/.test(f)).length, 1);
    // Even the last task's outputs were acknowledged before the command exited: the agent holds nothing.
    assert.deepEqual(await readdir(join(dir, 'home', 'local-agent', 'held')), []);
  });

  test('a missing .blend fails at once, naming the file', async () => {
    const r = await farmhand(['render', join(dir, 'nope.blend'), '--no-discover'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /The scene file ".*nope\.blend" does not exist/);
    assertOneSentence(r.stderr);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  test('a file that is not a .blend fails at once, naming the file', async () => {
    const fake = join(dir, 'notes.blend');
    await writeFile(fake, 'these are not the frames you are looking for\n');
    const r = await farmhand(['render', fake, '--no-discover'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /notes\.blend" is not a Blender \.blend file/);
    assertOneSentence(r.stderr);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  test('a truncated .blend fails quickly with Blender\'s reason, naming the file', async () => {
    const whole = await readFile(scene);
    const truncated = join(dir, 'truncated.blend');
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = await farmhand(['render', truncated, '--no-discover'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /truncated\.blend/);
    assertOneSentence(r.stderr);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  });

  test('bad options are one-sentence errors', async () => {
    const frames = await farmhand(['render', scene, '--no-discover', '--frames', '1-x'], env);
    assert.equal(frames.code, 2);
    assert.match(frames.stderr, /Frame list "1-x"/);
    assertOneSentence(frames.stderr);
    const huge = await farmhand(['render', scene, '--no-discover', '--frames', '1-1000000000'], env);
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /1,000,000,000 frames/);
    const key = await farmhand(['render', scene, '--no-discover', '--farm-key', 'hunter2'], env);
    assert.equal(key.code, 2);
    assert.match(key.stderr, /farm key from --farm-key is malformed/);
    assertOneSentence(key.stderr);
  });

  test('with no agent able to run the job it says so instead of waiting forever', async () => {
    const r = await farmhand(['render', scene, '--no-discover', '--no-local-agent', '--agent-wait', '1', '--out', join(dir, 'none')], env, 30_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No agent can run this job: no agents online\. Start an agent/);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  });
});
