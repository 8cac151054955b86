import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EmptyState } from '../../components/empty-state.js';
import { useFarmClient } from '../../farm-client-context.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useFarmInfo } from '../../stores/farm-info-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { ensureJobTasks } from '../../stores/task-loader.js';
import { AddNodeForm } from './add-node-form.js';
import { DiscoveryHint } from './discovery-hint.js';
import { NodesTable } from './nodes-table.js';

/** The render machines: online or not, what they can run, what they run now, and their controls. */
export function NodesView() {
  const client = useFarmClient();
  const { order, loaded } = useAgentsStore(useShallow((s) => ({ order: s.order, loaded: s.loaded })));
  const running = useJobsStore(useShallow((s) => s.order.filter((id) => s.byId[id]?.state === 'running')));
  const generation = useConnectionStore((s) => s.generation);
  const farmKey = useFarmInfo().info?.farmKey;
  // "Current task" comes from task states, so the running jobs' tasks must be known.
  useEffect(() => {
    for (const id of running) ensureJobTasks(client, id);
  }, [client, running, generation]);
  return (
    <section className="view" aria-labelledby="nodes-heading">
      <h1 id="nodes-heading">Nodes</h1>
      <AddNodeForm />
      {!loaded ? (
        <p className="muted">Loading agents…</p>
      ) : order.length === 0 ? (
        <EmptyState title="No agents yet: run farmhand-agent on a render machine with this key.">
          <p><code>farmhand-agent --farm-key {farmKey ?? 'KEY'}</code>{farmKey ? null : <> (the key is under Settings, or run <code>farmhand key</code> on the controller's machine)</>}</p>
          <DiscoveryHint />
        </EmptyState>
      ) : (
        <NodesTable order={order} />
      )}
    </section>
  );
}
