import { useShallow } from 'zustand/react/shallow';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';

/**
 * What the controller reports about itself. The default output folder, the data folder and
 * the farm key's pairing code are not in the API yet, so this says where to find them instead
 * of guessing.
 */
export function SettingsView() {
  const connection = useConnectionStore();
  const counts = useJobsStore(useShallow((s) => ({ jobs: s.order.length })));
  return (
    <section className="view" aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings</h1>
      <h2>Controller</h2>
      <dl className="facts">
        <dt>Address</dt>
        <dd><code>{connection.address}</code></dd>
        <dt>Connection</dt>
        <dd>{connection.state}{connection.message ? ` — ${connection.message}` : ''}</dd>
        <dt>API version</dt>
        <dd>{connection.serverVersion ?? '—'}</dd>
        <dt>Jobs</dt>
        <dd>{counts.jobs}</dd>
      </dl>
      <h2>Folders</h2>
      <dl className="facts">
        <dt>Output folder</dt>
        <dd>
          Each job's output folder is shown in its detail view. The default for new jobs is the controller's <code>--output-root</code> (normally <code>Farmhand</code> in the home folder);
          the controller does not report it to the window yet.
        </dd>
        <dt>Data folder</dt>
        <dd>The controller's <code>FARMHAND_HOME</code> (normally <code>~/.farmhand</code>); not reported to the window yet.</dd>
      </dl>
      <h2>Farm key</h2>
      <p className="placeholder" role="note">
        Pairing code: not available here yet. On the controller's machine, run <code>farmhand key</code> to print the farm key, and start each render machine's agent with{' '}
        <code>farmhand-agent --farm-key KEY</code>.
      </p>
    </section>
  );
}
