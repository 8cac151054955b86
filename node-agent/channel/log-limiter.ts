/**
 * Logging about what peers do wrong, bounded: a peer that sends garbage in a loop must not fill
 * the disk with log lines or the memory with strings (a flood of 325,500 bad messages once
 * printed 108,500 warnings). Per key (a peer's address, an agent's id) the first few lines of
 * a window are written as they come; the rest are counted and summed up in one line when the
 * window ends. The number of keys is bounded too.
 */

export interface LogLimiterOptions {
  /** Lines written per key and window before the rest are only counted. */
  perWindow?: number;
  windowMs?: number;
  /** Keys tracked at once; beyond this, lines of new keys share one overflow key. */
  maxKeys?: number;
}

interface KeyWindow {
  written: number;
  suppressed: number;
}

const OVERFLOW_KEY = 'other peers';

export class LogLimiter {
  private readonly windows = new Map<string, KeyWindow>();
  private timer: NodeJS.Timeout | null = null;
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(private readonly write: (line: string) => void, o: LogLimiterOptions = {}) {
    this.perWindow = o.perWindow ?? 5;
    this.windowMs = o.windowMs ?? 10_000;
    this.maxKeys = o.maxKeys ?? 256;
  }

  /** Writes `line` unless `key` has used up its lines for this window; then it is counted. */
  note(key: string, line: string): void {
    const k = this.windows.has(key) || this.windows.size < this.maxKeys ? key : OVERFLOW_KEY;
    let w = this.windows.get(k);
    if (!w) {
      w = { written: 0, suppressed: 0 };
      this.windows.set(k, w);
      this.arm();
    }
    if (w.written < this.perWindow) {
      w.written++;
      this.write(line);
    } else {
      w.suppressed++;
    }
  }

  /** Writes the pending summaries now and forgets every window (on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [key, w] of this.windows) {
      if (w.suppressed > 0) this.write(`${w.suppressed.toLocaleString('en-US')} more such line(s) about ${key} were not logged (at most ${this.perWindow} per ${Math.round(this.windowMs / 1000)} s)`);
    }
    this.windows.clear();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref();
  }
}
