import { basename } from 'node:path';
import type { DependencyManifest } from '../../api/views.js';
import { InputError } from '../../input-error.js';
import { isWindowsPath } from './dependency-paths.js';

/**
 * A scene names files that are not on the controller's disk: rendering it would give magenta
 * textures and empty caches on every frame, so the submit is refused (exit 2 from the CLI,
 * `bad-input` from the API) with the first ten names, how many more, and the ways out.
 */
export class MissingFilesError extends InputError {
  override name = 'MissingFilesError';
  constructor(readonly scenePath: string, readonly manifest: DependencyManifest) {
    super(missingFilesSentence(scenePath, manifest));
  }
}

const SHOWN = 10;

export function missingFilesSentence(scenePath: string, manifest: DependencyManifest): string {
  const missing = manifest.entries.filter((e) => e.missing);
  const names = missing.slice(0, SHOWN).map((e) => e.written).join(', ');
  const more = missing.length > SHOWN ? ` and ${missing.length - SHOWN} more` : '';
  const windows = missing.some((e) => isWindowsPath(e.written) && e.resolved === e.written);
  const fix = windows ? 'put them back, map Windows paths with --map-path FROM=TO, or pass --allow-missing to render anyway' : 'put them back, or pass --allow-missing to render anyway';
  return `The scene "${basename(scenePath)}" needs ${missing.length} file(s) that are missing: ${names}${more}; ${fix}.`;
}

/** The job's warning when it was submitted with --allow-missing. */
export function missingFilesWarning(manifest: DependencyManifest): string {
  const missing = manifest.entries.filter((e) => e.missing);
  const names = missing.slice(0, SHOWN).map((e) => e.written).join(', ');
  const more = missing.length > SHOWN ? ` and ${missing.length - SHOWN} more` : '';
  return `Submitted with ${missing.length} missing file(s): ${names}${more}; frames that use them will render wrong.`;
}
