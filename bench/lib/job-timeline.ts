import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a one-shot farm run's wall time went, read from its store afterwards (FARMHAND_HOME's
 * job document and task pages): the serial part before the first task starts, the tasks'
 * summed run time (core time, with one task per one-core agent), and the serial part after the
 * last work task ends. Turns "the farm is not 2× faster" into the exact costs that make it so.
 */
export interface TaskSpan {
  label: string;
  agentId: string | null;
  startedAt: number;
  endedAt: number;
}

export interface JobTimeline {
  tasks: TaskSpan[];
  createdAt: number;
  endedAt: number;
}

/** The newest job in a FARMHAND_HOME's store, with its tasks' start and end times. */
export async function readNewestJobTimeline(home: string): Promise<JobTimeline> {
  const jobsDir = join(home, 'store', 'jobs');
  const jobs = await Promise.all((await readdir(jobsDir)).map(async (id) => JSON.parse(await readFile(join(jobsDir, id, 'job.json'), 'utf8')) as { id: string; createdAt: number; endedAt: number | null }));
  const job = jobs.sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!job || job.endedAt === null) throw new Error(`no finished job in ${jobsDir}`);
  const pages = (await readdir(join(jobsDir, job.id))).filter((f) => /^tasks-\d+\.json$/.test(f));
  const tasks: TaskSpan[] = [];
  for (const page of pages) {
    const doc = JSON.parse(await readFile(join(jobsDir, job.id, page), 'utf8')) as { tasks: (TaskSpan & { startedAt: number | null; endedAt: number | null })[] };
    for (const t of doc.tasks) if (t.startedAt !== null && t.endedAt !== null) tasks.push({ label: t.label, agentId: t.agentId, startedAt: t.startedAt, endedAt: t.endedAt });
  }
  return { tasks, createdAt: job.createdAt, endedAt: job.endedAt };
}
