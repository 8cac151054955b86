/**
 * Batches a task's log lines into `task.log` messages (a burst of Blender output becomes a
 * few messages, not thousands) and bounds what one task may send, so a runaway tool cannot
 * flood the controller.
 */
const FLUSH_MS = 200;
const MAX_BATCH = 200;
const MAX_LINE = 2000;
const MAX_LINES_PER_TASK = 20_000;

export class TaskLogBuffer {
  private lines: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private total = 0;

  constructor(private readonly sendBatch: (lines: string[]) => void) {}

  push(line: string): void {
    if (this.total >= MAX_LINES_PER_TASK) return;
    this.total++;
    this.lines.push(this.total === MAX_LINES_PER_TASK ? '[farmhand: log truncated]' : line.slice(0, MAX_LINE));
    if (this.lines.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.lines.length === 0) return;
    const batch = this.lines;
    this.lines = [];
    this.sendBatch(batch);
  }
}
