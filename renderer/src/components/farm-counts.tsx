import { describeFarmCounts } from '../model/farm-counts.js';
import { useAgentsStore } from '../stores/agents-store.js';

/** The header's "3 agents · 2 busy", live with the agents' events. */
export function FarmCounts() {
  const text = useAgentsStore((s) => (s.loaded ? describeFarmCounts(Object.values(s.byId)) : null));
  return text === null ? null : <span className="farm-counts" data-farm-counts="">{text}</span>;
}
