import { create } from 'zustand';
import type { JobSummary } from '../../../../electron/controller/api/contract.js';
import type { FarmClient } from '../../client/farm-client.js';
import { errorMessage } from '../../client/farm-client.js';
import { openOutputFolder, pageFolderHost } from '../../client/output-folder.js';
import { applyJobChanges, useJobsStore } from '../../stores/jobs-store.js';
import { pushNotice } from '../../stores/notices-store.js';
import { JOB_ACTIONS, targetsOf, type JobActionId } from '../../model/job-actions.js';

/**
 * Runs a job action on one or many jobs, from wherever it was asked for (toolbar, menu, keys,
 * detail view). Priority, delete and cancel first ask (job-action-dialogs.tsx; cancel stops
 * running and queued work, and one key once cancelled a 2,000-task job); opening the output
 * folder reads the job's folder first (only the detail has it); the rest run at once, job by
 * job, and a failure names the job and says why.
 */
export const useActionDialogStore = create<{ kind: 'priority' | 'delete' | 'cancel' | null; jobIds: string[] }>(() => ({ kind: null, jobIds: [] }));

export function closeActionDialog(): void {
  useActionDialogStore.setState({ kind: null, jobIds: [] });
}

export function requestJobAction(client: FarmClient, actionId: JobActionId, jobIds: readonly string[]): void {
  const action = JOB_ACTIONS.find((a) => a.id === actionId)!;
  const byId = useJobsStore.getState().byId;
  const jobs = targetsOf(action, jobIds.map((id) => byId[id]).filter((j): j is JobSummary => j !== undefined));
  if (jobs.length === 0) {
    const name = action.label.replace('…', '');
    pushNotice('warn', action.oneAtATime && jobIds.length > 1 ? `${name} works on one job at a time; select just one.` : `${name} does not apply to the selected job${jobIds.length === 1 ? '' : 's'}; pick jobs where the button is enabled.`);
    return;
  }
  const ids = jobs.map((j) => j.id);
  if (actionId === 'open-folder') {
    void showOutputFolder(client, ids[0]!);
    return;
  }
  if (actionId === 'priority' || actionId === 'delete' || actionId === 'cancel') {
    useActionDialogStore.setState({ kind: actionId, jobIds: ids });
    return;
  }
  void runOnEach(client, ids, (jobId) => {
    switch (actionId) {
      case 'pause':
        return client.call('jobs.pause', { jobId });
      case 'resume':
        return client.call('jobs.resume', { jobId });
      case 'retry':
        return client.call('jobs.retry', { jobId });
    }
  });
}

export function setPriority(client: FarmClient, jobIds: readonly string[], priority: number): Promise<void> {
  return runOnEach(client, jobIds, (jobId) => client.call('jobs.setPriority', { jobId, priority }));
}

export function cancelJobs(client: FarmClient, jobIds: readonly string[]): Promise<void> {
  return runOnEach(client, jobIds, (jobId) => client.call('jobs.cancel', { jobId }));
}

export function deleteJobs(client: FarmClient, jobIds: readonly string[]): Promise<void> {
  return runOnEach(client, jobIds, (jobId) => client.call('jobs.delete', { jobId }));
}

async function showOutputFolder(client: FarmClient, jobId: string): Promise<void> {
  let outputDir: string;
  try {
    outputDir = (await client.call('jobs.get', { jobId })).outputDir;
  } catch (error) {
    const name = useJobsStore.getState().byId[jobId]?.name ?? jobId;
    pushNotice('error', `${name}: ${errorMessage(error)}`);
    return;
  }
  const outcome = await openOutputFolder(outputDir, pageFolderHost());
  if (outcome) pushNotice(outcome.level, outcome.text);
}

/** Calls one command per job; results that are job summaries update the list at once. */
async function runOnEach(client: FarmClient, jobIds: readonly string[], call: (jobId: string) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(jobIds.map((id) => call(id)));
  const changed: JobSummary[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      const value = r.value as Partial<JobSummary> | null;
      if (value && typeof value.state === 'string' && value.id) changed.push(value as JobSummary);
    } else {
      const name = useJobsStore.getState().byId[jobIds[i]!]?.name ?? jobIds[i];
      pushNotice('error', `${name}: ${errorMessage(r.reason)}`);
    }
  });
  applyJobChanges(changed, []);
}
