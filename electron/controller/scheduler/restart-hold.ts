/**
 * After a restart, tasks that were out on an agent are held back from dispatch until that
 * agent reports in (its hello resumes what it still runs and hands in what it finished) or a
 * grace period ends; only then may another agent run them. Without this, the first agent to
 * reconnect would be handed its neighbours' tasks and render them a second time.
 */
export class RestartHold {
  /** Task id → the agent that had it. */
  private readonly waiting = new Map<string, string>();
  /**
   * Agents that worked on an unfinished job before the restart. Until each is back (or the
   * grace ends) nothing new is dispatched: the controller stores assignments shortly after
   * sending them, so a crash can lose the record of a task just sent to one of them, and only
   * that agent's hello (reconciled first) can say so. Otherwise its task would start again
   * elsewhere.
   */
  private readonly awaited = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  /** `release` gets the ids of tasks that may now be queued (the caller skips any no longer queued). */
  constructor(
    private readonly graceMs: number,
    private readonly release: (taskIds: string[], why: 'agent-back' | 'grace-over') => void,
  ) {}

  hold(taskId: string, agentId: string): void {
    this.waiting.set(taskId, agentId);
    this.awaited.add(agentId);
    this.startTimer();
  }

  /** An agent to wait for before dispatching anything new (see `awaited`). */
  awaitAgent(agentId: string): void {
    this.awaited.add(agentId);
    this.startTimer();
  }

  /** True while agents from before the restart are still expected: dispatch waits. */
  holdsQueue(): boolean {
    return this.awaited.size > 0;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const all = [...this.waiting.keys()];
      this.waiting.clear();
      this.awaited.clear();
      this.release(all, 'grace-over');
    }, this.graceMs);
    this.timer.unref();
  }

  /** The task left the farm (its job was deleted). */
  forget(taskId: string): void {
    this.waiting.delete(taskId);
    this.stopTimerWhenEmpty();
  }

  /** The agent said hello (after its reconciliation): release what it had. */
  agentBack(agentId: string): void {
    const mine = [...this.waiting].filter(([, a]) => a === agentId).map(([taskId]) => taskId);
    for (const taskId of mine) this.waiting.delete(taskId);
    const lastAwaited = this.awaited.delete(agentId) && this.awaited.size === 0;
    this.stopTimerWhenEmpty();
    if (mine.length > 0 || lastAwaited) this.release(mine, 'agent-back');
  }

  private stopTimerWhenEmpty(): void {
    if (this.waiting.size > 0 || this.awaited.size > 0 || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}
