import { randomBytes } from 'node:crypto';
import type { JobRecord, JobType, TaskRecord } from '../model/job-model.js';
import type { FileRef, TaskSpec } from '../../../node-agent/protocol/index.js';

/** Ids sort by creation time and are safe as file names and wire ids. */
export function newJobId(): string {
  return `j${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function newTask(
  jobId: string,
  index: number,
  label: string,
  spec: TaskSpec,
  inputs: FileRef[],
  dependsOn: string[] = [],
  o: { inputsFromDependencies?: boolean; intermediate?: boolean } = {},
): TaskRecord {
  return {
    id: `${jobId}.${index}`,
    jobId,
    index,
    label,
    state: 'queued',
    attempt: 0,
    failures: 0,
    spec,
    inputs,
    inputsFromDependencies: o.inputsFromDependencies ?? false,
    intermediate: o.intermediate ?? false,
    dependsOn,
    agentId: null,
    progress: 0,
    outputs: [],
    collected: [],
    error: null,
    startedAt: null,
    endedAt: null,
  };
}

export function newJob(o: {
  id: string;
  name: string;
  type: JobType;
  priority: number;
  tags: string[];
  outputDir: string;
  inputFiles: JobRecord['inputFiles'];
  settings: Record<string, unknown>;
  tasks: TaskRecord[];
}): JobRecord {
  return { ...o, createdAt: Date.now(), paused: false, failure: null, canceled: false, endedAt: null };
}
