import { memo } from 'react';
import type { TaskView } from '../../../electron/controller/api/contract.js';
import { chunkSegments, countStates, describeCounts } from '../model/chunk-buckets.js';

/**
 * One coloured segment per chunk (or run of chunks), each with a tooltip naming its frames and
 * state, a pattern for failed and running ones, and the counts written out beside it: colour
 * is never the only carrier.
 */
export const ChunkStrip = memo(function ChunkStrip({ tasks, jobName }: { tasks: readonly TaskView[]; jobName: string }) {
  const segments = chunkSegments(tasks, 60);
  const summary = describeCounts(countStates(tasks));
  return (
    <div className="chunk-strip-wrap">
      <div className="chunk-strip" role="img" aria-label={`Chunks of ${jobName}: ${summary}`}>
        {segments.map((s) => (
          <span key={s.key} className={`chunk chunk-${s.state}`} title={s.label} />
        ))}
      </div>
      <span className="chunk-summary">{summary}</span>
    </div>
  );
});
