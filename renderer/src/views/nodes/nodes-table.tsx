import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { Fragment, useCallback, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { NodeRow, type NodeRowPlacement } from './node-row.js';

/**
 * The agents table, rendering only the rows in view (@tanstack/react-virtual, as the task
 * table does), so 500 agents update as cheaply as ten. It stays a real table, with spacer rows
 * for the rows not rendered: screen readers get the true size and each row's place from
 * aria-rowcount and aria-rowindex. Rows have controls of their own, so it is not a grid: Tab
 * walks through the controls (the browser scrolls the next row into view, which renders the
 * ones after it), and on a row (or the scroll area) the arrow keys, Page Up/Down, Home and End
 * move between agents, to the last one too, although it is not in the page until then. The
 * active row (the one Tab comes back to, maybe focused) stays rendered when it is scrolled out
 * of view, so scrolling with the wheel never drops the keyboard focus onto the page.
 */
const ROW_ESTIMATE = 72;
const COLUMNS = ['Agent', 'Status', 'Capabilities', 'Slots', 'Current task', 'Tags', 'Controls'];

export function NodesTable({ order }: { order: readonly string[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLTableSectionElement>(null);
  const [headHeight, setHeadHeight] = useState(40);
  const [active, setActive] = useState(0);
  const pendingFocus = useRef<number | null>(null);
  const activeIndex = Math.min(active, Math.max(0, order.length - 1));
  const rangeExtractor = useCallback((range: Range) => {
    const indexes = defaultRangeExtractor(range);
    return order.length === 0 || indexes.includes(activeIndex) ? indexes : [...indexes, activeIndex].sort((a, b) => a - b);
  }, [activeIndex, order.length]);
  const virtualizer = useVirtualizer({
    count: order.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    getItemKey: (index) => order[index] ?? index,
    overscan: 4,
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    rangeExtractor,
  });

  useLayoutEffect(() => {
    const h = headRef.current?.getBoundingClientRect().height;
    if (h && Math.abs(h - headHeight) > 0.5) setHeadHeight(h);
  });
  // A row asked for by key is focused once it is rendered (after scrolling to it).
  useLayoutEffect(() => {
    if (pendingFocus.current !== null && focusRendered(pendingFocus.current)) pendingFocus.current = null;
  });

  function rowElement(index: number): HTMLElement | null {
    return scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${index}"]`) ?? null;
  }
  function focusRendered(index: number): boolean {
    const el = rowElement(index);
    if (!el) return false;
    el.focus({ preventScroll: true });
    return true;
  }
  function moveTo(index: number) {
    const next = Math.max(0, Math.min(order.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    pendingFocus.current = focusRendered(next) ? null : next;
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    const onRegion = target === scrollRef.current;
    // Keys inside a row's inputs and buttons are theirs (a caret, a press).
    if (!onRegion && !(target instanceof HTMLTableRowElement && target.dataset.index)) return;
    const from = onRegion ? firstInView() : Number(target.dataset.index);
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_ESTIMATE) - 1);
    if (event.key === 'ArrowDown') moveTo(onRegion ? from : from + 1);
    else if (event.key === 'ArrowUp') moveTo(onRegion ? from : from - 1);
    else if (event.key === 'PageDown') moveTo(from + page);
    else if (event.key === 'PageUp') moveTo(from - page);
    else if (event.key === 'Home') moveTo(0);
    else if (event.key === 'End') moveTo(order.length - 1);
    else return;
    event.preventDefault();
  };
  const firstInView = () => {
    const top = (scrollRef.current?.scrollTop ?? 0) + headHeight;
    return virtualizer.getVirtualItems().find((item) => item.end > top)?.index ?? 0;
  };
  // Focus entering a row (or one of its controls) makes it the row Tab comes back to.
  const onFocus = (event: FocusEvent<HTMLDivElement>) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('tr[data-index]');
    if (row) setActive(Number(row.dataset.index));
  };

  const items = virtualizer.getVirtualItems();
  const after = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]!.end - headHeight) : 0;
  return (
    <div
      ref={scrollRef}
      className="nodes-scroll"
      role="region"
      aria-label={`Agents (${order.length}); on a row, the arrow keys, Home and End move between agents`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
    >
      <table className="plain-table nodes-table" aria-rowcount={order.length + 1}>
        <caption className="sr-only">Agents</caption>
        <thead ref={headRef}>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => <th key={c} scope="col">{c}</th>)}
          </tr>
        </thead>
        <tbody>
          {items.map((item, k) => {
            // The rows not rendered before this one (the active row may be far from the others).
            const gap = item.start - (k === 0 ? headHeight : items[k - 1]!.end);
            const placement: NodeRowPlacement = {
              ref: virtualizer.measureElement,
              'data-index': item.index,
              'aria-rowindex': item.index + 2,
              tabIndex: item.index === activeIndex ? 0 : -1,
            };
            return (
              <Fragment key={item.key}>
                {gap > 0.5 ? <SpacerRow height={gap} /> : null}
                <NodeRow agentId={order[item.index]!} placement={placement} />
              </Fragment>
            );
          })}
          {after > 0 ? <SpacerRow height={after} /> : null}
        </tbody>
      </table>
    </div>
  );
}

/** Stands in for the rows not rendered, so the scroll bar and the table's height are right. */
function SpacerRow({ height }: { height: number }) {
  return (
    <tr aria-hidden="true" className="virtual-spacer">
      <td colSpan={COLUMNS.length} style={{ height, padding: 0, border: 0 }} />
    </tr>
  );
}
