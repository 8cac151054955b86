import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useFarmClient } from '../../farm-client-context.js';
import { frameCell, isRendered, needsThumbnail, stampOf, type FrameCell } from '../../model/frame-cells.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { ensureJobFrames, wantThumbnails, type ThumbnailWish } from '../../stores/frame-loader.js';
import { useFramesStore } from '../../stores/frames-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { FrameViewer } from '../frame-viewer/frame-viewer.js';
import { focusThumbnail } from '../frame-viewer/focus-thumbnail.js';
import type { JobFrame, TaskView } from '../../../../electron/controller/api/contract.js';

/**
 * A render job's frames as thumbnails, live: a labelled placeholder (with its task's state)
 * for each frame not rendered yet, its thumbnail once its task succeeds. Only the rows in
 * view exist (@tanstack/react-virtual, rows of as many cells as fit), and only thumbnails of
 * frames in view are fetched (frame-loader.ts), so a 10,000-frame job costs a screenful.
 * The region scrolls with the keyboard (it takes focus). A rendered frame's cell is a button
 * that opens it full size in the frame viewer (views/frame-viewer/); closing the viewer puts
 * focus on the thumbnail of the frame it showed last.
 */
const CELL_WIDTH = 172;
const ROW_HEIGHT = 124;
const OVERSCAN_ROWS = 1;

export function FrameGrid({ jobId, tasks }: { jobId: string; tasks: readonly TaskView[] }) {
  const client = useFarmClient();
  const generation = useConnectionStore((s) => s.generation);
  const frames = useFramesStore((s) => s.byJob[jobId]);
  const thumbs = useFramesStore((s) => s.thumbs[jobId]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [columns, setColumns] = useState(4);
  const [viewing, setViewing] = useState<number | null>(null);
  const jobName = useJobsStore((s) => s.byId[jobId]?.name ?? jobId);
  // Tasks are in index order (tasks-store.ts), so a frame's task is found in O(1), even among 10,000 updated per second.
  const taskOf = (f: JobFrame): TaskView | undefined => (tasks[f.taskIndex]?.id === f.taskId ? tasks[f.taskIndex] : undefined);
  const items = frames?.frames ?? [];
  const rows = Math.ceil(items.length / columns);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: OVERSCAN_ROWS });
  const visibleRows = virtualizer.getVirtualItems();

  useEffect(() => ensureJobFrames(client, jobId), [client, jobId, generation]);
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const fit = () => setColumns(Math.max(1, Math.floor(element.clientWidth / CELL_WIDTH)));
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // After every render: ask for the thumbnails the rows in view lack (the loader batches per animation frame).
  const firstRow = visibleRows[0]?.index ?? 0;
  const lastRow = visibleRows[visibleRows.length - 1]?.index ?? -1;
  useEffect(() => {
    const wishes: ThumbnailWish[] = [];
    for (let i = firstRow * columns; i < Math.min(items.length, (lastRow + 1) * columns); i++) {
      const frame = items[i]!;
      const task = taskOf(frame);
      if (needsThumbnail(frame, task, thumbs?.[frame.frame])) wishes.push({ frame: frame.frame, stamp: stampOf(task) });
    }
    wantThumbnails(client, jobId, wishes);
  }, [client, jobId, items, tasks, thumbs, firstRow, lastRow, columns]);
  useEffect(() => () => wantThumbnails(client, jobId, []), [client, jobId]);

  const rendered = items.reduce((n, f) => n + (isRendered(f, taskOf(f)) ? 1 : 0), 0);
  return (
    <>
      {frames?.status === 'error' ? <p className="error" role="alert">{frames.error}</p> : null}
      {frames?.thumbnailsError ? <p className="error" role="alert">{frames.thumbnailsError}</p> : null}
      <p className="muted frame-summary">{frames?.status === 'loaded' ? `${rendered} of ${items.length} frames rendered` : 'Loading frames…'}</p>
      <div ref={scrollRef} className="frame-grid" role="region" aria-label={`Frames (${items.length})`} tabIndex={0}>
        <div className="frame-grid-body" style={{ height: virtualizer.getTotalSize() }}>
          {visibleRows.map((row) => (
            <div key={row.key} className="frame-row" style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}>
              {items.slice(row.index * columns, (row.index + 1) * columns).map((f) => (
                <FrameCellView key={f.frame} cell={frameCell(f, taskOf(f), thumbs?.[f.frame])} onOpen={setViewing} />
              ))}
            </div>
          ))}
        </div>
      </div>
      {viewing !== null ? (
        <FrameViewer
          jobId={jobId}
          jobName={jobName}
          frames={items}
          tasks={tasks}
          startFrame={viewing}
          onClose={(frame) => {
            setViewing(null);
            focusThumbnail(scrollRef.current, frame, (f) => virtualizer.scrollToIndex(Math.floor(items.findIndex((i) => i.frame === f) / columns)));
          }}
        />
      ) : null}
    </>
  );
}

function FrameCellView({ cell, onOpen }: { cell: FrameCell; onOpen: (frame: number) => void }) {
  const caption = <figcaption aria-hidden="true">{cell.frame}</figcaption>;
  // A rendered frame opens full size. The picture is the button's content and so its name ("Frame N"); the title says what it does.
  const open = (content: ReactNode) => <button type="button" className="frame-open" title={`Open frame ${cell.frame} full size`} onClick={() => onOpen(cell.frame)}>{content}</button>;
  switch (cell.kind) {
    case 'image':
      return <figure className="frame-cell" data-frame={cell.frame}>{open(<img src={cell.image} alt={`Frame ${cell.frame}`} decoding="async" />)}{caption}</figure>;
    case 'loading':
      return <figure className="frame-cell" data-frame={cell.frame}>{open(<div className="frame-placeholder" role="img" aria-label={`Frame ${cell.frame}: rendered, loading its thumbnail`}>loading…</div>)}{caption}</figure>;
    case 'waiting':
      return <figure className="frame-cell" data-frame={cell.frame}><div className="frame-placeholder" role="img" aria-label={`Frame ${cell.frame}: not rendered yet (${cell.status})`}>{cell.status}</div>{caption}</figure>;
    case 'problem':
      return <figure className="frame-cell" data-frame={cell.frame}>{open(<div className="frame-placeholder frame-problem" role="img" aria-label={`Frame ${cell.frame}: no thumbnail. ${cell.message}`} title={cell.message}>no thumbnail</div>)}{caption}</figure>;
    default:
      return assertNever(cell);
  }
}

function assertNever(cell: never): never {
  throw new Error(`unknown frame cell ${JSON.stringify(cell)}`);
}
