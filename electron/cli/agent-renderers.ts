import type { AgentView } from '../controller/api/contract.js';

/**
 * How `farmhand agents` tells an agent's renderers: every Blender it has, where a render that
 * may use a GPU runs there (the backend and its GPUs, or the CPU), and whether it runs the
 * scenes' scripts (--allow-scripts). What decides where a job waits or runs, in one row.
 */

/** `blender 3.4.1, 4.1.0` (every Blender), else the one Blender, else nothing. */
export function blenderVersions(a: AgentView): string | null {
  const versions = a.blenders?.length ? a.blenders.map((b) => b.version) : a.blender ? [a.blender] : [];
  return versions.length ? `blender ${versions.join(', ')}` : null;
}

/** `OPTIX: NVIDIA RTX 3090, NVIDIA RTX 3080`, `cpu`, or `-` when the agent has not said. */
export function renderDeviceCell(a: AgentView): string {
  const device = a.renderDevice;
  if (device === undefined) return '-';
  if (device === 'cpu') return 'cpu';
  const names = new Set((a.blenders ?? []).flatMap((b) => b.devices.filter((d) => d.backend === device).map((d) => d.name)));
  return names.size ? `${device}: ${[...names].join(', ')}` : device;
}

export function scriptsCell(a: AgentView): string {
  return a.allowScripts ? 'allowed' : '-';
}
