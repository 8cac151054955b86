import { create } from 'zustand';
import type { AgentView } from '../../../electron/controller/api/contract.js';
import { forgetAgentUtilisation, keepAgentUtilisation, recordAgentUtilisation } from './utilisation-store.js';

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

/**
 * The order again only when an agent came, went or was renamed: with hundreds of agents each
 * sending busy-slot changes, re-sorting (and handing the view a new array) on every event
 * would re-render the whole table for nothing.
 */
function orderAfter(previous: AgentsState, byId: Record<string, AgentView>, changed: readonly AgentView[]): string[] {
  const sameIds = previous.order.length === Object.keys(byId).length && previous.order.every((id) => byId[id]);
  const sameNames = changed.every((a) => previous.byId[a.agentId]?.name === a.name);
  return sameIds && sameNames ? previous.order : byName(byId);
}

export function replaceAgents(agents: AgentView[]): void {
  const byId = Object.fromEntries(agents.map((a) => [a.agentId, a]));
  keepAgentUtilisation(new Set(Object.keys(byId)));
  recordAgentUtilisation(agents);
  useAgentsStore.setState({ byId, order: byName(byId), loaded: true });
}

export function applyAgentChanges(changed: AgentView[]): void {
  if (changed.length === 0) return;
  recordAgentUtilisation(changed);
  useAgentsStore.setState((s) => {
    const byId = { ...s.byId };
    // Only stand-ins (below) are ever removed here: with none, 500 agents' events skip 500 × 500 checks.
    const anyStandIn = [...Object.values(s.byId), ...changed].some(isStandIn);
    for (const agent of changed) {
      byId[agent.agentId] = agent;
      // An address added by hand is listed under a stand-in id until the agent answers; once
      // it has, the agent's own entry replaces the stand-in (same address, another id).
      if (anyStandIn) for (const [id, other] of Object.entries(byId)) {
        if (id !== agent.agentId && other.url === agent.url && other.slots === 0 && !other.online) delete byId[id];
      }
    }
    return { byId, order: orderAfter(s, byId, changed) };
  });
}

function isStandIn(a: AgentView): boolean {
  return a.slots === 0 && !a.online;
}

export function forgetAgent(agentId: string): void {
  forgetAgentUtilisation(agentId);
  useAgentsStore.setState((s) => {
    const byId = { ...s.byId };
    delete byId[agentId];
    return { byId, order: byName(byId) };
  });
}
