/**
 * After a restart, tasks that were out on an agent are held back from dispatch until that
 * agent reports in (its hello resumes what it still runs and hands in what it finished) or a
 * grace period ends; only then may another agent run them. Without this, the first agent to
 * reconnect would be handed its neighbours' tasks and render them a second time.
 */
export class RestartHold {
  /** Task id → the agent that had it. */
  private readonly waiting = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  /** `release` gets the ids of tasks that may now be queued (the caller skips any no longer queued). */
  constructor(
    private readonly graceMs: number,
    private readonly release: (taskIds: string[], why: 'agent-back' | 'grace-over') => void,
  ) {}

  hold(taskId: string, agentId: string): void {
    this.waiting.set(taskId, agentId);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const all = [...this.waiting.keys()];
      this.waiting.clear();
      if (all.length > 0) this.release(all, 'grace-over');
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
    this.stopTimerWhenEmpty();
    if (mine.length > 0) this.release(mine, 'agent-back');
  }

  private stopTimerWhenEmpty(): void {
    if (this.waiting.size > 0 || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}
