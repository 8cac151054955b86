import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { filesFromArgv, isOpenableFile, OpenFileQueue, SCENE_EXTENSIONS, VIDEO_EXTENSIONS } from './open-files.js';

test('packaged: every argument after the executable that names a scene or a video', () => {
  const argv = ['/opt/Farmhand/farmhand', '/shots/a.blend', 'clips/Take 1.MOV', 'notes.txt', '/shots/a.blend', ''];
  assert.deepEqual(filesFromArgv(argv, { cwd: '/home/me', defaultApp: false }), ['/shots/a.blend', '/home/me/clips/Take 1.MOV']);
});

test('development (`electron main.js …`): the script is not a file to open', () => {
  assert.deepEqual(filesFromArgv(['/usr/lib/electron', 'dist/electron-app/main.js', 'x.blend'], { cwd: '/w', defaultApp: true }), ['/w/x.blend']);
  assert.deepEqual(filesFromArgv(['/usr/lib/electron', 'dist/electron-app/main.js'], { cwd: '/w', defaultApp: true }), []);
  // Switches before the script (Playwright's --inspect, --no-sandbox as root): the script is still not a file to open.
  assert.deepEqual(filesFromArgv(['/usr/lib/electron', '--inspect=0', '--no-sandbox', 'dist/electron-app/main.js', 'y.mkv'], { cwd: '/w', defaultApp: true }), ['/w/y.mkv']);
  assert.deepEqual(filesFromArgv(['/usr/lib/electron', '/app/dir.blend', 'z.blend'], { cwd: '/w', defaultApp: true }), ['/w/z.blend'], 'even an app folder named like a scene');
});

test('switches (ours or Chromium\'s on a second launch) and other URL schemes are skipped; file:// URLs become paths', () => {
  const argv = ['/app', '--allow-file-access-from-files', '--original-process-start-time=1', '-psn_0_123', 'file:///shots/my%20scene.blend', 'https://example.com/x.mp4', 'farmhand://open'];
  assert.deepEqual(filesFromArgv(argv, { cwd: '/', defaultApp: false }), ['/shots/my scene.blend']);
});

test('openable: scenes and common videos, any case', () => {
  for (const name of ['a.blend', 'a.BLEND', 'b.mp4', 'b.mkv', 'b.MoV', 'c.webm']) assert.ok(isOpenableFile(name), name);
  for (const name of ['a.blend1', 'a.png', 'a', '.blend.txt']) assert.ok(!isOpenableFile(name), name);
});

test('queue: files wait until the page listens, then go straight through; a reload holds them again', () => {
  const queue = new OpenFileQueue();
  const got: string[] = [];
  queue.open('/a.blend');
  queue.open('/a.blend');
  queue.open('/b.mp4');
  queue.ready((p) => got.push(p));
  queue.open('/c.mov');
  assert.deepEqual(got, ['/a.blend', '/b.mp4', '/c.mov']);
  queue.notReady();
  queue.open('/d.mkv');
  assert.equal(got.length, 3);
  queue.ready((p) => got.push(`again ${p}`));
  assert.deepEqual(got.slice(3), ['again /d.mkv']);
});

test('build/electron-builder.yml associates exactly the extensions the app opens', () => {
  const config = readFileSync(new URL('../../build/electron-builder.yml', import.meta.url), 'utf8');
  const associated = [...config.matchAll(/^\s*-?\s*ext:\s*\[([^\]]*)\]/gm)].flatMap((m) => m[1]!.split(',').map((e) => e.trim())).sort();
  assert.deepEqual(associated, [...SCENE_EXTENSIONS, ...VIDEO_EXTENSIONS].sort());
});
