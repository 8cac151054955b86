import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';

/**
 * A second Blender for tests on a machine that has one: this machine's real Blender under
 * another path, answering `--version` with another version. It is a shell script that prints
 * `Blender <version>` for `--version` and otherwise appends its command line to `<path>.runs`,
 * one line per run (so a test can prove which Blender ran), then execs the real Blender with
 * the same arguments. Everything it renders is the real Blender's; only the version it claims
 * is not (`bpy.app.version` inside still says the real one). Installed as
 * `<dir>/blender-<version>-linux-x64/blender`, the layout `--blender-dir` scans.
 */
export async function renamedBlender(dir: string, version: string, o: { name?: string } = {}): Promise<string> {
  const real = findBlender();
  if (!real) throw new Error('Blender is not installed: apt-get install -y blender');
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`renamedBlender needs a version like 4.1.0, not ${JSON.stringify(version)}`);
  const folder = join(dir, o.name ?? `blender-${version}-linux-x64`);
  await mkdir(folder, { recursive: true });
  const path = join(folder, 'blender');
  const script = `#!/bin/sh
# A renamed Blender for tests (test/helpers/renamed-blender.ts): ${real}, reporting ${version}.
if [ "$1" = "--version" ] && [ $# -eq 1 ]; then
  printf 'Blender ${version}\\n\\tbuild date: (renamed for tests)\\n'
  exit 0
fi
{ printf '%s' "$*" | tr '\\n' ' '; echo; } >> ${shellQuote(`${path}.runs`)}
exec ${shellQuote(real)} "$@"
`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

/** The command lines the renamed Blender at `path` ran, one per run (not counting `--version` or the agent's GPU probe, node-agent/gpu-probe.ts). */
export async function renamedBlenderRuns(path: string): Promise<string[]> {
  const text = await readFile(`${path}.runs`, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '' && !line.includes('FARMHAND_GPU_PROBE'));
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
