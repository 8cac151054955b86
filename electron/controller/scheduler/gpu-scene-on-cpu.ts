import type { TaskSpec } from '../../../node-agent/protocol/index.js';
import { GPU_SCENE_ON_CPU_TASK_WARNING } from '../../../node-agent/protocol/gpu-fallback-warning.js';
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

/**
 * A finished task's warnings with the GPU fallback taken to the job: the job's sentence when the
 * controller sees a GPU scene on a CPU agent or the agent said so, and the task's warnings
 * without the agent's own sentence for it.
 */
export function liftGpuFallback(job: Pick<JobRecord, 'name' | 'settings'>, spec: TaskSpec, agent: Pick<AgentRuntime, 'capabilities'>, warnings: readonly string[] | undefined): { taskWarnings: string[] | undefined; jobWarning: string | null } {
  const saidByAgent = warnings?.includes(GPU_SCENE_ON_CPU_TASK_WARNING) ?? false;
  const jobWarning = gpuSceneOnCpuWarning(job, spec, agent) ?? (saidByAgent ? gpuSceneOnCpuSentence(job.name) : null);
  return { taskWarnings: saidByAgent ? warnings!.filter((w) => w !== GPU_SCENE_ON_CPU_TASK_WARNING) : warnings && [...warnings], jobWarning };
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
