import type { MessageOf } from '../../../node-agent/protocol/index.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import type { InputFiles } from './input-files.js';
import type { JobRuntime } from './job-runtime.js';
import { judgeReportedOutputs } from './output-claims.js';
import { planReconcile } from './reconcile-plan.js';
import type { SchedulerState } from './scheduler-state.js';
import type { OutputSink } from './scheduler-ports.js';
import { isCurrentAttempt } from './task-verbs.js';

/** What reconciling needs of the scheduler: its state, the output folder, its files and three of its steps. */
export interface ReconnectReconcileDeps {
  state: Pick<SchedulerState, 'jobs' | 'tasks' | 'deadlines' | 'verbs' | 'jobTouched'>;
  outputs: Pick<OutputSink, 'alreadyHas'>;
  inputs: Pick<InputFiles, 'registerFile'>;
  /** The resumed attempt runs under the controller's deadline again (dispatcher.ts). */
  watchDeadline(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): void;
  succeed(job: JobRuntime, task: TaskRecord, link: AgentLink): void;
  distrust(job: JobRuntime, task: TaskRecord, link: AgentLink, error: string): void;
}

/**
 * After a dropped link or a controller restart, either side may know something the other does
 * not. An agent's hello says what it still runs and what finished outputs it holds: this acts
 * on reconcile-plan.ts's verdict for each (keep it running, collect it instead of rendering it
 * again, or cancel or release an attempt that is no longer current). Apart from the scheduler
 * because it runs once per (re)connection, not on the task's ordinary path.
 */
export class ReconnectReconcile {
  constructor(private readonly deps: ReconnectReconcileDeps) {}

  /** The agent's hello lists what it runs and what it holds: keep, collect, cancel or release each. */
  reconcile(agent: AgentRuntime, hello: MessageOf<'agent.hello'>): void {
    const lookup = (taskId: string) => {
      const task = this.deps.state.tasks.get(taskId);
      const job = task && this.deps.state.jobs.get(task.jobId);
      return task && job ? { task, jobActive: !job.record.canceled && !job.record.failure } : undefined;
    };
    for (const action of planReconcile(hello, lookup)) {
      switch (action.kind) {
        case 'cancel':
          agent.link.send({ type: 'task.cancel', taskId: action.taskId, attempt: action.attempt });
          break;
        case 'release':
          agent.link.send({ type: 'output.ack', taskId: action.taskId, attempt: action.attempt });
          break;
        case 'resume': {
          const { task } = action;
          const job = this.deps.state.jobs.get(task.jobId)!;
          this.deps.state.verbs.adopt(job, task, agent.agentId, action.attempt);
          agent.running.set(task.id, task);
          this.deps.watchDeadline(job, task, agent);
          this.deps.state.jobTouched(job);
          break;
        }
        case 'collect': {
          const { task } = action;
          const job = this.deps.state.jobs.get(task.jobId)!;
          this.deps.state.verbs.adopt(job, task, agent.agentId, action.attempt);
          this.deps.state.deadlines.clear(task.id);
          const lie = judgeReportedOutputs(agent.name, task, action.outputs);
          if (lie) {
            this.deps.distrust(job, task, agent.link, lie);
            break;
          }
          task.outputs = action.outputs;
          task.collected = [];
          agent.collecting.add(task.id);
          this.deps.state.jobTouched(job);
          if (action.outputs.length === 0) this.deps.succeed(job, task, agent.link);
          else void this.collectHeld(job, task, agent);
          break;
        }
        default: {
          const never: never = action;
          throw new Error(`unknown reconcile action ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /**
   * Outputs an agent still holds after a reconnection: any already in place with the same hash
   * (renamed in just before a controller crash) are not written again; the rest are fetched.
   */
  private async collectHeld(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): Promise<void> {
    const attempt = task.attempt;
    const present = await Promise.all(task.outputs.map((o) => this.deps.outputs.alreadyHas?.(job.record, task, o).catch(() => null) ?? null));
    if (!isCurrentAttempt(task, agent.agentId, attempt, { states: 'unfinished' })) return;
    if (present.every((path) => path !== null)) {
      task.outputs.forEach((o, i) => this.deps.inputs.registerFile({ sha256: o.sha256, size: o.size, path: present[i]! }));
      task.collected = task.outputs.map((o) => o.name);
      return this.deps.succeed(job, task, agent.link);
    }
    agent.link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt });
  }
}
