import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ModalDialog } from '../../components/modal-dialog.js';
import { useFarmClient } from '../../farm-client-context.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { cancelQuestion } from '../../model/job-action-labels.js';
import { cancelJobs, closeActionDialog, deleteJobs, setPriority, useActionDialogStore } from './job-action-runner.js';

/** The questions some job actions ask first: a new priority, or whether to really delete. */
export function JobActionDialogs() {
  const { kind, jobIds } = useActionDialogStore();
  if (kind === 'priority') return <PriorityDialog jobIds={jobIds} />;
  if (kind === 'delete') return <DeleteDialog jobIds={jobIds} />;
  if (kind === 'cancel') return <CancelDialog jobIds={jobIds} />;
  return null;
}

function describeJobs(jobIds: readonly string[]): string {
  const byId = useJobsStore.getState().byId;
  return jobIds.length === 1 ? `“${byId[jobIds[0]!]?.name ?? jobIds[0]}”` : `${jobIds.length} jobs`;
}

function DeleteDialog({ jobIds }: { jobIds: string[] }) {
  const client = useFarmClient();
  return (
    <ConfirmDialog
      title="Delete jobs"
      text={`Delete ${describeJobs(jobIds)}? Unfinished tasks are canceled; frames already collected stay on disk.`}
      confirmLabel="Delete"
      onCancel={closeActionDialog}
      onConfirm={() => {
        closeActionDialog();
        void deleteJobs(client, jobIds);
      }}
    />
  );
}

function CancelDialog({ jobIds }: { jobIds: string[] }) {
  const client = useFarmClient();
  const byId = useJobsStore.getState().byId;
  const question = cancelQuestion(jobIds.map((id) => byId[id]).filter((j) => j !== undefined));
  return (
    <ConfirmDialog
      title={question.title}
      text={question.text}
      confirmLabel={question.confirmLabel}
      onCancel={closeActionDialog}
      onConfirm={() => {
        closeActionDialog();
        void cancelJobs(client, jobIds);
      }}
    />
  );
}

function PriorityDialog({ jobIds }: { jobIds: string[] }) {
  const client = useFarmClient();
  const first = useJobsStore((s) => s.byId[jobIds[0]!]);
  const [value, setValue] = useState(String(first?.priority ?? 50));
  const n = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 100;
  return (
    <ModalDialog title="Set priority" onClose={closeActionDialog}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!valid) return;
          closeActionDialog();
          void setPriority(client, jobIds, n);
        }}
      >
        <p>Higher runs first. Applies to {describeJobs(jobIds)}.</p>
        <label className="field">
          <span>Priority (0–100)</span>
          <input type="number" min={0} max={100} step={1} value={value} autoFocus aria-invalid={!valid} onChange={(e) => setValue(e.target.value)} />
        </label>
        {!valid ? <p className="field-error" role="alert">Give a whole number from 0 to 100.</p> : null}
        <div className="dialog-buttons">
          <button type="button" onClick={closeActionDialog}>Cancel</button>
          <button type="submit" className="primary" disabled={!valid}>Set priority</button>
        </div>
      </form>
    </ModalDialog>
  );
}
