import { readFile, writeFile } from 'node:fs/promises';

/**
 * A bash wrapper around Blender that notes when each rendering Blender process started and
 * ended, so a farm run can be split into "Blender rendering" and "everything else" (CLI, plan,
 * transfer, the gaps between chunks). bash's own clock ($EPOCHREALTIME, no `date` process) keeps
 * the wrapper's cost out of the figures. Calls that render nothing (`--version`, probes) pass
 * straight through, unnoted.
 */

export interface BlenderRun {
  /** epoch milliseconds */
  start: number;
  end: number;
}

export async function writeTimedBlender(wrapperPath: string, blender: string, timesFile: string): Promise<void> {
  const script = [
    '#!/bin/bash',
    // Only renders (an animation or a frame list) are noted.
    'case " $* " in *" -a "*|*" -f "*) ;; *) exec ' + JSON.stringify(blender) + ' "$@" ;; esac',
    'start=$EPOCHREALTIME',
    `${JSON.stringify(blender)} "$@"`,
    'rc=$?',
    'end=$EPOCHREALTIME',
    `echo "$start $end" >> ${JSON.stringify(timesFile)}`,
    'exit $rc',
    '',
  ].join('\n');
  await writeFile(wrapperPath, script, { mode: 0o755 });
}

/** The runs noted since the file was last emptied, in start order (none when it does not exist). */
export async function readBlenderRuns(timesFile: string): Promise<BlenderRun[]> {
  const text = await readFile(timesFile, 'utf8').catch(() => '');
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const [start, end] = line.split(' ').map((t) => Number(t.replace(',', '.')) * 1000);
    return { start: start!, end: end! };
  }).sort((a, b) => a.start - b.start);
}

/** The sum of every run's duration (ms): runs on different agents overlap in time, and each counts in full. */
export function blenderBusyMs(runs: readonly BlenderRun[]): number {
  return runs.reduce((sum, r) => sum + (r.end - r.start), 0);
}
