import { Notification, shell } from 'electron';
import { stat } from 'node:fs/promises';
import type { ApiEvent, FarmApi, JobSummary } from '../controller/api/contract.js';
import { JobEndWatch, jobNotice, type JobEnding, type NotificationAction } from './job-endings.js';

/**
 * Desktop notifications when a job succeeds or fails (which ones: job-endings.ts), with the
 * actions "Open output folder" and "Requeue failed" as buttons where the system shows them
 * (macOS, Windows); everywhere a click on the notice brings the window forward.
 */

export interface JobNotifierOptions {
  api: FarmApi;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  iconPath: string;
  showWindow(): void;
  /** Tells the user something went wrong with an action (the window shows notices). */
  report(text: string): void;
}

export async function startJobNotifier(o: JobNotifierOptions): Promise<{ close(): void }> {
  const watch = new JobEndWatch();
  watch.prime(await allJobs(o.api));
  // Electron drops a notification's handlers when the object is collected: keep each until it closes.
  const shown = new Set<Notification>();

  const act = async (job: JobSummary, action: NotificationAction) => {
    if (action === 'open-output') {
      const { outputDir } = await o.api['jobs.get']({ jobId: job.id });
      if (!(await stat(outputDir).catch(() => null))?.isDirectory()) return o.report(`The output folder ${outputDir} is not there any more.`);
      const problem = await shell.openPath(outputDir);
      if (problem) o.report(`The output folder could not be opened: ${problem}`);
    } else {
      const { requeued } = await o.api['jobs.retry']({ jobId: job.id });
      o.report(`Job "${job.name}": ${requeued} task(s) requeued.`);
    }
  };

  const notify = (job: JobSummary, ending: JobEnding) => {
    if (!Notification.isSupported()) return;
    const notice = jobNotice(job, ending);
    const n = new Notification({ title: notice.title, body: notice.body, icon: o.iconPath, actions: notice.actions.map((a) => ({ type: 'button' as const, text: a.label })) });
    shown.add(n);
    n.on('click', () => o.showWindow());
    n.on('action', (details) => {
      const chosen = notice.actions[details.actionIndex];
      if (chosen) void act(job, chosen.action).catch((error: Error) => o.report(error.message));
    });
    n.on('close', () => shown.delete(n));
    n.show();
  };

  const stop = o.onEvent((event) => {
    if (event.kind === 'job.deleted') return watch.forget(event.jobId);
    if (event.kind !== 'job') return;
    const ending = watch.update(event.job);
    if (ending) notify(event.job, ending);
  });
  return {
    close() {
      stop();
      shown.clear();
    },
  };
}

/** Every job, page by page (bounded: a million jobs is far beyond any farm). */
async function allJobs(api: FarmApi): Promise<JobSummary[]> {
  const jobs: JobSummary[] = [];
  for (let offset = 0; offset < 1_000_000; offset += 1000) {
    const page = await api['jobs.list']({ offset, limit: 1000 });
    jobs.push(...page.items);
    if (jobs.length >= page.total || page.items.length === 0) break;
  }
  return jobs;
}
