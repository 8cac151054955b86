import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './store/atomic-write.js';

/**
 * The log of every task attempt: the last lines of each, bounded per attempt, kept in memory
 * while they stream in and written to `<dir>/<taskId>.<attempt>.log` (coalesced, atomic), so
 * a wrangler can read why an attempt failed after the task ended and after a restart. A
 * chatty renderer cannot grow memory or disk without limit: lines are capped per attempt and
 * only recent attempts stay in memory.
 */
const MAX_LINES_PER_ATTEMPT = 2000;
const MAX_ATTEMPTS_IN_MEMORY = 2000;
const WRITE_DELAY_MS = 1000;

export class TaskLogs {
  private readonly logs = new Map<string, string[]>();
  /** Lines cut from the front of an attempt's log by the cap, so line numbers stay those of the whole log while it is in memory. */
  private readonly dropped = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  /** `dir`: where attempt logs are kept on disk; null keeps them in memory only (one-shot commands). */
  constructor(private readonly dir: string | null = null) {}

  append(taskId: string, attempt: number, lines: string[]): void {
    const key = keyOf(taskId, attempt);
    let log = this.logs.get(key);
    if (!log) {
      if (this.logs.size >= MAX_ATTEMPTS_IN_MEMORY) this.evictOldest();
      log = [];
      this.logs.set(key, log);
    }
    log.push(...lines);
    if (log.length > MAX_LINES_PER_ATTEMPT) {
      const cut = log.length - MAX_LINES_PER_ATTEMPT;
      log.splice(0, cut);
      this.dropped.set(key, (this.dropped.get(key) ?? 0) + cut);
    }
    if (this.dir) {
      this.dirty.add(key);
      this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS).unref();
    }
  }

  /** The attempt's lines (memory first, then disk); empty when it logged nothing. */
  async read(taskId: string, attempt: number): Promise<string[]> {
    const key = keyOf(taskId, attempt);
    const inMemory = this.logs.get(key);
    if (inMemory) return [...inMemory];
    if (!this.dir) return [];
    const text = await readFile(join(this.dir, `${key}.log`), 'utf8').catch(() => '');
    return text === '' ? [] : text.replace(/\n$/, '').split('\n');
  }

  /**
   * The attempt's lines from line `fromLine` on (0-based, counted over everything it printed),
   * so a viewer that follows a running task fetches only what is new. Lines cut by the cap are
   * gone: `firstLine` says where the answer really starts, and a viewer that sees a gap (or a
   * log that restarted numbering after a controller restart) replaces what it shows.
   */
  async readFrom(taskId: string, attempt: number, fromLine = 0): Promise<{ lines: string[]; firstLine: number; totalLines: number }> {
    const key = keyOf(taskId, attempt);
    const kept = await this.read(taskId, attempt);
    const dropped = this.logs.has(key) ? this.dropped.get(key) ?? 0 : 0;
    const totalLines = dropped + kept.length;
    const firstLine = fromLine > totalLines ? dropped : Math.max(fromLine, dropped);
    return { lines: kept.slice(firstLine - dropped), firstLine, totalLines };
  }

  /** Writes every changed attempt log now. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // The text is taken now, so an attempt evicted from memory meanwhile is still written.
    const batch = [...this.dirty].flatMap((key) => {
      const lines = this.logs.get(key);
      return lines ? [{ key, text: `${lines.join('\n')}\n` }] : [];
    });
    this.dirty.clear();
    const dir = this.dir;
    if (!dir || batch.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      await mkdir(dir, { recursive: true });
      for (const { key, text } of batch) {
        const file = join(dir, `${key}.log`);
        await writeFileAtomic(file, text); // a failed write (a full disk) leaves no partial temp file
      }
    }).catch(() => undefined); // a log that cannot be written is not worth stopping the farm for
    return this.writing;
  }

  /** Drops every attempt log of a deleted job's tasks (task ids start with the job id and a dot). */
  async removeJob(jobId: string): Promise<void> {
    for (const key of this.logs.keys()) {
      if (key.startsWith(`${jobId}.`)) {
        this.logs.delete(key);
        this.dropped.delete(key);
      }
    }
    if (!this.dir) return;
    await this.flush();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(`${jobId}.`)).map((n) => rm(join(this.dir!, n), { force: true })));
  }

  private evictOldest(): void {
    const oldest = this.logs.keys().next().value!;
    if (this.dirty.has(oldest)) void this.flush();
    this.logs.delete(oldest);
    this.dropped.delete(oldest);
  }
}

/** Task ids are schema-checked (`[A-Za-z0-9._:-]`); ':' is replaced so the file name is portable. */
function keyOf(taskId: string, attempt: number): string {
  return `${taskId.replace(/:/g, '_')}.${attempt}`;
}
