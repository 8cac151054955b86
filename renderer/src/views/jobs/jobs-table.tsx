import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ContextMenu } from '../../components/context-menu.js';
import { useFarmClient } from '../../farm-client-context.js';
import { actionForKey, JOB_ACTIONS, targetsOf } from '../../model/job-actions.js';
import { jobActionLabel } from '../../model/job-action-labels.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { openJob, selectJobs, useUiStore } from '../../stores/ui-store.js';
import type { JobSummary } from '../../../../electron/controller/api/contract.js';
import { requestJobAction } from './job-action-runner.js';
import { JobRow } from './job-row.js';
import { SortableHeader } from './sortable-header.js';
import { useVisibleJobIds } from './use-visible-jobs.js';

/**
 * The jobs as a grid: one row is in the tab order (roving focus); arrows move and select,
 * Shift extends, Ctrl moves without selecting, Space toggles, Ctrl+A selects all, Enter opens,
 * the action keys (P, R, C, T, O, F, Delete) act on the selection, and the context menu (right
 * click, the menu key or Shift+F10) offers the same actions as the toolbar.
 */
export function JobsTable() {
  const client = useFarmClient();
  // The list as searched, filtered and sorted (find-store): keyboard moves and ranges go by what is shown.
  const order = useVisibleJobIds() as string[];
  const shownOrder = useRef(order);
  shownOrder.current = order;
  const { selected, focusedJobId, anchorJobId } = useUiStore(useShallow((s) => ({ selected: s.selected, focusedJobId: s.focusedJobId, anchorJobId: s.anchorJobId })));
  const rows = useRef(new Map<string, HTMLTableRowElement>());
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const focused = focusedJobId && order.includes(focusedJobId) ? focusedJobId : order[0] ?? null;
  const selectedSet = new Set(selected);

  const focusRow = useCallback((jobId: string) => rows.current.get(jobId)?.focus(), []);
  const rowRefs = useRef(new Map<string, (el: HTMLTableRowElement | null) => void>());
  const refFor = (jobId: string) => {
    let ref = rowRefs.current.get(jobId);
    if (!ref) {
      ref = (el) => (el ? rows.current.set(jobId, el) : rows.current.delete(jobId));
      rowRefs.current.set(jobId, ref);
    }
    return ref;
  };

  const onRowClick = useCallback((event: MouseEvent, jobId: string) => {
    const ui = useUiStore.getState();
    if (event.shiftKey && ui.anchorJobId) selectJobs(rangeOf(shownOrder.current, ui.anchorJobId, jobId), jobId);
    else if (event.ctrlKey || event.metaKey) selectJobs(ui.selected.includes(jobId) ? ui.selected.filter((id) => id !== jobId) : [...ui.selected, jobId], jobId, jobId);
    else selectJobs([jobId], jobId, jobId);
  }, []);

  const selectionOrFocused = () => {
    const ui = useUiStore.getState();
    return ui.selected.length ? ui.selected : ui.focusedJobId ? [ui.focusedJobId] : [];
  };

  const onRowKeyDown = (event: KeyboardEvent, jobId: string) => {
    const at = order.indexOf(jobId);
    const moveTo = (index: number) => {
      const target = order[Math.max(0, Math.min(order.length - 1, index))];
      if (!target) return;
      if (event.shiftKey) selectJobs(rangeOf(order, anchorJobId ?? jobId, target), target);
      else if (event.ctrlKey || event.metaKey) selectJobs(selected, target);
      else selectJobs([target], target, target);
      focusRow(target);
    };
    const key = event.key;
    if (key === 'ArrowDown') moveTo(at + 1);
    else if (key === 'ArrowUp') moveTo(at - 1);
    else if (key === 'Home') moveTo(0);
    else if (key === 'End') moveTo(order.length - 1);
    else if (key === ' ') selectJobs(selectedSet.has(jobId) ? selected.filter((id) => id !== jobId) : [...selected, jobId], jobId, jobId);
    else if (key === 'Enter') openJob(jobId);
    else if (key === 'Escape') selectJobs([], jobId);
    else if ((key === 'a' || key === 'A') && (event.ctrlKey || event.metaKey)) selectJobs([...order], jobId);
    else if (key === 'ContextMenu' || (key === 'F10' && event.shiftKey)) {
      const r = (event.currentTarget as HTMLElement).getBoundingClientRect();
      if (!selectedSet.has(jobId)) selectJobs([jobId], jobId, jobId);
      setMenu({ x: r.left + 24, y: r.bottom });
    } else if (!event.ctrlKey && !event.metaKey && !event.altKey && actionForKey(key)) {
      requestJobAction(client, actionForKey(key)!.id, selectionOrFocused());
    } else return;
    event.preventDefault();
  };

  const onMenu = useCallback((x: number, y: number, jobId: string) => {
    if (!useUiStore.getState().selected.includes(jobId)) selectJobs([jobId], jobId, jobId);
    setMenu({ x, y });
  }, []);

  const closeMenu = useCallback(() => {
    setMenu(null);
    const target = useUiStore.getState().focusedJobId;
    if (target) requestAnimationFrame(() => focusRow(target));
  }, [focusRow]);

  // Keep focus on a real row when the focused job disappears (deleted).
  useEffect(() => {
    if (focusedJobId && !order.includes(focusedJobId) && order[0]) selectJobs(useUiStore.getState().selected, order[0]);
  }, [order, focusedJobId]);

  const byId = useJobsStore.getState().byId;
  const menuJobs = selected.map((id) => byId[id]).filter((j): j is JobSummary => j !== undefined);
  return (
    <>
      <table className="jobs-table" role="grid" aria-label="Jobs" aria-multiselectable="true" aria-rowcount={order.length + 1}>
        <thead>
          <tr>
            <SortableHeader sortKey="name">Job</SortableHeader>
            <SortableHeader sortKey="state">State</SortableHeader>
            <SortableHeader sortKey="progress">Progress</SortableHeader>
            <th scope="col">Chunks</th>
            <th scope="col">ETA</th>
            <th scope="col">Agents busy</th>
            <SortableHeader sortKey="priority">Priority</SortableHeader>
            <SortableHeader sortKey="frames">Frames</SortableHeader>
            <SortableHeader sortKey="output">Output</SortableHeader>
            <SortableHeader sortKey="submitted">Submitted</SortableHeader>
            <th scope="col"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {order.map((id) => (
            <JobRow key={id} jobId={id} selected={selectedSet.has(id)} tabbable={id === focused} rowRef={refFor(id)} onRowClick={onRowClick} onRowKeyDown={onRowKeyDown} onMenu={onMenu} />
          ))}
        </tbody>
      </table>
      {menu ? (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          label={menuJobs.length === 1 ? `Actions for ${menuJobs[0]!.name}` : `Actions for ${menuJobs.length} jobs`}
          onClose={closeMenu}
          items={[
            ...(menuJobs.length === 1 ? [{ label: 'Open', shortcut: 'Enter', onSelect: () => openJob(menuJobs[0]!.id) }] : []),
            ...JOB_ACTIONS.map((action) => ({
              label: jobActionLabel(action, menuJobs),
              shortcut: action.key,
              disabled: targetsOf(action, menuJobs).length === 0,
              onSelect: () => requestJobAction(client, action.id, menuJobs.map((j) => j.id)),
            })),
          ]}
        />
      ) : null}
    </>
  );
}

function rangeOf(order: readonly string[], from: string, to: string): string[] {
  const a = order.indexOf(from);
  const b = order.indexOf(to);
  return a < 0 || b < 0 ? [to] : order.slice(Math.min(a, b), Math.max(a, b) + 1);
}
