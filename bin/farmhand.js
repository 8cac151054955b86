#!/usr/bin/env node
// Launcher: `npm run build` (npm ci runs it through `prepare`) compiles to dist/ and bundles
// the CLI into dist/bundle/ (faster start); the unbundled build is the fallback.
const notFound = (error) => error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist');
import('../dist/bundle/farmhand.mjs')
  .catch((error) => (notFound(error) ? import('../dist/electron/cli/farmhand.js') : Promise.reject(error)))
  .catch((error) => {
    if (!notFound(error)) throw error;
    console.error('farmhand is not built yet: run `npm run build` in the Farmhand folder first.');
    process.exit(1);
  });
