import type { ApiEvent } from './contract.js';

/**
 * Turns the service's event stream into a few small messages per second. A busy farm changes
 * thousands of tasks a second, but a client only needs each thing's latest state: within one
 * batch a job, task or agent appears once (its last event), notices are all kept up to a
 * bound. Batches go out at most every `intervalMs`; the first event after a quiet spell goes
 * out on the next turn of the event loop, so an idle farm still feels instant.
 */

export interface ApiEventBatcherOptions {
  onBatch(events: ApiEvent[]): void;
  /** Least time between two batches (default 100 ms). */
  intervalMs?: number;
  /** Notices kept per batch; the rest are counted into one last notice (default 50). */
  maxNotices?: number;
  /** Distinct jobs/tasks/agents per batch; reaching it sends the batch early, so no message grows without bound (default 5000). */
  maxEvents?: number;
}

export class ApiEventBatcher {
  private readonly latest = new Map<string, ApiEvent>();
  private notices: ApiEvent[] = [];
  private droppedNotices = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastBatchAt = -Infinity;
  private closed = false;
  private readonly intervalMs: number;
  private readonly maxNotices: number;
  private readonly maxEvents: number;

  constructor(private readonly o: ApiEventBatcherOptions) {
    this.intervalMs = o.intervalMs ?? 100;
    this.maxNotices = o.maxNotices ?? 50;
    this.maxEvents = o.maxEvents ?? 5000;
  }

  push(event: ApiEvent): void {
    if (this.closed) return;
    const key = keyOf(event);
    if (key === null) {
      if (this.notices.length < this.maxNotices) this.notices.push(event);
      else this.droppedNotices++;
    } else {
      this.latest.delete(key); // re-inserted at the end: the batch keeps the order of last changes
      this.latest.set(key, event);
      if (this.latest.size >= this.maxEvents) return this.flush();
    }
    this.schedule();
  }

  /** Sends what is pending now (also used on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.latest.size === 0 && this.notices.length === 0) return;
    const events = [...this.latest.values(), ...this.notices];
    if (this.droppedNotices > 0) events.push({ kind: 'notice', level: 'warn', text: `${this.droppedNotices} more notice(s) were left out of this update; see the controller's output for all of them.` });
    this.latest.clear();
    this.notices = [];
    this.droppedNotices = 0;
    this.lastBatchAt = Date.now();
    this.o.onBatch(events);
  }

  /** Stops batching; pending events are dropped (flush first to send them). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.latest.clear();
    this.notices = [];
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastBatchAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }
}

/** Events about the same thing share a key (a deleted job replaces its last update); notices have none. */
function keyOf(event: ApiEvent): string | null {
  switch (event.kind) {
    case 'job':
      return `job:${event.job.id}`;
    case 'job.deleted':
      return `job:${event.jobId}`;
    case 'task':
      return `task:${event.task.id}`;
    case 'agent':
      return `agent:${event.agent.agentId}`;
    case 'notice':
      return null;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
