import type { TaskSpec } from '../../../node-agent/protocol/index.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { JobRecord } from '../model/job-model.js';
import type { JobRuntime } from './job-runtime.js';

/**
 * A scene set to render on the GPU (its Cycles device, kept in the job's settings at submit),
 * submitted without `--device`, may land on an agent without a GPU: it renders there on the
 * CPU, slower but right. The user is told so once per job, in the job's warnings (the CLI, the
 * API and the UI show them), not once per chunk. `--device gpu` makes it wait for a GPU instead.
 */
export function gpuSceneOnCpuWarning(job: Pick<JobRecord, 'name' | 'settings'>, spec: TaskSpec, agent: Pick<AgentRuntime, 'capabilities'>): string | null {
  if (spec.type !== 'blender' || spec.device !== undefined) return null;
  if (job.settings.cyclesDevice !== 'GPU' || (spec.engine !== undefined && spec.engine !== 'CYCLES')) return null;
  const device = agent.capabilities.renderDevice;
  if (device !== undefined && device !== 'cpu') return null;
  return gpuSceneOnCpuSentence(job.name);
}

export function gpuSceneOnCpuSentence(sceneName: string): string {
  return `${sceneName} is set to render on the GPU, but frames of it rendered on the CPU: no agent running them has a GPU. Submit with --device gpu to render only on agents with one.`;
}

/** Adds `warning` to the job's warnings unless it is there already; true when added (the job is then to be saved). */
export function addJobWarning(job: JobRuntime, warning: string): boolean {
  const warnings = job.record.warnings ?? [];
  if (warnings.includes(warning)) return false;
  job.record.warnings = [...warnings, warning];
  job.jobFieldsChanged = true;
  return true;
}
