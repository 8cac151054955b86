import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EmptyState } from '../../components/empty-state.js';
import { useFarmClient } from '../../farm-client-context.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { ensureJobTasks } from '../../stores/task-loader.js';
import { useTasksStore } from '../../stores/tasks-store.js';
import { openJob } from '../../stores/ui-store.js';
import type { JobSummary } from '../../../../electron/controller/api/contract.js';
import { requestJobAction } from '../jobs/job-action-runner.js';
import { isInFailed, requeueCountOf, totalFailedOf } from '../../model/failed-jobs.js';
import { taskAgentName } from '../../model/task-agent.js';

/**
 * Every task that failed for good, and every job that failed, across jobs, grouped by job, with
 * why and on which agent. A job failed as a whole is here even when none of its tasks failed
 * (model/failed-jobs.ts). Requeueing takes two clicks: "Requeue…" then "Requeue n tasks"
 * (jobs.retry requeues a job's failed and canceled tasks).
 */
export function FailedView() {
  const jobs = useJobsStore(useShallow((s) => s.order.map((id) => s.byId[id]!).filter(isInFailed)));
  const [confirmAll, setConfirmAll] = useState(false);
  const client = useFarmClient();
  const total = totalFailedOf(jobs);
  return (
    <section className="view" aria-labelledby="failed-heading">
      <h1 id="failed-heading">Failed ({total})</h1>
      {jobs.length === 0 ? (
        <EmptyState title="No failed tasks.">
          <p>Tasks that fail on every attempt they are allowed show up here, with the reason, ready to requeue.</p>
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            {confirmAll ? (
              <>
                <span>Requeue the failed work of {jobs.length} job{jobs.length === 1 ? '' : 's'}?</span>
                <button type="button" className="primary" autoFocus onClick={() => { setConfirmAll(false); for (const j of jobs) requestJobAction(client, 'retry', [j.id]); }}>Requeue {jobs.length} job{jobs.length === 1 ? '' : 's'}</button>
                <button type="button" onClick={() => setConfirmAll(false)}>Keep</button>
              </>
            ) : (
              <button type="button" onClick={() => setConfirmAll(true)}>Requeue all…</button>
            )}
          </div>
          {jobs.map((job) => <FailedJob key={job.id} job={job} />)}
        </>
      )}
    </section>
  );
}

function FailedJob({ job }: { job: JobSummary }) {
  const client = useFarmClient();
  const generation = useConnectionStore((s) => s.generation);
  const tasks = useTasksStore((s) => s.byJob[job.id]);
  const agents = useAgentsStore((s) => s.byId);
  const [confirm, setConfirm] = useState(false);
  useEffect(() => ensureJobTasks(client, job.id), [client, job.id, generation]);
  const failed = (tasks?.items ?? []).filter((t) => t.state === 'failed');
  const requeue = requeueCountOf(job, tasks?.status === 'loaded' ? tasks.items : undefined);
  const headingId = `failed-${job.id}`;
  return (
    <article className="failed-job" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <button type="button" className="link" onClick={() => openJob(job.id)}>{job.name}</button>
        <span className="muted"> — {job.failedCount > 0 ? `${job.failedCount} task${job.failedCount === 1 ? '' : 's'} failed` : 'the job failed'}</span>
      </h2>
      <div className="toolbar">
        {confirm ? (
          <>
            <button type="button" className="primary" autoFocus onClick={() => { setConfirm(false); requestJobAction(client, 'retry', [job.id]); }}>Requeue {requeue} task{requeue === 1 ? '' : 's'}</button>
            <button type="button" onClick={() => setConfirm(false)}>Keep</button>
          </>
        ) : (
          <button type="button" aria-label={`Requeue failed tasks of ${job.name}…`} onClick={() => setConfirm(true)}>Requeue…</button>
        )}
      </div>
      {job.failure ? <p className="error">Job failed: {job.failure}</p> : null}
      {tasks?.status === 'error' ? <p className="error" role="alert">{tasks.error}</p> : null}
      <table className="plain-table">
        <caption className="sr-only">Failed tasks of {job.name}</caption>
        <thead>
          <tr><th scope="col">Task</th><th scope="col">Reason</th><th scope="col">Attempts</th><th scope="col">Failed on</th></tr>
        </thead>
        <tbody>
          {failed.map((t) => (
            <tr key={t.id}>
              <td>{t.label}</td>
              <td className="error-text">{t.error ?? 'no reason given'}</td>
              <td>{t.attempt}</td>
              <td>{taskAgentName(t, agents)}</td>
            </tr>
          ))}
          {tasks?.status !== 'loaded' ? <tr><td colSpan={4} className="muted">Loading tasks…</td></tr> : null}
          {tasks?.status === 'loaded' && failed.length === 0 ? <tr><td colSpan={4} className="muted">No task failed for good; the job's unfinished tasks were canceled when it failed.</td></tr> : null}
        </tbody>
      </table>
    </article>
  );
}
