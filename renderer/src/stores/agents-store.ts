import { create } from 'zustand';
import type { AgentView } from '../../../electron/controller/api/contract.js';

/** The agents the controller knows, by name, fed by agents.list on (re)connect and by agent events. */
interface AgentsState {
  byId: Record<string, AgentView>;
  order: string[];
  loaded: boolean;
}

export const useAgentsStore = create<AgentsState>(() => ({ byId: {}, order: [], loaded: false }));

function byName(byId: Record<string, AgentView>): string[] {
  return Object.values(byId)
    .sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId))
    .map((a) => a.agentId);
}

export function replaceAgents(agents: AgentView[]): void {
  const byId = Object.fromEntries(agents.map((a) => [a.agentId, a]));
  useAgentsStore.setState({ byId, order: byName(byId), loaded: true });
}

export function applyAgentChanges(changed: AgentView[]): void {
  if (changed.length === 0) return;
  useAgentsStore.setState((s) => {
    const byId = { ...s.byId };
    for (const agent of changed) {
      byId[agent.agentId] = agent;
      // An address added by hand is listed under a stand-in id until the agent answers; once
      // it has, the agent's own entry replaces the stand-in (same address, another id).
      for (const [id, other] of Object.entries(byId)) {
        if (id !== agent.agentId && other.url === agent.url && other.slots === 0 && !other.online) delete byId[id];
      }
    }
    return { byId, order: byName(byId) };
  });
}

export function forgetAgent(agentId: string): void {
  useAgentsStore.setState((s) => {
    const byId = { ...s.byId };
    delete byId[agentId];
    return { byId, order: byName(byId) };
  });
}
