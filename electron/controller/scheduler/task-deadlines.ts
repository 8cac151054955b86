/**
 * The controller's backstop for per-task wall-clock limits: the agent stops a task that
 * runs too long, but if the agent itself hangs, this timer gives up on it.
 */
export class TaskDeadlines {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  set(taskId: string, ms: number, onExpire: () => void): void {
    this.clear(taskId);
    this.timers.set(taskId, setTimeout(() => {
      this.timers.delete(taskId);
      onExpire();
    }, ms));
  }

  clear(taskId: string): void {
    const timer = this.timers.get(taskId);
    if (timer) clearTimeout(timer);
    this.timers.delete(taskId);
  }
}
