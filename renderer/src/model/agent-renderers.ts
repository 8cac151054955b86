import type { AgentView } from '../../../electron/controller/api/contract.js';

/**
 * What an agent renders with, in the few words the nodes view shows: its Blenders (a job
 * saved by a newer one waits rather than open there), where a render that may use a GPU runs
 * and which GPUs Cycles sees, and whether it runs a scene's scripts. These are the facts a
 * job's "waiting: no agent has …" reason is about, so the user can see which box lacks what.
 */
export interface AgentRendererFacts {
  /** "Blender 3.4.1" or "Blender 3.4.1, 4.1.0"; null before the agent reported one. */
  blenders: string | null;
  /** "renders on CPU", "renders on OPTIX"; GPUs follow in `gpus`. */
  device: string;
  /** "GPUs: NVIDIA RTX 3090 ×2 (OPTIX)" or "no GPU". */
  gpus: string;
  /** "scripts allowed" (started with --allow-scripts) or "scripts off". */
  scripts: string;
}

export function agentRendererFacts(agent: Pick<AgentView, 'blender' | 'blenders' | 'renderDevice' | 'allowScripts'>): AgentRendererFacts {
  const versions = agent.blenders?.length ? agent.blenders.map((b) => b.version) : agent.blender ? [agent.blender] : [];
  return {
    blenders: versions.length ? `Blender ${[...new Set(versions)].join(', ')}` : null,
    device: `renders on ${!agent.renderDevice || agent.renderDevice === 'cpu' ? 'CPU' : agent.renderDevice}`,
    gpus: gpuLine(agent.blenders ?? []),
    scripts: agent.allowScripts ? 'scripts allowed' : 'scripts off',
  };
}

/**
 * The GPUs Cycles sees, across the agent's Blenders (usually the same cards seen by each,
 * so counted once per backend and name), same names counted: "NVIDIA RTX 3090 ×2 (OPTIX)".
 */
function gpuLine(blenders: NonNullable<AgentView['blenders']>): string {
  const seen = new Map<string, { name: string; backend: string; count: number }>();
  for (const blender of blenders) {
    const inThis = new Map<string, number>();
    for (const d of blender.devices) inThis.set(`${d.backend}\u0000${d.name}`, (inThis.get(`${d.backend}\u0000${d.name}`) ?? 0) + 1);
    for (const [key, count] of inThis) {
      const [backend, name] = key.split('\u0000') as [string, string];
      const known = seen.get(key);
      // The most any one Blender sees: two Blenders seeing one card is still one card.
      if (!known) seen.set(key, { name, backend, count });
      else known.count = Math.max(known.count, count);
    }
  }
  if (seen.size === 0) return 'no GPU';
  const parts = [...seen.values()].map((g) => `${g.name}${g.count > 1 ? ` ×${g.count}` : ''} (${g.backend})`);
  return `GPU${seen.size > 1 || [...seen.values()][0]!.count > 1 ? 's' : ''}: ${parts.join(', ')}`;
}
