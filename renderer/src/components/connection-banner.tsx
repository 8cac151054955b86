import { useConnectionStore } from '../stores/connection-store.js';

/** Says when the window is not connected, and why, in words (the rest of the UI may be stale). */
export function ConnectionBanner() {
  const { state, message } = useConnectionStore();
  if (state === 'connected') return null;
  if (state === 'connecting') return <div className="banner banner-info" role="status">Connecting to the controller…</div>;
  return (
    <div className={`banner ${state === 'unauthorised' ? 'banner-error' : 'banner-warn'}`} role="alert">
      {message}
    </div>
  );
}
