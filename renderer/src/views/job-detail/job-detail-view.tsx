import { useEffect, useMemo, useState } from 'react';
import { JobEta } from '../../components/job-eta.js';
import { StateBadge } from '../../components/state-badge.js';
import { JobWarnings } from '../../components/job-warnings.js';
import { WaitingReason } from '../../components/waiting-reason.js';
import { errorMessage } from '../../client/farm-client.js';
import { useFarmClient } from '../../farm-client-context.js';
import { formatPercent, formatTime } from '../../model/format.js';
import { jobRendererLine } from '../../model/job-renderer.js';
import { JOB_ACTIONS } from '../../model/job-actions.js';
import { jobActionLabel } from '../../model/job-action-labels.js';
import { progressOf } from '../../model/job-progress.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { ensureJobTasks } from '../../stores/task-loader.js';
import { useTasksStore } from '../../stores/tasks-store.js';
import { openJob, openTask, useUiStore } from '../../stores/ui-store.js';
import { useFindStore } from '../../stores/find-store.js';
import { filterTasks } from '../../model/find-jobs.js';
import type { JobDetail, TaskView } from '../../../../electron/controller/api/contract.js';
import { requestJobAction } from '../jobs/job-action-runner.js';
import { JobCharts } from './charts/job-charts.js';
import { FrameGrid } from './frame-grid.js';
import { LogViewer } from './log-viewer.js';
import { TaskTable } from './task-table.js';
import { TaskStateFilterField } from './task-state-filter.js';

/** One job: its settings, actions, its frames as thumbnails (renders), every task (virtualised) and the log of the chosen task. */
export function JobDetailView({ jobId }: { jobId: string }) {
  const client = useFarmClient();
  const job = useJobsStore((s) => s.byId[jobId]);
  const tasks = useTasksStore((s) => s.byJob[jobId]);
  const generation = useConnectionStore((s) => s.generation);
  const [detail, setDetail] = useState<JobDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  // The chosen task is part of the URL (routing/route.ts): a link opens it, Back returns to the one before.
  const taskId = useUiStore((s) => s.openTaskId);
  const taskFilter = useFindStore((s) => s.tasks);
  const jobsLoaded = useJobsStore((s) => s.loaded);

  useEffect(() => ensureJobTasks(client, jobId), [client, jobId, generation]);
  // The summary's state and priority change with events; the rest of the detail is re-read then.
  useEffect(() => {
    let live = true;
    client.call('jobs.get', { jobId }).then(
      (d) => live && (setDetail(d), setDetailError(null)),
      (error) => live && setDetailError(errorMessage(error)),
    );
    return () => void (live = false);
  }, [client, jobId, job?.state, job?.priority, generation]);

  const back = () => openJob(null);
  const items = tasks?.items ?? [];
  const shownTasks = useMemo(() => filterTasks(items, taskFilter), [items, taskFilter]);
  if (!job && !jobsLoaded) return <section className="view" aria-labelledby="detail-heading"><h1 id="detail-heading">Loading job…</h1></section>;
  if (!job) {
    return (
      <section className="view" aria-labelledby="detail-heading">
        <h1 id="detail-heading">Job not found</h1>
        <p>This job no longer exists (it may have been deleted). <button type="button" className="link" onClick={back}>Back to all jobs</button></p>
      </section>
    );
  }
  const selectedTask: TaskView | undefined = items.find((t) => t.id === taskId);
  return (
    <section className="view job-detail" aria-labelledby="detail-heading" data-job-id={job.id}>
      <div className="detail-header">
        <button type="button" onClick={back}>← All jobs</button>
        <h1 id="detail-heading">{job.name}</h1>
        <StateBadge state={job.state} />
      </div>
      <div className="toolbar" role="toolbar" aria-label={`Actions for ${job.name}`}>
        {JOB_ACTIONS.filter((a) => a.appliesTo(job)).map((a) => (
          <button key={a.id} type="button" onClick={() => requestJobAction(client, a.id, [job.id])}>{jobActionLabel(a, [job])}</button>
        ))}
      </div>
      {job.failure ? <p className="error" role="alert">{job.failure}</p> : null}
      {job.pauseReason && job.state === 'paused' ? <p className="error pause-reason" role="status">Paused: {job.pauseReason}{job.pauseCause === 'fail-fast' ? ' Resume the job to try again.' : ''}</p> : null}
      <WaitingReason job={job} live />
      <JobWarnings job={job} />
      {detailError ? <p className="error" role="alert">{detailError}</p> : null}
      <dl className="facts">
        <dt>Progress</dt>
        <dd>
          <progress max={1} value={progressOf(job, items)} aria-label={`Progress of ${job.name}`} /> {formatPercent(progressOf(job, items))} ({job.succeededCount} of {job.taskCount} tasks done
          {job.failedCount ? `, ${job.failedCount} failed` : ''})
        </dd>
        <dt>Estimated time left</dt>
        <dd><JobEta job={job} tasks={items} /></dd>
        <dt>Type</dt>
        <dd>{job.type}</dd>
        <dt>Priority</dt>
        <dd>{job.priority}</dd>
        <dt>Tags</dt>
        <dd>{detail?.tags.length ? detail.tags.join(', ') : 'none (any agent)'}</dd>
        {job.type === 'blender' && detail ? (
          <>
            <dt>Renderer</dt>
            <dd data-fact="renderer">{jobRendererLine(detail.settings)}</dd>
          </>
        ) : null}
        {job.chunkPlan ? (
          <>
            <dt>Chunks</dt>
            <dd data-fact="chunks">{job.chunkPlan}</dd>
          </>
        ) : null}
        <dt>Output folder</dt>
        <dd><code>{detail?.outputDir ?? '…'}</code></dd>
        <dt>Submitted</dt>
        <dd>{formatTime(job.createdAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(detail?.endedAt ?? null)}</dd>
      </dl>
      <JobCharts job={job} tasks={items} settings={detail?.settings ?? null} onOpenFrame={(_frame, frameTaskId) => openTask(frameTaskId)} onOpenTask={openTask} />
      {job.type === 'blender' ? (
        <>
          <h2>Frames</h2>
          <FrameGrid jobId={job.id} tasks={items} />
        </>
      ) : null}
      <h2>Tasks</h2>
      {tasks?.status === 'error' ? <p className="error" role="alert">{tasks.error}</p> : null}
      {tasks?.status === 'loaded' || items.length ? <><TaskStateFilterField tasks={items} /><TaskTable tasks={shownTasks} selectedTaskId={taskId} onSelect={openTask} /></> : <p className="muted">Loading tasks…</p>}
      <h2>Log</h2>
      {selectedTask ? <LogViewer key={selectedTask.id} task={selectedTask} /> : <p className="muted">Choose a task above (click it, or move with the arrow keys and press Enter) to see its log.</p>}
    </section>
  );
}
