import { formatBytes } from '../../../model/format.js';
import { formatChartMs } from '../../../model/charts/chart-format.js';
import type { TranscodeStats } from '../../../model/charts/transcode-stats.js';

/** A transcode's figures in words: frames per second, speed against realtime, output size. */
export function TranscodeStatsView({ stats }: { stats: TranscodeStats }) {
  return (
    <dl className="facts transcode-stats" aria-label="Transcode figures">
      <dt>Encoding speed</dt>
      <dd data-fact="fps">{stats.fps !== null ? `${formatRate(stats.fps)} fps` : '—'}</dd>
      <dt>Speed</dt>
      <dd data-fact="speed">{stats.speed !== null ? `${formatRate(stats.speed)}× realtime` : '—'}</dd>
      <dt>Frames encoded</dt>
      <dd>{stats.framesDone} of {stats.frameCount} in {formatChartMs(stats.wallMs)}{stats.done ? '' : ' so far'}</dd>
      <dt>Output size</dt>
      <dd data-fact="output-size">{stats.outputBytes !== null ? formatBytes(stats.outputBytes) : stats.done ? 'not reported' : 'once the chunks are joined'}</dd>
    </dl>
  );
}

/** "412", "31.5", "2.40": three significant figures at most. */
export function formatRate(n: number): string {
  if (n >= 100) return String(Math.round(n));
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
