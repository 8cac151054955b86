import { create } from 'zustand';

/**
 * Short messages for the user: the controller's notices (an agent went offline…) and the
 * outcome of actions. Bounded, so a noisy farm cannot grow the page without end.
 */
export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

const MAX_NOTICES = 5;
const INFO_LIFETIME_MS = 8000;
let nextId = 1;

export const useNoticesStore = create<{ notices: Notice[] }>(() => ({ notices: [] }));

export function pushNotice(level: Notice['level'], text: string): void {
  const notice = { id: nextId++, level, text };
  useNoticesStore.setState((s) => ({ notices: [...s.notices, notice].slice(-MAX_NOTICES) }));
  if (level === 'info') setTimeout(() => dismissNotice(notice.id), INFO_LIFETIME_MS);
}

export function dismissNotice(id: number): void {
  useNoticesStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}
