#!/usr/bin/env node
// Type-checks the renderer as web code (renderer/tsconfig.json: DOM, no Node types).
//
// Why not plain `tsc -p renderer/tsconfig.json`: the renderer imports the controller's API
// contract and client, whose types reach Node-side files (contract.ts → agent-runtime.ts →
// agent-link.ts, job-model.ts → node-agent/protocol → node:crypto). tsc checks every file it
// reaches, so those Node files would fail for want of Node types. They are checked with Node
// types by `tsc -p tsconfig.check.json`; here only the renderer's own files are judged, and
// renderer/src/client/contract-guard.ts fails if a contract type the UI uses decays to `any`.
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));

/** Diagnostics of the renderer's own files (plus config and global ones), with extra root files if given. */
export function rendererDiagnostics(extraFiles = []) {
  const configPath = join(here, 'tsconfig.json');
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, host);
  const program = ts.createProgram({ rootNames: [...parsed.fileNames, ...extraFiles], options: parsed.options });
  const extra = new Set(extraFiles.map((f) => f.split(sep).join('/')));
  const own = (file) => !file || file.fileName.startsWith(`${here.split(sep).join('/')}/`) || extra.has(file.fileName);
  return [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].filter((d) => own(d.file));
}

export function formatDiagnostics(diagnostics) {
  return ts.formatDiagnosticsWithColorAndContext(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  });
}

//   node renderer/check-types.mjs [EXTRA_FILE…]   extra files are checked as renderer code (for tests)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const diagnostics = rendererDiagnostics(process.argv.slice(2));
  if (diagnostics.length) {
    process.stderr.write(formatDiagnostics(diagnostics));
    process.stderr.write(`\nrenderer: ${diagnostics.length} type error(s) in ${relative(process.cwd(), here) || '.'}\n`);
    process.exit(1);
  }
}
