import type { ReactNode } from 'react';

/** What a view shows when it has nothing yet: what that means and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-help">{children}</div> : null}
    </div>
  );
}
