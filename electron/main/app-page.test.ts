import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_INDEX_URL, isAppUrl, resolveUiRequest } from './app-page.js';

test('only app://farmhand/ is the app', () => {
  assert.ok(isAppUrl(APP_INDEX_URL));
  assert.ok(isAppUrl('app://farmhand/app.js?x#y'));
  for (const url of ['app://other/index.html', 'app://farmhand:81/index.html', 'app://u@farmhand/', 'file:///index.html', 'https://farmhand/', 'devtools://devtools/', 'not a url', '']) {
    assert.ok(!isAppUrl(url), url);
  }
});

test('requests resolve to files of the UI folder only, with the CSP and the content type', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-ui-'));
  try {
    const ui = join(dir, 'renderer');
    await mkdir(ui);
    await writeFile(join(ui, 'index.html'), '<!doctype html>');
    await writeFile(join(ui, 'app.js'), '');
    await writeFile(join(dir, 'secret.txt'), 'no');
    await symlink(join(dir, 'secret.txt'), join(ui, 'link.txt'));
    const index = await resolveUiRequest(ui, 'app://farmhand/');
    assert.equal(index.status, 200);
    assert.equal(index.status === 200 && index.path, join(ui, 'index.html'));
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(index.headers['content-security-policy']!, /script-src 'self'/);
    assert.doesNotMatch(index.headers['content-security-policy']!, /unsafe|ws:/);
    assert.equal((await resolveUiRequest(ui, 'app://farmhand/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
    for (const url of ['app://farmhand/../secret.txt', 'app://farmhand/%2e%2e/secret.txt', 'app://farmhand/link.txt', 'app://farmhand/missing.js', 'app://farmhand/..%2fsecret.txt']) {
      assert.equal((await resolveUiRequest(ui, url)).status, 404, url);
    }
    assert.equal((await resolveUiRequest(ui, 'app://evil/index.html')).status, 403);
    const unbuilt = await resolveUiRequest(join(dir, 'nothing'), 'app://farmhand/index.html');
    assert.match(unbuilt.status !== 200 ? unbuilt.text : '', /npm run build/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
