/**
 * Where focus was in a view, said so that it can be found again after the view was unmounted
 * and drawn anew: a job's row (the list's roving focus), an element's id, or else the nth
 * element of the same kind and text (a job's link in the Failed view, a nav button).
 */
export type FocusKey = { kind: 'job-row'; jobId: string } | { kind: 'id'; id: string } | { kind: 'text'; tag: string; text: string; nth: number };

const RESTORE_MS = 5000;

export function focusKeyOf(element: Element | null): FocusKey | null {
  if (!element || element === element.ownerDocument.body || element.id === 'main') return null;
  const row = element.closest('tr[data-job-id]');
  if (row) return { kind: 'job-row', jobId: row.getAttribute('data-job-id')! };
  if (element.id) return { kind: 'id', id: element.id };
  const tag = element.tagName.toLowerCase();
  const text = (element.textContent ?? '').trim();
  const same = [...element.ownerDocument.querySelectorAll(tag)].filter((e) => (e.textContent ?? '').trim() === text);
  return { kind: 'text', tag, text, nth: Math.max(0, same.indexOf(element)) };
}

function find(doc: Document, key: FocusKey): HTMLElement | null {
  if (key.kind === 'job-row') return doc.querySelector<HTMLElement>(`tr[data-job-id="${CSS.escape(key.jobId)}"]`);
  if (key.kind === 'id') return doc.getElementById(key.id);
  const same = [...doc.querySelectorAll<HTMLElement>(key.tag)].filter((e) => (e.textContent ?? '').trim() === key.text);
  return same[key.nth] ?? same[0] ?? null;
}

/**
 * Focuses the element once it exists (the view may still be loading its data), frame by frame
 * for up to 5 s. It leaves focus alone where it survived the change (a nav button: the user is
 * there) and once the user put it somewhere themselves. Returns a stop.
 */
export function restoreFocus(win: Window, key: FocusKey, onJobRow: (jobId: string) => void): () => void {
  const doc = win.document;
  const deadline = Date.now() + RESTORE_MS;
  const leftFrom = doc.activeElement;
  let frame = 0;
  const focusIsTaken = () => {
    const active = doc.activeElement;
    return active !== null && active !== doc.body && active.id !== 'main';
  };
  const attempt = () => {
    frame = 0;
    if (focusIsTaken()) return;
    const element = find(doc, key);
    if (element) {
      if (key.kind === 'job-row') onJobRow(key.jobId);
      element.focus();
      return;
    }
    if (Date.now() < deadline) frame = win.requestAnimationFrame(attempt);
  };
  // By the next frame the view that was left is gone (store updates render synchronously).
  frame = win.requestAnimationFrame(() => {
    frame = 0;
    if (leftFrom && leftFrom !== doc.body && leftFrom.isConnected && focusIsTaken()) return;
    attempt();
  });
  return () => {
    if (frame) win.cancelAnimationFrame(frame);
  };
}
