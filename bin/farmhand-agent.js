#!/usr/bin/env node
// Launcher: the agent is compiled to dist/ by `npm run build` (npm ci runs it through `prepare`).
import('../dist/node-agent/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    console.error('farmhand-agent is not built yet: run `npm run build` in the Farmhand folder first.');
    process.exit(1);
  }
  throw error;
});
