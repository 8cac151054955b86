#!/usr/bin/env node
// Launcher: `npm run build` (npm ci runs it through `prepare`) compiles to dist/ and bundles
// the CLI into dist/bundle/ (faster start, see cached-bundle.js); the unbundled build is the fallback.
'use strict';
const { join } = require('node:path');
const { runCachedBundle } = require('./cached-bundle.js');

if (!runCachedBundle(join(__dirname, '..', 'dist', 'bundle', 'farmhand-agent.cjs'))) {
  import('../dist/node-agent/cli.js').catch((error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist')) throw error;
    console.error('farmhand-agent is not built yet: run `npm run build` in the Farmhand folder first.');
    process.exit(1);
  });
}
