#!/usr/bin/env node
// Builds the desktop UI (renderer/) for the browser into dist/renderer/: index.html, app.js,
// app.css (and source maps). Everything the page needs is in those files: nothing is loaded
// from another origin, which the Content-Security-Policy the controller sends would refuse.
//
//   node scripts/build-renderer.mjs [OUT_DIR]   (default dist/renderer)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outdir = process.argv[2] ?? join(root, 'dist/renderer');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'renderer/src/main.tsx') },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Chromium of the Electron shell and current browsers.
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

// The page must not reach into Node: a node: import would fail at run time in a browser.
const nodeImports = Object.values(result.metafile.inputs).flatMap((i) => i.imports).filter((i) => i.path.startsWith('node:'));
if (nodeImports.length) {
  console.error(`build-renderer: the renderer imports Node modules (${[...new Set(nodeImports.map((i) => i.path))].join(', ')}); import only types and browser-safe code from the controller.`);
  process.exit(1);
}

copyFileSync(join(root, 'renderer/index.html'), join(outdir, 'index.html'));
const html = readFileSync(join(outdir, 'index.html'), 'utf8');
if (/(src|href)="(https?:)?\/\//i.test(html)) {
  console.error('build-renderer: renderer/index.html refers to another origin; bundle the file instead.');
  process.exit(1);
}
