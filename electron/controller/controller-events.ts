import { EventEmitter } from 'node:events';
import type { AgentView } from './agents/agent-runtime.js';
import type { JobSummary, TaskRecord } from './model/job-model.js';
import type { SchedulerEvents } from './scheduler/scheduler-ports.js';

/** Everything the controller reports, as typed events: the CLI, the API and the UI listen here. */
export interface ControllerEventMap {
  job: [JobSummary];
  jobRemoved: [string];
  task: [TaskRecord];
  agent: [AgentView];
  log: [{ taskId: string; attempt: number; lines: string[] }];
  notice: [{ level: 'info' | 'warn' | 'error'; text: string }];
}

export class ControllerEvents extends EventEmitter<ControllerEventMap> implements SchedulerEvents {
  constructor() {
    super();
    this.setMaxListeners(100);
  }
  jobChanged(summary: JobSummary): void {
    this.emit('job', summary);
  }
  taskChanged(task: TaskRecord): void {
    if (this.listenerCount('task') > 0) this.emit('task', task);
  }
  agentChanged(agent: AgentView): void {
    this.emit('agent', agent);
  }
  taskLog(taskId: string, attempt: number, lines: string[]): void {
    this.emit('log', { taskId, attempt, lines });
  }
  jobRemoved(jobId: string): void {
    this.emit('jobRemoved', jobId);
  }
  notice(level: 'info' | 'warn' | 'error', text: string): void {
    this.emit('notice', { level, text });
  }
}
