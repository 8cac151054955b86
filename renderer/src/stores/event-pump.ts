import type { AgentView, ApiEvent, JobSummary, TaskView } from '../../../electron/controller/api/contract.js';
import type { FarmClient } from '../client/farm-client.js';
import { applyAgentChanges } from './agents-store.js';
import { forgetJobFrames } from './frames-store.js';
import { applyJobChanges } from './jobs-store.js';
import { pushNotice } from './notices-store.js';
import { refreshQueueState } from './queue-store.js';
import { applyTaskChanges, forgetJobTasks, trimReplannedTasks } from './tasks-store.js';
import { forgetJobsInUi } from './ui-store.js';

/**
 * Feeds the controller's events into the stores once per animation frame: events are
 * coalesced by id in between (the latest state wins), so a busy farm re-renders the window
 * at most once a frame however many batches arrive. A hidden tab gets no animation frames,
 * so it flushes on a timer instead, still coalesced and bounded by the number of ids.
 */
export function startEventPump(client: FarmClient): () => void {
  let jobs = new Map<string, JobSummary>();
  let deleted = new Set<string>();
  let tasks = new Map<string, TaskView>();
  let agents = new Map<string, AgentView>();
  let notices: Extract<ApiEvent, { kind: 'notice' }>[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = { jobs: [...jobs.values()], deleted: [...deleted], tasks: [...tasks.values()], agents: [...agents.values()], notices };
    jobs = new Map();
    deleted = new Set();
    tasks = new Map();
    agents = new Map();
    notices = [];
    applyJobChanges(batch.jobs, batch.deleted);
    applyTaskChanges(batch.tasks.filter((t) => !batch.deleted.includes(t.jobId)));
    trimReplannedTasks(batch.jobs);
    forgetJobTasks(batch.deleted);
    forgetJobFrames(batch.deleted);
    forgetJobsInUi(batch.deleted);
    applyAgentChanges(batch.agents);
    for (const n of batch.notices) pushNotice(n.level, n.text);
    // The queue's hold has no event of its own, only a notice (queue-store.ts).
    if (batch.notices.length) void refreshQueueState(client);
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (document.hidden) setTimeout(flush, 500);
    else requestAnimationFrame(flush);
  };

  return client.onEvents((events) => {
    for (const event of events) {
      switch (event.kind) {
        case 'job':
          jobs.set(event.job.id, event.job);
          deleted.delete(event.job.id);
          break;
        case 'job.deleted':
          jobs.delete(event.jobId);
          deleted.add(event.jobId);
          break;
        case 'task':
          tasks.set(event.task.id, event.task);
          break;
        case 'agent':
          agents.set(event.agent.agentId, event.agent);
          break;
        case 'notice':
          notices = [...notices, event].slice(-20);
          break;
        default:
          assertNever(event);
      }
    }
    schedule();
  });
}

function assertNever(event: never): void {
  void event; // a new event kind in the contract: handle it above
}
