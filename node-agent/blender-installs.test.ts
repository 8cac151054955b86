import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blenderCandidates, distinctBlenders, MAX_BLENDERS, scanBlenderDir } from './blender-installs.js';

// Where the agent's Blenders are: the scan of --blender-dir (which subfolders count, in which
// order), repeated --blender before the folders, and which probed Blenders are advertised.
// The scan only looks for executable files; nothing here runs them.

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'fh-blender-installs-'))));
after(() => rm(dir, { recursive: true, force: true }));

async function executable(path: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
  return path;
}

describe('--blender-dir', () => {
  test('each subfolder holding a blender executable is one install, in version-aware name order', async () => {
    const root = join(dir, 'installs');
    const v410 = await executable(join(root, 'blender-4.1.0-linux-x64/blender'));
    const v3100 = await executable(join(root, 'blender-3.10.0-linux-x64/blender'));
    const v365 = await executable(join(root, 'blender-3.6.5-linux-x64/blender'));
    await mkdir(join(root, 'docs'), { recursive: true }); // no executable: not an install
    await writeFile(join(root, 'blender-4.2.0-linux-x64.tar.xz'), 'x'); // a file, not a folder
    await mkdir(join(root, 'blender-4.0.0-linux-x64'), { recursive: true });
    await writeFile(join(root, 'blender-4.0.0-linux-x64/blender'), '#!/bin/sh\n'); // not executable
    assert.deepEqual(scanBlenderDir(root, 'linux'), { installs: [v365, v3100, v410] });
  });

  test('a subfolder reached through a symbolic link counts', async () => {
    const root = join(dir, 'linked');
    await executable(join(dir, 'elsewhere/blender-3.4.1/blender'));
    await mkdir(root, { recursive: true });
    await symlink(join(dir, 'elsewhere/blender-3.4.1'), join(root, 'blender-3.4'));
    assert.deepEqual(scanBlenderDir(root, 'linux'), { installs: [join(root, 'blender-3.4/blender')] });
  });

  test('a folder that is missing, a file, or holds no install is a warning naming it and the fix', async () => {
    const missing = join(dir, 'no-such-folder');
    assert.deepEqual(scanBlenderDir(missing, 'linux'), {
      installs: [], problem: `--blender-dir ${missing} was not found; this agent uses the other Blenders it was given.`,
    });
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    assert.equal(scanBlenderDir(file, 'linux').problem, `--blender-dir ${file} is not a folder; this agent uses the other Blenders it was given.`);
    const empty = join(dir, 'empty');
    await mkdir(join(empty, 'docs'), { recursive: true });
    assert.deepEqual(scanBlenderDir(empty, 'linux'), {
      installs: [],
      problem: `--blender-dir ${empty} holds no Blender install (a subfolder with a blender executable, like blender-4.1.0-linux-x64/blender); pass the executable with --blender instead.`,
    });
  });

  test('the executable is looked for where each platform keeps it', async () => {
    const root = join(dir, 'platforms');
    const win = await executable(join(root, 'blender-4.1.0-windows-x64/blender.exe'));
    const mac = await executable(join(root, 'Blender 4.1/Blender.app/Contents/MacOS/Blender'));
    assert.deepEqual(scanBlenderDir(root, 'win32').installs, [win]);
    assert.deepEqual(scanBlenderDir(root, 'darwin').installs, [mac]);
    assert.deepEqual(scanBlenderDir(root, 'linux').installs, []);
  });
});

describe('repeated --blender and --blender-dir', () => {
  test('the --blender paths come first, in the order given, then each folder\'s installs', async () => {
    const root = join(dir, 'mixed');
    const a = await executable(join(root, 'blender-3.6.5/blender'));
    const b = await executable(join(root, 'blender-4.1.0/blender'));
    const warnings: string[] = [];
    assert.deepEqual(
      blenderCandidates({ paths: ['/opt/b2/blender', 'blender-3.4'], dirs: [root, join(dir, 'gone')] }, warnings, 'linux'),
      ['/opt/b2/blender', 'blender-3.4', a, b],
    );
    assert.deepEqual(warnings, [`--blender-dir ${join(dir, 'gone')} was not found; this agent uses the other Blenders it was given.`]);
  });

  test('neither option: undefined, so the agent looks at FARMHAND_BLENDER and PATH as before', () => {
    assert.equal(blenderCandidates({}, []), undefined);
    assert.equal(blenderCandidates({ paths: [], dirs: [] }, []), undefined);
  });
});

describe('the Blenders advertised', () => {
  const probed = (path: string, version: string, realPath = path) => ({ path, realPath, version });

  test('in the order given; one file under two names counts once; of two with one version the first is kept', () => {
    const warnings: string[] = [];
    const installs = distinctBlenders([
      probed('/usr/bin/blender', '3.4.1'),
      probed('/opt/blender-4.1/blender', '4.1.0'),
      probed('/usr/local/bin/blender', '3.4.1', '/usr/bin/blender'),
      probed('/opt/copy-of-4.1/blender', '4.1.0'),
    ], warnings);
    assert.deepEqual(installs, [
      { path: '/usr/bin/blender', version: '3.4.1', devices: [] },
      { path: '/opt/blender-4.1/blender', version: '4.1.0', devices: [] },
    ]);
    assert.deepEqual(warnings, [
      'Blender at /usr/local/bin/blender is the same file as /usr/bin/blender, which is used; it is left out.',
      'Blender at /opt/copy-of-4.1/blender reports the same version (4.1.0) as /opt/blender-4.1/blender, which is used; it is left out.',
    ]);
  });

  test(`at most ${MAX_BLENDERS}, the rest left out with a line each`, () => {
    const warnings: string[] = [];
    const many = Array.from({ length: MAX_BLENDERS + 2 }, (_, i) => probed(`/b/${i}/blender`, `4.${i}.0`));
    const installs = distinctBlenders(many, warnings);
    assert.equal(installs.length, MAX_BLENDERS);
    assert.equal(installs.at(-1)!.path, `/b/${MAX_BLENDERS - 1}/blender`);
    assert.deepEqual(warnings, [
      `Blender at /b/${MAX_BLENDERS}/blender is left out: an agent advertises at most ${MAX_BLENDERS} Blenders.`,
      `Blender at /b/${MAX_BLENDERS + 1}/blender is left out: an agent advertises at most ${MAX_BLENDERS} Blenders.`,
    ]);
  });

  test('the devices a probe found travel with their Blender', () => {
    const device = { backend: 'CUDA' as const, id: 'CUDA_0', name: 'GPU' };
    assert.deepEqual(distinctBlenders([{ ...probed('/b/blender', '4.1.0'), devices: [device] }], []), [{ path: '/b/blender', version: '4.1.0', devices: [device] }]);
  });
});
