import type { FarmClient } from '../client/farm-client.js';
import { errorMessage } from '../client/farm-client.js';
import { fetchAllPages } from '../client/fetch-all-pages.js';
import type { TaskView } from '../../../electron/controller/api/contract.js';
import { useConnectionStore } from './connection-store.js';
import { markTasksLoading, setLoadedTasks, setTasksLoadError, useTasksStore } from './tasks-store.js';

/**
 * Fetches a job's tasks (tasks.list, 1000 a page) when a view first needs them, at most two
 * jobs at a time so opening a long job list does not flood the controller.
 */
const PAGE = 1000;
/** A job has at most this many pages fetched (10 million tasks): a bound, not a real limit. */
const MAX_PAGES = 10_000;
const CONCURRENT = 2;

const queue: string[] = [];
let running = 0;

export function ensureJobTasks(client: FarmClient, jobId: string): void {
  const generation = useConnectionStore.getState().generation;
  if (generation === 0) return;
  const have = useTasksStore.getState().byJob[jobId];
  if (have && have.generation === generation && have.status !== 'error') return;
  if (queue.includes(jobId)) return;
  markTasksLoading(jobId, generation);
  queue.push(jobId);
  pump(client);
}

function pump(client: FarmClient): void {
  while (running < CONCURRENT && queue.length > 0) {
    const jobId = queue.shift()!;
    running++;
    void load(client, jobId).finally(() => {
      running--;
      pump(client);
    });
  }
}

async function load(client: FarmClient, jobId: string): Promise<void> {
  const generation = useConnectionStore.getState().generation;
  try {
    const items: TaskView[] = await fetchAllPages((offset, limit) => client.call('tasks.list', { jobId, offset, limit }), { pageSize: PAGE, maxPages: MAX_PAGES });
    setLoadedTasks(jobId, items, generation);
  } catch (error) {
    setTasksLoadError(jobId, errorMessage(error), generation);
  }
}
