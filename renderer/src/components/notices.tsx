import { dismissNotice, useNoticesStore } from '../stores/notices-store.js';

/** The controller's notices and the outcome of actions; errors are announced at once. */
export function Notices() {
  const notices = useNoticesStore((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : undefined}>
          <span>{n.text}</span>
          <button type="button" className="icon" aria-label="Dismiss message" onClick={() => dismissNotice(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
