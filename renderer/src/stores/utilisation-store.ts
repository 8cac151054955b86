import { useEffect } from 'react';
import { create } from 'zustand';
import type { AgentView } from '../../../electron/controller/api/contract.js';
import { createHistory, DEFAULT_BUCKET_MS, recordLevel, snapshot, type UtilisationSnapshot, type UtilisationHistory } from '../model/utilisation-history.js';

/**
 * Each agent's busy-slot history for the nodes view's sparklines, fed by the same agent events
 * as the agents store (agents-store.ts calls in here). The histories are plain mutable rings
 * (utilisation-history.ts), one per known agent, dropped with the agent: memory stays bounded by
 * the number of agents, not by how long the window is open. A single clock store ticks once a
 * bucket while sparklines are shown, so idle agents' lines still move on.
 */
const histories = new Map<string, UtilisationHistory>();

export function recordAgentUtilisation(agents: readonly AgentView[], now = Date.now()): void {
  for (const a of agents) {
    let h = histories.get(a.agentId);
    if (!h) histories.set(a.agentId, (h = createHistory(now)));
    recordLevel(h, now, a.online ? a.busySlots : 0, a.online ? a.slots : 0);
  }
}

/** After agents.list: agents no longer listed lose their history. */
export function keepAgentUtilisation(agentIds: ReadonlySet<string>): void {
  for (const id of histories.keys()) if (!agentIds.has(id)) histories.delete(id);
}

export function forgetAgentUtilisation(agentId: string): void {
  histories.delete(agentId);
}

export function agentUtilisation(agentId: string, now: number): UtilisationSnapshot | null {
  const h = histories.get(agentId);
  return h ? snapshot(h, now) : null;
}

/** How many histories are kept (for tests: bounded by the agents known). */
export function utilisationHistoryCount(): number {
  return histories.size;
}

const useClock = create<{ now: number }>(() => ({ now: Date.now() }));
let watchers = 0;
let timer: ReturnType<typeof setInterval> | null = null;

/** The time, renewed once a bucket while at least one sparkline is mounted. */
export function useUtilisationClock(): number {
  useEffect(() => {
    if (watchers++ === 0) timer = setInterval(() => useClock.setState({ now: Date.now() }), DEFAULT_BUCKET_MS);
    return () => {
      if (--watchers === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
  }, []);
  return useClock((s) => s.now);
}
