import { memo, useEffect, type KeyboardEvent, type MouseEvent } from 'react';
import { ChunkStrip } from '../../components/chunk-strip.js';
import { JobEta } from '../../components/job-eta.js';
import { JobWarnings } from '../../components/job-warnings.js';
import { StateBadge } from '../../components/state-badge.js';
import { WaitingReason } from '../../components/waiting-reason.js';
import { useFarmClient } from '../../farm-client-context.js';
import { describeJobFrames, shortJobId } from '../../model/find-jobs.js';
import { formatPercent, formatTime } from '../../model/format.js';
import { busyAgents, progressOf } from '../../model/job-progress.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { ensureJobTasks } from '../../stores/task-loader.js';
import { useTasksStore } from '../../stores/tasks-store.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { openJob } from '../../stores/ui-store.js';

/** One job in the list. It loads its own tasks (for the strip, ETA and busy agents) on first show. */
export interface JobRowProps {
  jobId: string;
  selected: boolean;
  tabbable: boolean;
  rowRef(element: HTMLTableRowElement | null): void;
  onRowClick(event: MouseEvent, jobId: string): void;
  onRowKeyDown(event: KeyboardEvent, jobId: string): void;
  onMenu(x: number, y: number, jobId: string): void;
}

export const JobRow = memo(function JobRow(p: JobRowProps) {
  const client = useFarmClient();
  const job = useJobsStore((s) => s.byId[p.jobId]);
  const tasks = useTasksStore((s) => s.byJob[p.jobId]);
  const generation = useConnectionStore((s) => s.generation);
  useEffect(() => ensureJobTasks(client, p.jobId), [client, p.jobId, generation]);
  if (!job) return null;
  const items = tasks?.items ?? [];
  const busy = busyAgents(items);
  return (
    <tr
      ref={p.rowRef}
      className={`job-row${p.selected ? ' selected' : ''}`}
      aria-selected={p.selected}
      tabIndex={p.tabbable ? 0 : -1}
      data-job-id={job.id}
      onClick={(e) => p.onRowClick(e, job.id)}
      onDoubleClick={() => openJob(job.id)}
      onKeyDown={(e) => p.onRowKeyDown(e, job.id)}
      onContextMenu={(e) => {
        e.preventDefault();
        p.onMenu(e.clientX, e.clientY, job.id);
      }}
    >
      <td className="job-name">
        <button type="button" className="link" tabIndex={-1} onClick={(e) => { e.stopPropagation(); openJob(job.id); }}>{job.name}</button>
        <span className="muted"> {job.type}</span>
        <span className="muted job-short-id" title={`Job id ${job.id}`}> #{shortJobId(job.id)}</span>
      </td>
      <td><StateBadge state={job.state} />{job.failure ? <span className="sr-only">: {job.failure}</span> : null}{job.pauseReason ? <div className="muted pause-reason">{job.pauseReason}</div> : null}<WaitingReason job={job} /><JobWarnings job={job} /></td>
      <td>
        <progress max={1} value={progressOf(job, items)} aria-label={`Progress of ${job.name}`} />
        <span className="progress-text">{formatPercent(progressOf(job, items))}</span>
      </td>
      <td className="chunks-cell">{tasks?.status === 'loaded' ? <ChunkStrip tasks={items} jobName={job.name} /> : <span className="muted">{tasks?.status === 'error' ? 'tasks could not be loaded' : 'loading…'}</span>}</td>
      <td><JobEta job={job} tasks={items} /></td>
      <td>{busy}</td>
      <td>{job.priority}</td>
      <td className="nowrap">{describeJobFrames(job) ?? <span aria-label="no frames">—</span>}</td>
      <td>{job.output ? <span className="job-output" title={job.output}><bdi>{job.output}</bdi></span> : '—'}</td>
      <td>{formatTime(job.createdAt)}</td>
      <td>
        <button
          type="button"
          className="icon"
          tabIndex={-1}
          aria-haspopup="menu"
          aria-label={`Actions for ${job.name}`}
          onClick={(e) => {
            e.stopPropagation();
            const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
            p.onMenu(r.left, r.bottom, job.id);
          }}
        >⋯</button>
      </td>
    </tr>
  );
});
