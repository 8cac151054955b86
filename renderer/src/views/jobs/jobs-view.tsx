import { useShallow } from 'zustand/react/shallow';
import { EmptyState } from '../../components/empty-state.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { setSubmitOpen, useUiStore } from '../../stores/ui-store.js';
import { JobDetailView } from '../job-detail/job-detail-view.js';
import { JobsFindBar } from './jobs-find-bar.js';
import { JobsTable } from './jobs-table.js';
import { JobsToolbar } from './jobs-toolbar.js';

/** The jobs list, or one job's detail when one is open. */
export function JobsView() {
  const openJobId = useUiStore((s) => s.openJobId);
  const { loaded, loadError, count } = useJobsStore(useShallow((s) => ({ loaded: s.loaded, loadError: s.loadError, count: s.order.length })));
  if (openJobId) return <JobDetailView jobId={openJobId} />;
  return (
    <section aria-labelledby="jobs-heading" className="view">
      <h1 id="jobs-heading">Jobs</h1>
      <JobsToolbar />
      {loadError ? <p className="error" role="alert">{loadError}</p> : null}
      {!loaded ? (
        <p className="muted">Loading jobs…</p>
      ) : count === 0 ? (
        <EmptyState title="No jobs yet.">
          <p>Submit a Blender scene or a video to transcode: <button type="button" className="link" onClick={() => setSubmitOpen(true)}>Submit job…</button></p>
          <p>From a terminal: <code>farmhand submit /path/to/scene.blend</code></p>
        </EmptyState>
      ) : (
        <>
          <JobsFindBar />
          <div className="table-scroll">
            <JobsTable />
          </div>
        </>
      )}
    </section>
  );
}
