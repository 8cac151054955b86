import { useEffect } from 'react';
import type { FarmClient } from './client/farm-client.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { FarmCounts } from './components/farm-counts.js';
import { Notices } from './components/notices.js';
import { QueueControl } from './components/queue-control.js';
import { FarmClientContext } from './farm-client-context.js';
import { useConnectionStore } from './stores/connection-store.js';
import { startEventPump } from './stores/event-pump.js';
import { totalFailed, useJobsStore } from './stores/jobs-store.js';
import { resync } from './stores/resync.js';
import { showView, useUiStore, type ViewName } from './stores/ui-store.js';
import { FailedView } from './views/failed/failed-view.js';
import { JobActionDialogs } from './views/jobs/job-action-dialogs.js';
import { JobsView } from './views/jobs/jobs-view.js';
import { NodesView } from './views/nodes/nodes-view.js';
import { SettingsView } from './views/settings/settings-view.js';
import { SubmitDialog } from './views/submit/submit-dialog.js';
import { WindowDropTarget } from './views/submit/window-drop-target.js';

/**
 * The window: navigation between the views, the connection banner and notices. It wires the
 * FarmClient to the stores: status into the connection store, events through the per-frame
 * pump, and a full reload of jobs and agents on every (re)connection.
 */
export function App({ client }: { client: FarmClient }) {
  useEffect(() => {
    const stopEvents = startEventPump(client);
    let generation = 0;
    const stopStatus = client.onStatus((status) => {
      useConnectionStore.setState(status);
      if (status.state === 'connected' && status.generation !== generation) {
        generation = status.generation;
        void resync(client);
      }
    });
    return () => {
      stopEvents();
      stopStatus();
    };
  }, [client]);

  const view = useUiStore((s) => s.view);
  const submitOpen = useUiStore((s) => s.submitOpen);
  const unauthorised = useConnectionStore((s) => s.state === 'unauthorised');
  return (
    <FarmClientContext.Provider value={client}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <span className="app-name">Farmhand</span>
        <Navigation current={view} />
        {unauthorised ? null : <FarmCounts />}
        {unauthorised ? null : <QueueControl />}
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {unauthorised ? <NotAuthorised /> : <CurrentView view={view} />}
      </main>
      <Notices />
      {submitOpen && !unauthorised ? <SubmitDialog /> : null}
      {unauthorised ? null : <WindowDropTarget />}
      <JobActionDialogs />
    </FarmClientContext.Provider>
  );
}

function CurrentView({ view }: { view: ViewName }) {
  switch (view) {
    case 'jobs':
      return <JobsView />;
    case 'failed':
      return <FailedView />;
    case 'nodes':
      return <NodesView />;
    case 'settings':
      return <SettingsView />;
    default: {
      const never: never = view;
      return never;
    }
  }
}

function Navigation({ current }: { current: ViewName }) {
  const failed = useJobsStore(totalFailed);
  const items: { view: ViewName; label: string }[] = [
    { view: 'jobs', label: 'Jobs' },
    { view: 'failed', label: `Failed (${failed})` },
    { view: 'nodes', label: 'Nodes' },
    { view: 'settings', label: 'Settings' },
  ];
  return (
    <nav aria-label="Views">
      <ul className="nav-list">
        {items.map((item) => (
          <li key={item.view}>
            <button type="button" className="nav-item" aria-current={current === item.view ? 'page' : undefined} onClick={() => showView(item.view)}>
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function NotAuthorised() {
  const message = useConnectionStore((s) => s.message);
  return (
    <section className="view" aria-labelledby="unauth-heading">
      <h1 id="unauth-heading">Not authorised</h1>
      <p>{message}</p>
      <p>The link looks like <code>http://127.0.0.1:7400/#token=…</code>; the token is also in the controller's data folder, in the file <code>api-token</code>.</p>
    </section>
  );
}
