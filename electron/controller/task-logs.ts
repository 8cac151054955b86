/**
 * The last lines of every task attempt's log, bounded per attempt and in the number of
 * attempts kept, so a chatty renderer cannot grow the controller's memory without limit.
 */
const MAX_LINES_PER_ATTEMPT = 2000;
const MAX_ATTEMPTS_KEPT = 5000;

export class TaskLogs {
  private readonly logs = new Map<string, string[]>();

  append(taskId: string, attempt: number, lines: string[]): void {
    const key = `${taskId}#${attempt}`;
    let log = this.logs.get(key);
    if (!log) {
      if (this.logs.size >= MAX_ATTEMPTS_KEPT) this.logs.delete(this.logs.keys().next().value!);
      log = [];
      this.logs.set(key, log);
    }
    log.push(...lines);
    if (log.length > MAX_LINES_PER_ATTEMPT) log.splice(0, log.length - MAX_LINES_PER_ATTEMPT);
  }

  read(taskId: string, attempt: number): string[] {
    return this.logs.get(`${taskId}#${attempt}`) ?? [];
  }
}
