#!/usr/bin/env node
// Bundles the two command-line programs (after `tsc`) into dist/bundle/ with esbuild. One
// file per program loads ~0.1 s faster than ~150 modules resolved one by one, and every
// `farmhand render` pays that start-up before Blender can begin. Dynamic imports stay
// separate chunks (the agent starts its tool probe before it loads the rest).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

//   node scripts/bundle.mjs [BUILD_DIR]   (default dist/; writes BUILD_DIR/bundle/)
const root = new URL('..', import.meta.url).pathname;
const from = process.argv[2] ?? `${root}dist`;
const outdir = `${from}/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { farmhand: `${from}/electron/cli/farmhand.js`, 'farmhand-agent': `${from}/node-agent/cli.js` },
  // Packages resolve from the project's node_modules wherever BUILD_DIR is.
  nodePaths: [`${root}node_modules`],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  // Native add-ons load from node_modules as they are; ws falls back to plain JS without them.
  external: ['bufferutil', 'utf-8-validate'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as farmhandCreateRequire } from 'node:module'; const require = farmhandCreateRequire(import.meta.url);" },
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
