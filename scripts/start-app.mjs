#!/usr/bin/env node
// `npm start`: opens the desktop app (dist/electron-app/main.js) in the Electron that npm
// installed, passing on any arguments (files to open, --no-discover, --no-local-agent). Says
// what to do when the bundles are not built or Electron's binary is missing, rather than
// Electron's own "failed to install correctly".
//
//   npm start [-- FILE… --no-discover]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const main = join(root, 'dist/electron-app/main.js');
if (!existsSync(main) || !existsSync(join(root, 'dist/renderer/index.html'))) {
  console.error('farmhand: the desktop app is not built; run `npm run build`, then `npm start` again.');
  process.exit(1);
}
let electron;
try {
  electron = createRequire(import.meta.url)('electron'); // the binary's path, from the electron package
} catch {
  console.error('farmhand: the Electron binary is not installed (it is downloaded by the electron package\'s install script, which ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips); run `node node_modules/electron/install.js` with access to github.com, or run the farm headless with `npx farmhand controller`.');
  process.exit(1);
}
const child = spawn(electron, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
