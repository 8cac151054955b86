import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { JobRecord, TaskRecord } from '../model/job-model.js';

/**
 * Which agent connections hold which Blender job's workspace list, so the list (`job.workspace`:
 * a shot's thousands of files) goes to an agent once per connection, just before the job's first
 * `task.assign` there, instead of inside every task; and which agents rendered a job, so they are
 * told when it ends (`job.ended`) and remove its workspace at once.
 *
 * A connection is an AgentRuntime (a new one per hello, scheduler.ts): a reconnected agent has
 * forgotten the lists its old connection was sent (the agent drops them when a connection
 * closes), so it is sent them again. A job that ends is forgotten everywhere, so a retried job
 * sends its list again.
 */
export class JobWorkspacesSent {
  /** Per connection: the jobs whose workspace it was sent. */
  private readonly sent = new WeakMap<AgentRuntime, Set<string>>();
  /** Per Blender job: the agents given one of its tasks (by id: any connection), to tell when it ends. */
  private readonly ranOn = new Map<string, Set<string>>();

  constructor(private readonly agents: ReadonlyMap<string, AgentRuntime>) {}

  /** Call before sending `task` to `agent`: sends the job's workspace first when the task names it and this connection lacks it. */
  beforeAssign(agent: AgentRuntime, job: JobRecord, task: TaskRecord): void {
    if (task.spec.type !== 'blender') return;
    this.rendered(job.id, agent.agentId);
    if (task.spec.workspace !== true || !job.workspace) return;
    let jobs = this.sent.get(agent);
    if (!jobs) this.sent.set(agent, (jobs = new Set()));
    if (jobs.has(job.id)) return;
    if (agent.link.send({ type: 'job.workspace', jobId: job.id, workspace: job.workspace })) jobs.add(job.id);
  }

  /** A job loaded at start-up and not ended: the agents its tasks last ran on may still hold its workspace. */
  loaded(job: JobRecord): void {
    if (job.type !== 'blender' || job.endedAt !== null) return;
    for (const task of job.tasks) if (task.agentId) this.rendered(job.id, task.agentId);
  }

  /**
   * The job ended (done, failed, canceled; a deleted job is canceled first): every online agent
   * that rendered it is told, and no connection is remembered as holding its workspace.
   */
  jobEnded(job: JobRecord): void {
    const agentIds = this.ranOn.get(job.id);
    if (!agentIds) return;
    this.ranOn.delete(job.id);
    for (const agentId of agentIds) {
      const agent = this.agents.get(agentId);
      if (!agent) continue;
      this.sent.get(agent)?.delete(job.id);
      if (agent.online) agent.link.send({ type: 'job.ended', jobId: job.id });
    }
  }

  private rendered(jobId: string, agentId: string): void {
    let agentIds = this.ranOn.get(jobId);
    if (!agentIds) this.ranOn.set(jobId, (agentIds = new Set()));
    agentIds.add(agentId);
  }
}
