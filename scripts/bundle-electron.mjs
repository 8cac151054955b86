#!/usr/bin/env node
// Bundles the desktop app's main process and preload (TypeScript sources, electron/main and
// electron/preload) with esbuild into dist/electron-app/, with the tray and app icons beside
// them. `electron` stays external (Electron provides it). The preload must be one CommonJS
// file: a sandboxed preload cannot load modules of its own. Run after the renderer's build for
// a complete app (`npm run build`); `npm start` then opens dist/electron-app/main.js.
//
//   node scripts/bundle-electron.mjs [OUT_DIR]   (default dist/electron-app)
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outdir = process.argv[2] ?? join(root, 'dist/electron-app');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, 'icons'), { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  // Electron 41's Node and V8 are at least this new (the preload runs in its Chromium).
  target: 'node22',
  external: ['electron', 'bufferutil', 'utf-8-validate'],
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { main: join(root, 'electron/main/main.ts') },
    outdir,
    format: 'esm',
    splitting: true,
    // Some dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as farmhandCreateRequire } from 'node:module'; const require = farmhandCreateRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: [join(root, 'electron/preload/preload.ts')],
    outfile: join(outdir, 'preload.cjs'),
    format: 'cjs',
    // The sandbox has no Node modules: anything beyond `electron` inlined here must be browser-safe.
    platform: 'browser',
  }),
]);

const icons = join(root, 'assets/icons');
for (const name of readdirSync(icons).filter((n) => n.endsWith('.png'))) cpSync(join(icons, name), join(outdir, 'icons', name));
