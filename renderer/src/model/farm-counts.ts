import type { AgentView } from '../../../electron/controller/api/contract.js';

/**
 * The farm at a glance for the header: agents online and how many of them run something now
 * ("3 agents · 2 busy"). An agent counts once however many of its slots are busy; offline
 * agents are left out (the Nodes view lists them).
 */
export function describeFarmCounts(agents: Iterable<AgentView>): string {
  let online = 0;
  let busy = 0;
  for (const a of agents) {
    if (!a.online) continue;
    online++;
    if (a.busySlots > 0) busy++;
  }
  if (online === 0) return 'no agents online';
  return `${online} ${online === 1 ? 'agent' : 'agents'} · ${busy} busy`;
}
