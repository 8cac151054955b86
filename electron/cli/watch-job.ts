import type { JobSummary, TaskRecord } from '../controller/model/job-model.js';
import { createProgressDisplay } from './progress-display.js';
import type { Farm } from '../farm/start-farm.js';
import type { TerminalOutput } from './terminal-output.js';

/**
 * Follows one job to its end in the terminal: progress, notices (agents lost, refused,
 * failing), Ctrl-C to cancel, and a clear failure when no agent can ever run the job
 * instead of waiting forever.
 */
export async function watchJob(farm: Farm, terminal: TerminalOutput, jobId: string, o: { unit: string; countOf(task: TaskRecord): number }): Promise<JobSummary> {
  const { controller } = farm;
  const job = controller.scheduler.job(jobId)!;
  const total = job.record.tasks.reduce((n, t) => n + o.countOf(t), 0);
  const display = createProgressDisplay({ label: job.record.name, unit: o.unit, stream: terminal.quiet ? null : process.stderr });
  let done = 0;
  const refresh = () => {
    const agents = controller.agents().filter((a) => a.online).length;
    display.update({ done, total, fraction: job.progress(), agents, running: job.counts.running + job.counts.assigned });
  };
  const onTask = (task: TaskRecord) => {
    if (task.jobId !== jobId) return;
    if (task.state === 'succeeded') done += o.countOf(task); // a task enters succeeded once
    refresh();
  };
  const previousNoticeSink = terminal.showNotice;
  terminal.showNotice = (line) => !terminal.quiet && display.note(line);
  controller.events.on('task', onTask);
  const ticker = setInterval(refresh, 500);

  // Nobody able to run it: give discovery and reconnection a grace period, then fail clearly.
  let stuckSince: number | null = null;
  const watchdog = setInterval(() => {
    const reason = job.unrunnableReason;
    if (!reason || !job.hasQueued()) {
      stuckSince = null;
      return;
    }
    stuckSince ??= Date.now();
    if (Date.now() - stuckSince >= farm.options.agentWait * 1000) {
      controller.scheduler.jobControls.cancelJob(jobId, `No agent can run this job: ${reason} Start an agent with the farm key (\`farmhand key\`), add one with --agent wss://HOST:PORT, or keep the local agent.`);
    }
  }, 250);
  const onSigint = () => {
    display.note('Canceling… (press Ctrl-C again to quit at once)');
    controller.scheduler.jobControls.cancelJob(jobId);
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const summary = await controller.waitForJob(jobId);
    refresh();
    return summary;
  } finally {
    clearInterval(ticker);
    clearInterval(watchdog);
    process.off('SIGINT', onSigint);
    controller.events.off('task', onTask);
    terminal.showNotice = previousNoticeSink;
    display.stop();
  }
}
