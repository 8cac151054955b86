import type { ApiClient } from '../controller/api/api-client.js';
import type { ApiEvent, JobDetail, JobState, Page, TaskState } from '../controller/api/contract.js';
import { JobNews } from './job-news.js';
import { createProgressDisplay } from './progress-display.js';
import { UserError } from './user-error.js';

/**
 * Follows a job on a running controller until it ends, from the events the controller
 * pushes: a progress bar on a terminal, plain lines otherwise, notices above it. Ctrl-C
 * stops watching only; the job goes on on the controller.
 */

const TERMINAL: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'canceled']);

/** Paused by the controller because two agents failed with the same error of the scene: nothing moves until the user resumes it. */
function stoppedForError(job: Pick<JobDetail, 'state' | 'pauseCause'>): boolean {
  return job.state === 'paused' && job.pauseCause === 'fail-fast';
}

export class StoppedWatching extends Error {
  override name = 'StoppedWatching';
}

/** Every item of a paged listing (bounded: at most `max` items). */
export async function listAll<T>(fetchPage: (offset: number) => Promise<Page<T>>, max = 1_000_000): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetchPage(items.length);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total || items.length >= max) return items;
  }
}

export async function followJob(client: ApiClient, jobId: string, o: { stream: NodeJS.WriteStream | null }): Promise<JobDetail> {
  const tasks = new Map<string, { state: TaskState; progress: number }>();
  const online = new Map<string, boolean>();
  let ready = false;
  let finish: (error?: Error) => void = () => undefined;
  const ended = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  ended.catch(() => undefined); // an end that comes before it is awaited is not an unhandled rejection
  let display: ReturnType<typeof createProgressDisplay> | null = null;
  // Why the job waits and what it warned about, each said once when it changes or comes (job-news.ts).
  const news = new JobNews((line) => display?.note(line));

  const apply = (event: ApiEvent) => {
    switch (event.kind) {
      case 'job':
        if (event.job.id !== jobId) break;
        news.seen(event.job);
        if (TERMINAL.has(event.job.state) || stoppedForError(event.job)) finish();
        break;
      case 'job.deleted':
        if (event.jobId === jobId) finish(new UserError(`Job ${jobId} was deleted while it was being watched.`));
        break;
      case 'task':
        if (event.task.jobId === jobId) tasks.set(event.task.id, { state: event.task.state, progress: event.task.progress });
        break;
      case 'agent':
        online.set(event.agent.agentId, event.agent.online && event.agent.enabled);
        break;
      case 'notice':
        news.notice(event.text, (text) => display?.note(`${event.level === 'info' ? '' : `${event.level}: `}${text}`));
        break;
    }
  };
  // Subscribed before the first look, so an end that comes while looking is not missed;
  // events older than that look are dropped (the look already has their state).
  const unsubscribe = client.onEvents((events) => {
    if (!ready) return;
    for (const event of events) apply(event);
    refresh();
  });
  const stopOnClose = client.onClose((error) => finish(error));

  const refresh = () => {
    if (!display || !detail) return;
    let done = 0;
    let sum = 0;
    let running = 0;
    for (const t of tasks.values()) {
      if (t.state === 'succeeded') done++;
      if (t.state === 'running' || t.state === 'assigned') running++;
      sum += t.state === 'succeeded' ? 1 : t.progress;
    }
    const total = Math.max(detail.taskCount, tasks.size);
    display.update({ done, total, fraction: total ? sum / total : 0, agents: [...online.values()].filter(Boolean).length, running });
  };

  let detail: JobDetail | null = null;
  let ticker: NodeJS.Timeout | null = null;
  const onSigint = () => finish(new StoppedWatching(`Stopped watching; job ${jobId} goes on (stop it with \`farmhand cancel ${jobId}\`).`));
  try {
    detail = await client.call('jobs.get', { jobId });
    if (TERMINAL.has(detail.state) || stoppedForError(detail)) return detail;
    news.known(detail);
    const [allTasks, agents] = await Promise.all([
      listAll((offset) => client.call('tasks.list', { jobId, offset, limit: 1000 })),
      client.call('agents.list', {}),
    ]);
    for (const t of allTasks) tasks.set(t.id, { state: t.state, progress: t.progress });
    for (const a of agents) online.set(a.agentId, a.online && a.enabled);
    ready = true;
    display = createProgressDisplay({ label: detail.name, unit: 'tasks', stream: o.stream });
    refresh();
    news.seen(detail);
    ticker = setInterval(refresh, 500);
    process.once('SIGINT', onSigint);
    // The job may have ended between the first look and the subscription taking effect.
    const again = await client.call('jobs.get', { jobId });
    news.seen(again);
    if (TERMINAL.has(again.state) || stoppedForError(again)) finish();
    await ended;
    const final = await client.call('jobs.get', { jobId });
    for (const t of await listAll((offset) => client.call('tasks.list', { jobId, offset, limit: 1000 }))) tasks.set(t.id, { state: t.state, progress: t.progress });
    detail = final;
    refresh();
    return final;
  } finally {
    if (ticker) clearInterval(ticker);
    process.off('SIGINT', onSigint);
    unsubscribe();
    stopOnClose();
    display?.stop();
  }
}
