import { dismissAllNotices, dismissNotice, useNoticesStore } from '../stores/notices-store.js';

/**
 * The controller's notices and the outcome of actions; errors are announced at once. A repeated
 * message shows once with its count. They sit in a column of their own at the window's right:
 * while any shows, the page's content makes room for it (app.css, `.has-notices`), so a notice
 * never covers the task table or the job it is about.
 */
export function Notices() {
  const notices = useNoticesStore((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite" aria-label="Notifications">
      {notices.length > 1 ? (
        <button type="button" className="notices-dismiss-all" onClick={dismissAllNotices}>Dismiss all ({notices.length})</button>
      ) : null}
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : undefined}>
          <span>
            {n.text}
            {n.count > 1 ? (
              <>
                {' '}<span className="notice-count" aria-hidden="true">×{n.count}</span>
                <span className="sr-only"> ({n.count} times)</span>
              </>
            ) : null}
          </span>
          <button type="button" className="icon" aria-label="Dismiss message" onClick={() => dismissNotice(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
