import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

/**
 * Packs the desktop app the way a release does (build/electron-builder.yml), as the unpacked
 * Linux folder, the one target that needs nothing downloaded when Electron itself is given
 * (`electronDist`). Needs `npm run build` first. Gives the packaged executable's path.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

export async function packAppDir(electronDist: string, outDir: string): Promise<{ executable: string; asar: string }> {
  if (!existsSync(join(root, 'dist/electron-app/main.js'))) throw new Error('The app is not built; run `npm run build` first.');
  const cli = join(root, 'node_modules/electron-builder/cli.js');
  await promisify(execFile)(process.execPath, [cli, '--config', 'build/electron-builder.yml', '--linux', 'dir', `-c.electronDist=${electronDist}`, `-c.directories.output=${outDir}`], {
    cwd: root,
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
    // No publishing, no update checks: electron-builder only packs.
    env: { ...process.env, CI: '1', ELECTRON_BUILDER_DISABLE_UPDATE_CHECK: 'true' },
  });
  const unpacked = join(outDir, 'linux-unpacked');
  return { executable: join(unpacked, 'farmhand-desktop'), asar: join(unpacked, 'resources/app.asar') };
}

/** A fuse's byte in the wire (@electron/fuses' FuseState, which its index does not export). */
const FuseState = { DISABLE: 48, ENABLE: 49, REMOVED: 114 } as const;
type FuseState = (typeof FuseState)[keyof typeof FuseState];

/** The fuses issue 18 asks for, as the packaged binary must hold them. */
export const EXPECTED_FUSES: ReadonlyArray<[string, FuseV1Options, FuseState]> = [
  ['RunAsNode', FuseV1Options.RunAsNode, FuseState.DISABLE],
  ['EnableNodeOptionsEnvironmentVariable', FuseV1Options.EnableNodeOptionsEnvironmentVariable, FuseState.DISABLE],
  ['EnableNodeCliInspectArguments', FuseV1Options.EnableNodeCliInspectArguments, FuseState.DISABLE],
  ['EnableCookieEncryption', FuseV1Options.EnableCookieEncryption, FuseState.ENABLE],
  ['EnableEmbeddedAsarIntegrityValidation', FuseV1Options.EnableEmbeddedAsarIntegrityValidation, FuseState.ENABLE],
  ['OnlyLoadAppFromAsar', FuseV1Options.OnlyLoadAppFromAsar, FuseState.ENABLE],
  ['GrantFileProtocolExtraPrivileges', FuseV1Options.GrantFileProtocolExtraPrivileges, FuseState.DISABLE],
];

const stateName = (s: number | undefined) => (s === FuseState.ENABLE ? 'on' : s === FuseState.DISABLE ? 'off' : s === FuseState.REMOVED ? 'removed' : `unknown (${s})`);

/** Each expected fuse as the binary holds it, 'on'/'off', next to what is expected. */
export async function readFuses(executable: string): Promise<{ actual: Record<string, string>; expected: Record<string, string> }> {
  const wire = (await getCurrentFuseWire(executable)) as unknown as Record<number, number>;
  const actual: Record<string, string> = {};
  const expected: Record<string, string> = {};
  for (const [name, index, state] of EXPECTED_FUSES) {
    actual[name] = stateName(wire[index]);
    expected[name] = stateName(state);
  }
  return { actual, expected };
}
