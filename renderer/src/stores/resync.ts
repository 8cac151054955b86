import type { FarmClient } from '../client/farm-client.js';
import { errorMessage } from '../client/farm-client.js';
import type { JobSummary } from '../../../electron/controller/api/contract.js';
import { replaceAgents } from './agents-store.js';
import { replaceJobs, setJobsLoadError } from './jobs-store.js';
import { pushNotice } from './notices-store.js';
import { refreshQueueState } from './queue-store.js';

/** A job list has at most this many pages fetched: a bound for the loop, far above real farms. */
const MAX_JOB_PAGES = 1000;

/**
 * Loads the job list, the agents and whether the queue is paused afresh. Runs on every
 * (re)connection, since events sent while the page was disconnected are not replayed. Task
 * lists reload on their own: they are tagged with the connection generation (task-loader.ts).
 */
export async function resync(client: FarmClient): Promise<void> {
  await Promise.all([
    loadAllJobs(client).then(replaceJobs, (error) => setJobsLoadError(errorMessage(error))),
    client.call('agents.list', {}).then(replaceAgents, (error) => pushNotice('error', errorMessage(error))),
    refreshQueueState(client),
  ]);
}

async function loadAllJobs(client: FarmClient): Promise<JobSummary[]> {
  const jobs: JobSummary[] = [];
  for (let i = 0; i < MAX_JOB_PAGES; i++) {
    const page = await client.call('jobs.list', { offset: jobs.length, limit: 1000 });
    jobs.push(...page.items);
    if (page.items.length === 0 || jobs.length >= page.total) break;
  }
  return jobs;
}
