import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { packAppDir, readFuses } from '../helpers/packaged-app.js';

// The release configuration's fuses, read back from the app packed around the real Electron
// binary. That binary is downloaded separately from the npm package; where it is missing the
// test is skipped and says why (test/integration/app-package-fuses.test.ts checks the same
// configuration on a stand-in here).

function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as string;
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const why = binary ? false : 'the Electron binary is not installed (npm was run with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed); install it with `node node_modules/electron/install.js` where github.com is reachable';
if (why) console.log(`# packaged-fuses skipped: ${why}`);

let dir: string | undefined;
after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

test('the app packed with the real Electron holds the fuses of build/electron-builder.yml', { skip: why, timeout: 300_000 }, async () => {
  dir = await mkdtemp(join(tmpdir(), 'fh-packaged-fuses-'));
  const packed = await packAppDir(dirname(binary!), join(dir, 'release'));
  const { actual, expected } = await readFuses(packed.executable);
  assert.deepEqual(actual, expected);
});
