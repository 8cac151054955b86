import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { StateBadge } from '../../components/state-badge.js';
import { formatDuration, formatPercent } from '../../model/format.js';
import { taskWarningsTitle } from '../../model/job-warnings.js';
import { taskAgentName } from '../../model/task-agent.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import type { TaskView } from '../../../../electron/controller/api/contract.js';

/**
 * Every task of a job in a grid that renders only the rows in view (@tanstack/react-virtual),
 * so 10,000 tasks scroll as smoothly as ten. The grid itself holds focus and points at the
 * active row (aria-activedescendant), because rows scrolled out of view do not exist.
 */
const ROW_HEIGHT = 32;
const COLUMNS = ['Task', 'State', 'Agent', 'Attempts', 'Time', 'Progress'];

export function TaskTable({ tasks, selectedTaskId, onSelect }: { tasks: readonly TaskView[]; selectedTaskId: string | null; onSelect: (taskId: string) => void }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const id = useId();
  const [active, setActive] = useState(0);
  const agents = useAgentsStore((s) => s.byId);
  const virtualizer = useVirtualizer({ count: tasks.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const activeIndex = Math.min(active, Math.max(0, tasks.length - 1));
  // A task chosen from outside (a link, Back) becomes the active row, scrolled to, once it is in the list.
  const shownSelection = useRef<string | null>(null);
  useEffect(() => {
    if (selectedTaskId === null || shownSelection.current === selectedTaskId) return;
    const index = tasks.findIndex((t) => t.id === selectedTaskId);
    if (index < 0) return;
    shownSelection.current = selectedTaskId;
    setActive(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [selectedTaskId, tasks, virtualizer]);
  const now = Date.now();

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(tasks.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 320) / ROW_HEIGHT) - 1);
    if (event.key === 'ArrowDown') moveTo(activeIndex + 1);
    else if (event.key === 'ArrowUp') moveTo(activeIndex - 1);
    else if (event.key === 'PageDown') moveTo(activeIndex + page);
    else if (event.key === 'PageUp') moveTo(activeIndex - page);
    else if (event.key === 'Home') moveTo(0);
    else if (event.key === 'End') moveTo(tasks.length - 1);
    else if ((event.key === 'Enter' || event.key === ' ') && tasks[activeIndex]) onSelect(tasks[activeIndex]!.id);
    else return;
    event.preventDefault();
  };

  return (
    <div
      ref={scrollRef}
      className="task-grid"
      role="grid"
      aria-label={`Tasks (${tasks.length})`}
      aria-rowcount={tasks.length + 1}
      aria-colcount={COLUMNS.length}
      tabIndex={0}
      aria-activedescendant={tasks.length ? `${id}-row-${activeIndex}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="task-grid-head">
        <div role="row" aria-rowindex={1} className="task-row">
          {COLUMNS.map((c) => <div key={c} role="columnheader" className="task-cell">{c}</div>)}
        </div>
      </div>
      <div role="rowgroup" className="task-grid-body" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const t = tasks[row.index]!;
          const agent = taskAgentName(t, agents);
          const time = t.startedAt === null ? '—' : formatDuration((t.endedAt ?? now) - t.startedAt) + (t.endedAt === null ? ' so far' : '');
          return (
            <div
              key={t.id}
              id={`${id}-row-${row.index}`}
              role="row"
              aria-rowindex={row.index + 2}
              aria-selected={t.id === selectedTaskId}
              className={`task-row${t.id === selectedTaskId ? ' selected' : ''}${row.index === activeIndex ? ' active' : ''}`}
              style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
              onClick={() => {
                setActive(row.index);
                onSelect(t.id);
              }}
            >
              <div role="gridcell" className="task-cell">{t.label}</div>
              <div role="gridcell" className="task-cell"><StateBadge state={t.state} />{t.error ? <span className="task-error" title={t.error}> — {t.error}</span> : null}{t.warnings?.length ? <span className="task-warnings" title={taskWarningsTitle(t) ?? undefined}> ⚠ {t.warnings.length === 1 ? t.warnings[0] : `${t.warnings.length} warnings`}</span> : null}</div>
              <div role="gridcell" className="task-cell">{agent}</div>
              <div role="gridcell" className="task-cell">{t.attempt}{t.failures ? ` (${t.failures} failed)` : ''}</div>
              <div role="gridcell" className="task-cell">{time}</div>
              <div role="gridcell" className="task-cell">{t.state === 'running' ? formatPercent(t.progress) : t.state === 'succeeded' ? '100%' : '—'}</div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
