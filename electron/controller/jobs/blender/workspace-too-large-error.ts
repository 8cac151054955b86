import { basename } from 'node:path';
import { MAX_JOB_WORKSPACE_BYTES, type JobWorkspace } from '../../../../node-agent/protocol/index.js';
import { InputError } from '../../input-error.js';

/**
 * A scene names so many files that their list (the job's `job.workspace`) would not fit one
 * control message to an agent: refused at submit (exit 2 from the CLI, `bad-input` from the API)
 * rather than accepted and then never runnable. The list costs ~100-250 bytes per file, so the
 * bound is some 25,000-60,000 files; the ways out are fewer, bigger files.
 */
export class WorkspaceTooLargeError extends InputError {
  override name = 'WorkspaceTooLargeError';
  constructor(readonly scenePath: string, readonly fileCount: number, readonly bytes: number) {
    super(`The scene "${basename(scenePath)}" needs ${fileCount.toLocaleString('en-US')} files, whose list takes ${mib(bytes)} MiB, more than the ${mib(MAX_JOB_WORKSPACE_BYTES)} MiB a job can send to its agents; pack the files into the .blend, consolidate them into fewer files (an image sequence into a movie, a cache into fewer frames), or split the scene into several.`);
  }
}

/** Bytes of the workspace as it goes on the wire (JSON, UTF-8). */
export function workspaceBytes(workspace: JobWorkspace): number {
  return Buffer.byteLength(JSON.stringify(workspace), 'utf8');
}

/** Throws WorkspaceTooLargeError when the workspace would not fit one control message. */
export function checkWorkspaceSize(scenePath: string, workspace: JobWorkspace): void {
  const bytes = workspaceBytes(workspace);
  if (bytes > MAX_JOB_WORKSPACE_BYTES) throw new WorkspaceTooLargeError(scenePath, workspace.files.length, bytes);
}

function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
