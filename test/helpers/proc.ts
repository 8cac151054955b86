import type { ChildProcess } from 'node:child_process';

/** A child process whose output lines are kept with their arrival times, to wait for and to assert on. */
export class Proc {
  readonly lines: { t: number; text: string }[] = [];
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    const take = (data: Buffer) => {
      for (const text of data.toString().split('\n')) if (text.trim()) this.lines.push({ t: Date.now(), text });
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }
  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }
  async waitFor(re: RegExp, timeoutMs: number): Promise<{ t: number; text: string }> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
      const hit = this.lines.find((l) => re.test(l.text));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${re}; output so far:\n${this.text().slice(-3000)}`);
  }
}

/**
 * How long a test waits for a farmhand-agent's "listening on" line on its first start: the line
 * follows the tool probe, which runs Blender twice (`--version`, then Cycles' device probe), and
 * a busy 2-core machine has taken over 20 s for that.
 */
export const AGENT_FIRST_START_MS = 60_000;
