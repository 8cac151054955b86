/**
 * Hand-written checks for the messages every task exchanges (`task.assign`, `task.done`,
 * `task.progress`, `output.ack`), so the hot path does not walk the whole zod union per frame.
 *
 * The zod schemas in messages.ts stay the authority. A check here answers "accepted as is"
 * only when the schema would accept the value and return it unchanged: every field present
 * and valid by the same rules, and no key the schema does not know (zod would strip it, so
 * such a message goes to the schema). Any other answer means "ask the schema", which then
 * accepts, strips or refuses with its own error. So this path can only be as strict or
 * stricter, never looser; fast-validate.test.ts checks it against the schema.
 */

type Obj = Record<string, unknown>;

/** Parses a task spec with the schema (the spec union is large and rarely hot); undefined when invalid. */
export type SpecCheck = (spec: unknown) => unknown;

const ID = /^[A-Za-z0-9._:-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

/**
 * True when `raw` is one of the hot messages and valid exactly as it is. For `task.assign`,
 * `raw.spec` is replaced by the schema's parse of it (which may strip unknown keys there).
 */
export function acceptedAsIs(raw: unknown, checkSpec: SpecCheck): boolean {
  if (!isObj(raw)) return false;
  switch (raw.type) {
    case 'output.ack':
      return onlyKeys(raw, TASK_KEY_KEYS, NONE) && isTaskKey(raw);
    case 'task.done':
      return onlyKeys(raw, DONE_KEYS, NONE) && isTaskKey(raw) && isFileRefs(raw.outputs, 10_000) && isFiniteAtLeast(raw.elapsedMs, 0);
    case 'task.progress':
      return onlyKeys(raw, TASK_KEY_KEYS, PROGRESS_OPTIONAL) && isTaskKey(raw) && isProgress(raw);
    case 'task.assign':
      return onlyKeys(raw, ASSIGN_KEYS, ASSIGN_OPTIONAL) && isTaskKey(raw) && isId(raw.jobId) && isAssignRest(raw, checkSpec);
    default:
      return false;
  }
}

const NONE: readonly string[] = [];
const TASK_KEY_KEYS = ['type', 'taskId', 'attempt'] as const;
const DONE_KEYS = ['type', 'taskId', 'attempt', 'outputs', 'elapsedMs'] as const;
const PROGRESS_OPTIONAL = ['fraction', 'framesDone', 'currentFrame', 'message', 'startupMs'] as const;
const ASSIGN_KEYS = ['type', 'taskId', 'attempt', 'jobId', 'inputs', 'spec', 'timeoutMs'] as const;
const ASSIGN_OPTIONAL = ['keepOutputs', 'liveOutputs'] as const;
const FILE_REF_KEYS = ['sha256', 'size', 'name'] as const;

function isProgress(m: Obj): boolean {
  // fraction is required; it sits among the optional keys only so the key check stays one pass.
  if (!isFiniteBetween(m.fraction, 0, 1)) return false;
  if ('framesDone' in m && !isIntBetween(m.framesDone, 0, Number.MAX_SAFE_INTEGER)) return false;
  if ('currentFrame' in m && !isIntBetween(m.currentFrame, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) return false;
  if ('message' in m && !isStringOfLength(m.message, 0, 500)) return false;
  if ('startupMs' in m && !isIntBetween(m.startupMs, 0, 3_600_000)) return false;
  return true;
}

function isAssignRest(m: Obj, checkSpec: SpecCheck): boolean {
  if (!isIntBetween(m.timeoutMs, 1, MAX_TIMEOUT_MS)) return false;
  if ('keepOutputs' in m && typeof m.keepOutputs !== 'boolean') return false;
  if ('liveOutputs' in m && typeof m.liveOutputs !== 'boolean') return false;
  if (!isFileRefs(m.inputs, 50_000)) return false;
  const spec = checkSpec(m.spec);
  if (spec === undefined) return false;
  m.spec = spec;
  return true;
}

function isTaskKey(m: Obj): boolean {
  return isId(m.taskId) && isIntBetween(m.attempt, 1, 1000);
}

function isFileRefs(value: unknown, max: number): boolean {
  if (!Array.isArray(value) || value.length > max) return false;
  for (const ref of value) {
    if (!isObj(ref) || !onlyKeys(ref, FILE_REF_KEYS, NONE)) return false;
    if (typeof ref.sha256 !== 'string' || !SHA256.test(ref.sha256)) return false;
    if (!isIntBetween(ref.size, 0, Number.MAX_SAFE_INTEGER) || !isStringOfLength(ref.name, 1, 255)) return false;
  }
  return true;
}

/** Every key of `m` is required or optional, and every required key is there. */
function onlyKeys(m: Obj, required: readonly string[], optional: readonly string[]): boolean {
  let present = 0;
  for (const key in m) {
    if (!Object.prototype.hasOwnProperty.call(m, key)) return false;
    if (required.includes(key)) present++;
    else if (!optional.includes(key)) return false;
  }
  return present === required.length;
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128 && ID.test(value);
}

function isStringOfLength(value: unknown, min: number, max: number): boolean {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** zod's `z.number().int()` accepts safe integers only. */
function isIntBetween(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** zod 4's `z.number()` refuses NaN and ±Infinity (which JSON can produce: `1e400`). */
function isFiniteBetween(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function isFiniteAtLeast(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}
