import type { FileRef } from '../../../node-agent/protocol/index.js';
import { compareOutputs, expectedOutputs } from '../jobs/expected-outputs.js';
import { outputByteLimit } from '../jobs/output-size-limit.js';
import type { TaskRecord } from '../model/job-model.js';

/**
 * What an agent says it made, judged against what its task makes (expected-outputs.ts,
 * output-size-limit.ts). Each judgement is null when the claim holds, or the sentence that
 * fails the attempt: it names the agent, the task and the files, so a wrangler sees which
 * machine lied about what. The agent is not trusted for that attempt: the task runs again,
 * and an agent that keeps doing it is kept off the job like any failing one.
 */

type Judged = Pick<TaskRecord, 'id' | 'attempt' | 'spec' | 'label'>;

const NOT_ACCEPTED = 'so its result was not accepted';

/** `task.done` (or the outputs a reconnecting agent holds): exactly the expected names, each within the size limit. */
export function judgeReportedOutputs(agent: string, task: Judged, outputs: readonly FileRef[]): string | null {
  const mismatch = compareOutputs(task, outputs);
  if (mismatch) {
    const lacks = mismatch.missing.length ? ` without ${listNames(mismatch.missing)}` : '';
    const adds = mismatch.unexpected.length ? `${lacks ? ' and' : ''} with ${listNames(mismatch.unexpected)}, which the task does not make` : '';
    return `Agent ${agent} reported task ${task.label} done${lacks}${adds}, ${NOT_ACCEPTED}.`;
  }
  const limit = outputByteLimit(task.spec);
  const oversize = outputs.find((o) => o.size > limit);
  if (oversize) return `Agent ${agent} reported ${shownName(oversize.name)} of task ${task.label} at ${formatBytes(oversize.size)}, more than the ${formatBytes(limit)} an output of a ${task.spec.type} task may have, ${NOT_ACCEPTED}.`;
  return null;
}

/**
 * One file an agent starts sending for a task (`file.begin`). While the task runs (a render's
 * live frames) it must be one of the task's names; after its end, one the accepted report
 * listed with this hash and size. Either way, no bigger than the limit.
 */
export function judgeOfferedOutput(agent: string, task: Judged & Pick<TaskRecord, 'outputs'>, file: FileRef, live: boolean): string | null {
  const name = shownName(file.name);
  if (live ? !expectedOutputs(task).has(file.name) : !task.outputs.some((o) => o.name === file.name && o.sha256 === file.sha256 && o.size === file.size)) {
    const why = live ? 'which the task does not make' : 'which its report of the task did not list with that size and hash';
    return `Agent ${agent} sent ${name} for task ${task.label}, ${why}, ${NOT_ACCEPTED}.`;
  }
  const limit = outputByteLimit(task.spec);
  if (file.size > limit) return `Agent ${agent} announced ${name} of task ${task.label} at ${formatBytes(file.size)}, more than the ${formatBytes(limit)} an output of a ${task.spec.type} task may have, ${NOT_ACCEPTED}.`;
  return null;
}

/** A few names (a chunk may miss thousands), each shown so that nothing from the wire can break the sentence. */
export function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map(shownName).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** A plain file name as is; anything else (a path, control characters, a very long name) quoted and cut short. */
function shownName(name: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) ? name : JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
