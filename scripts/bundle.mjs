#!/usr/bin/env node
// Bundles the two command-line programs (after `tsc`) into dist/bundle/ with esbuild: one
// CommonJS file each, which bin/cached-bundle.js runs with V8's code cache. One file loads
// ~0.1 s faster than ~150 modules resolved one by one, and the cache saves most of the compile
// that is left; every `farmhand render` pays that start-up before Blender can begin. Modules
// loaded lazily (import()) stay lazy: they are only evaluated when first used.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

//   node scripts/bundle.mjs [BUILD_DIR]   (default dist/; writes BUILD_DIR/bundle/)
const root = new URL('..', import.meta.url).pathname;
const from = process.argv[2] ?? `${root}dist`;
const outdir = `${from}/bundle`;
rmSync(outdir, { recursive: true, force: true });

/**
 * zod's `z` namespace re-exports every locale (~300 KB, half the bundle), and V8 compiles
 * all of it on every start of `farmhand render` before Blender can begin. Farmhand's messages
 * are its own English sentences, so the bundle keeps zod's English locale (its default) only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-english-only' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

await build({
  plugins: [zodEnglishOnly],
  entryPoints: { farmhand: `${from}/electron/cli/farmhand.js`, 'farmhand-agent': `${from}/node-agent/cli.js` },
  // Packages resolve from the project's node_modules wherever BUILD_DIR is.
  nodePaths: [`${root}node_modules`],
  outdir,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  // Native add-ons load from node_modules as they are; ws falls back to plain JS without them.
  external: ['bufferutil', 'utf-8-validate'],
  // The sources are ES modules; the few that ask where they are get the bundle's own URL.
  define: { 'import.meta.url': '__farmhandModuleUrl' },
  banner: { js: 'const __farmhandModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
