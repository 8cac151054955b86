import cliProgress from 'cli-progress';

/**
 * Job progress for a terminal: a live bar on a TTY, plain periodic lines otherwise (logs,
 * CI). Notices are printed above the bar without breaking it.
 */
export interface ProgressDisplay {
  update(o: { done: number; total: number; fraction: number; agents: number; running: number }): void;
  note(line: string): void;
  stop(): void;
}

/** `stream: null` (--quiet) shows nothing at all. */
export function createProgressDisplay(o: { label: string; unit: string; stream: NodeJS.WriteStream | null }): ProgressDisplay {
  const stream = o.stream;
  if (!stream) return { update: () => undefined, note: () => undefined, stop: () => undefined };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream,
      format: `${o.label} {bar} {percentage}% | {framesDone}/{framesTotal} ${o.unit} | {running} running on {agents} agent(s) | ETA {eta_formatted}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    });
    bar.start(1000, 0, { framesDone: 0, framesTotal: 0, agents: 0, running: 0 });
    return {
      update: (u) => bar.update(Math.round(u.fraction * 1000), { framesDone: u.done, framesTotal: u.total, agents: u.agents, running: u.running }),
      note: (line) => {
        stream.clearLine(0);
        stream.cursorTo(0);
        stream.write(`${line}\n`);
        bar.render();
      },
      stop: () => bar.stop(),
    };
  }
  let lastLine = 0;
  let lastDone = -1;
  return {
    update(u) {
      const now = Date.now();
      if (u.done === lastDone && now - lastLine < 5000) return;
      if (u.done !== u.total && now - lastLine < 1000) return;
      lastLine = now;
      lastDone = u.done;
      stream.write(`${o.label}: ${u.done}/${u.total} ${o.unit} (${Math.floor(u.fraction * 100)}%), ${u.running} running on ${u.agents} agent(s)\n`);
    },
    note: (line) => stream.write(`${line}\n`),
    stop: () => undefined,
  };
}
