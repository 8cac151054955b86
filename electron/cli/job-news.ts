import type { JobSummary } from '../controller/api/contract.js';

/**
 * What a followed job has to say beyond its progress: why it waits (the controller's waiting
 * reason: "no agent has Blender ≥ 4.1 for shot.blend (saved by 4.1).") when that changes, and
 * each warning the job gains while it runs (a GPU scene rendered on a CPU agent), once. The
 * controller's notice of the same wait is the same line: whichever comes first is said, the
 * other not.
 */
export class JobNews {
  private name = '';
  private waiting: string | null = null;
  private readonly warnings = new Set<string>();
  /** Waiting lines said since the job last ran. */
  private readonly said = new Set<string>();

  constructor(private readonly say: (line: string) => void) {}

  /** The job as first looked at: its submit warnings were printed already, so only later ones are news. */
  known(job: JobSummary): void {
    this.name = job.name;
    for (const warning of job.warnings ?? []) this.warnings.add(warning);
  }

  /** A later look at the job (an event, a fetch): says what changed. */
  seen(job: JobSummary): void {
    const waiting = job.waitingReason ?? null;
    if (waiting !== this.waiting) {
      this.waiting = waiting;
      if (waiting === null) this.said.clear();
      else this.once(this.waitingLine(waiting), (line) => this.say(line));
    }
    for (const warning of job.warnings ?? []) {
      if (this.warnings.has(warning)) continue;
      this.warnings.add(warning);
      this.say(`Warning: ${warning}`);
    }
  }

  /** A controller notice, said through `print` unless it is this job's waiting line, said already. */
  notice(text: string, print: (text: string) => void): void {
    if (text.startsWith(this.waitingLine(''))) this.once(text, print);
    else print(text);
  }

  /** The controller's own words for the wait (dispatcher.ts's notice), so both read the same. */
  private waitingLine(reason: string): string {
    return `Job "${this.name}" is waiting: ${reason}`;
  }

  private once(line: string, print: (line: string) => void): void {
    if (this.said.has(line)) return;
    this.said.add(line);
    print(line);
  }
}
