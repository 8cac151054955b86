import { useShallow } from 'zustand/react/shallow';
import { useFarmClient } from '../farm-client-context.js';
import { useConnectionStore } from '../stores/connection-store.js';
import { setQueuePaused, useQueueStore } from '../stores/queue-store.js';

/**
 * The whole queue's hold, in the header of every view: says in words when it is paused (a
 * paused queue looks like a stuck farm otherwise) and pauses or resumes it, like the tray.
 */
export function QueueControl() {
  const client = useFarmClient();
  const { paused, changing } = useQueueStore(useShallow((s) => ({ paused: s.paused, changing: s.changing })));
  const connected = useConnectionStore((s) => s.state === 'connected');
  if (paused === null) return null;
  return (
    <div className="queue-control" role="group" aria-label="Queue">
      <span role="status" className={paused ? 'queue-state queue-paused' : 'queue-state'}>
        {paused ? <><span aria-hidden="true">⏸ </span>Queue paused: no new task starts</> : 'Queue running'}
      </span>
      <button type="button" className="header-button" disabled={changing || !connected} onClick={() => void setQueuePaused(client, !paused)}>
        {paused ? 'Resume queue' : 'Pause queue'}
      </button>
    </div>
  );
}
