import { create } from 'zustand';

/**
 * Short messages for the user: the controller's notices (an agent went offline…) and the
 * outcome of actions. The same message again is one notice with a count ("×5"), not another
 * toast: a job that waits says so on every agent change, a failing job repeats itself. Info
 * and warnings expire (a repeat restarts the clock); errors stay until dismissed, one at a time
 * or all at once. Bounded, so a noisy farm cannot grow the page without end: past the bound the
 * oldest info or warning goes first, errors last.
 */
export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  text: string;
  /** How many times this message came (1 the first time). */
  count: number;
}

export const MAX_NOTICES = 5;
/** How long a notice stays after its latest repeat; errors stay until dismissed. */
export const NOTICE_LIFETIME_MS: Record<Notice['level'], number | null> = { info: 8000, warn: 20_000, error: null };
let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const useNoticesStore = create<{ notices: Notice[] }>(() => ({ notices: [] }));

export function pushNotice(level: Notice['level'], text: string): void {
  const notices = useNoticesStore.getState().notices;
  const same = notices.find((n) => n.level === level && n.text === text);
  // A repeat moves to the end (newest) with its count up.
  const notice: Notice = same ? { ...same, count: same.count + 1 } : { id: nextId++, level, text, count: 1 };
  let next = [...notices.filter((n) => n !== same), notice];
  while (next.length > MAX_NOTICES) {
    const drop = next.find((n) => n.level !== 'error') ?? next[0]!;
    forgetTimer(drop.id);
    next = next.filter((n) => n !== drop);
  }
  useNoticesStore.setState({ notices: next });
  const lifetime = NOTICE_LIFETIME_MS[level];
  if (lifetime !== null) {
    forgetTimer(notice.id);
    timers.set(notice.id, setTimeout(() => dismissNotice(notice.id), lifetime));
  }
}

export function dismissNotice(id: number): void {
  forgetTimer(id);
  useNoticesStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

export function dismissAllNotices(): void {
  for (const id of timers.keys()) forgetTimer(id);
  useNoticesStore.setState({ notices: [] });
}

function forgetTimer(id: number): void {
  const timer = timers.get(id);
  if (timer !== undefined) clearTimeout(timer);
  timers.delete(id);
}
