/**
 * What a new job is planned for: the agents able to run it and their slots. Preview first fills
 * every slot once (an agent with 2 slots runs 2 preview frames at a time, so it counts twice),
 * and the first chunk plan spreads over the same slots the re-planner (chunk-replanner.ts) counts.
 */
export interface AbleCapacity {
  agents: number;
  slots: number;
}

/** The capacity of these able agents: at least 1 agent and 1 slot (a job planned for an empty farm still gets one plan), each agent at least 1 slot. */
export function ableCapacity(agents: readonly { slots: number }[]): AbleCapacity {
  const slots = agents.reduce((n, a) => n + (Number.isFinite(a.slots) ? Math.max(1, Math.floor(a.slots)) : 1), 0);
  return { agents: Math.max(1, agents.length), slots: Math.max(1, slots) };
}

/** A count of agents alone (one slot each, as before slots were counted) or a full capacity, as a capacity. */
export function asCapacity(able: number | AbleCapacity): AbleCapacity {
  return typeof able === 'number' ? { agents: able, slots: able } : able;
}
