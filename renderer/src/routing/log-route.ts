import { useUiStore } from '../stores/ui-store.js';

/** The log attempt and line the URL names for `taskId` (both null when it names another task, or none). */
export function logRouteFor(taskId: string): { attempt: number | null; line: number | null } {
  const ui = useUiStore.getState();
  return ui.openTaskId === taskId ? { attempt: ui.logAttempt, line: ui.logLine } : { attempt: null, line: null };
}
