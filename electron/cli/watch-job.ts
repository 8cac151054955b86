import type { JobSummary } from '../controller/api/views.js';
import { createProgressDisplay } from './progress-display.js';
import { runToEnd } from '../farm/run-to-end.js';
import type { Farm } from '../farm/start-farm.js';
import type { TerminalOutput } from './terminal-output.js';

/**
 * Follows one job of this process's farm to its end in the terminal: progress, notices
 * (agents lost, refused, failing), Ctrl-C to cancel. The farm (run-to-end.ts) counts the
 * frames and fails a job no agent can ever run; this only draws it.
 */
export async function watchJob(farm: Farm, terminal: TerminalOutput, jobId: string, o: { label: string; unit: string }): Promise<JobSummary> {
  const display = createProgressDisplay({ label: o.label, unit: o.unit, stream: terminal.quiet ? null : process.stderr });
  const run = runToEnd(farm, jobId, (p) => display.update(p));
  const previousNoticeSink = terminal.showNotice;
  terminal.showNotice = (line) => !terminal.quiet && display.note(line);
  const onSigint = () => {
    display.note('Canceling… (press Ctrl-C again to quit at once)');
    run.cancel();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    return await run.ended;
  } finally {
    process.off('SIGINT', onSigint);
    terminal.showNotice = previousNoticeSink;
    display.stop();
  }
}
