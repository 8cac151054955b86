import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../client/farm-client.js';
import { useFarmClient } from '../../farm-client-context.js';
import { firstErrorLine, matchingLines } from '../../model/log-search.js';
import type { TaskAttemptView, TaskView } from '../../../../electron/controller/api/contract.js';
import { attemptOptionLabel } from '../../model/attempt-label.js';
import { logRouteFor } from '../../routing/log-route.js';
import { setLogPosition } from '../../stores/ui-store.js';

/**
 * The log of one task attempt. While the attempt runs, the lines printed since the last read
 * are fetched every second (`tasks.log` with `fromLine`) and the view follows the end;
 * scrolling up pauses following (so a line can be read), "Follow" resumes it.
 * Search moves between matching lines; "First error" jumps to the first line that looks like one.
 * Lines are virtualised: a long render prints tens of thousands.
 */
const LINE_HEIGHT = 18;
const POLL_MS = 1000;
/** Lines kept in the page; older ones are let go (the controller keeps the last 2000 per attempt anyway). */
const MAX_LINES = 50_000;

/** The lines shown and the number of the first (0-based), for one task attempt. */
interface HeldLog {
  key: string;
  first: number;
  lines: string[];
}

export function LogViewer({ task }: { task: TaskView }) {
  const client = useFarmClient();
  const searchId = useId();
  // A link may name the attempt and a line (routing/route.ts); the line is marked once it has loaded.
  const [routed] = useState(() => logRouteFor(task.id));
  const [attempt, setAttempt] = useState(routed.attempt ?? Math.max(1, task.attempt));
  const routedLine = useRef(routed.line);
  const [{ lines, first }, setShown] = useState<{ lines: string[]; first: number }>({ lines: [], first: 0 });
  const held = useRef<HeldLog>({ key: '', first: 0, lines: [] });
  const [attempts, setAttempts] = useState(task.attempt);
  /** Who ran each attempt and when (tasks.log's history), for the picker. */
  const [history, setHistory] = useState<readonly TaskAttemptView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [following, setFollowing] = useState(true);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(0);
  const [highlight, setHighlight] = useState<number | null>(null);
  const [status, setStatus] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: lines.length, getScrollElement: () => scrollRef.current, estimateSize: () => LINE_HEIGHT, overscan: 20 });
  const live = attempt === task.attempt && (task.state === 'running' || task.state === 'assigned');

  useEffect(() => {
    if (task.attempt === 0) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const key = `${task.id}#${attempt}`;
    if (held.current.key !== key) {
      held.current = { key, first: 0, lines: [] };
      setShown({ lines: [], first: 0 });
    }
    const read = () => {
      const before = held.current;
      const fromLine = before.first + before.lines.length;
      client.call('tasks.log', { taskId: task.id, attempt, fromLine }).then(
        (log) => {
          if (stop || held.current !== before) return;
          // Lines follow on from what is shown, or (lines cut meanwhile, a restarted controller) replace it.
          const follows = log.firstLine === fromLine;
          if (!follows || log.lines.length > 0) {
            let lines = follows ? [...before.lines, ...log.lines] : log.lines;
            let first = follows ? before.first : log.firstLine;
            if (lines.length > MAX_LINES) {
              first += lines.length - MAX_LINES;
              lines = lines.slice(-MAX_LINES);
            }
            held.current = { key, first, lines };
            setShown({ lines, first });
          }
          setAttempts(log.attempts);
          if (log.history) setHistory(log.history);
          setError(null);
          if (live && following) timer = setTimeout(read, POLL_MS);
        },
        (e) => !stop && setError(errorMessage(e)),
      );
    };
    read();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [client, task.id, task.attempt, task.state, attempt, live, following]);

  useEffect(() => {
    if (following && lines.length) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [following, lines.length, virtualizer]);

  useEffect(() => {
    const line = routedLine.current;
    if (line === null || lines.length === 0) return;
    routedLine.current = null;
    const index = line - 1 - first;
    if (index >= 0 && index < lines.length) jumpTo(index);
    else setStatus(`Line ${line} is not in this log (it has lines ${first + 1}–${first + lines.length}).`);
  });

  const matches = useMemo(() => matchingLines(lines, query), [lines, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const jumpTo = (index: number) => {
    setFollowing(false);
    setHighlight(index);
    setLogPosition(attempt, first + index + 1);
    virtualizer.scrollToIndex(index, { align: 'center' });
  };
  const nextMatch = (delta: number) => {
    if (matches.length === 0) return setStatus(query.trim() ? `No line contains “${query.trim()}”.` : 'Type something to search for.');
    const next = (hit + delta + matches.length) % matches.length;
    setHit(next);
    setStatus(`Match ${next + 1} of ${matches.length}`);
    jumpTo(matches[next]!);
  };

  if (task.attempt === 0) return <p className="muted">{task.label} has not started yet, so it has no log.</p>;
  return (
    <div className="log-viewer">
      <div className="toolbar" role="toolbar" aria-label="Log controls">
        <label className="inline-field">
          <span>Attempt</span>
          <select value={attempt} onChange={(e) => { setAttempt(Number(e.target.value)); setLogPosition(Number(e.target.value), null); }}>
            {Array.from({ length: Math.max(1, attempts) }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{attemptOptionLabel(n, history.find((h) => h.attempt === n), n === task.attempt)}</option>)}
          </select>
        </label>
        {live ? <button type="button" aria-pressed={following} onClick={() => setFollowing(!following)}>{following ? 'Following' : 'Follow'}</button> : null}
        <button
          type="button"
          onClick={() => {
            const at = firstErrorLine(lines);
            if (at < 0) setStatus('No line in this log looks like an error.');
            else {
              setStatus(`First error at line ${first + at + 1}`);
              jumpTo(at);
            }
          }}
        >First error</button>
        <form
          className="inline-field"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            nextMatch(1);
          }}
        >
          <label htmlFor={searchId}>Search log</label>
          <input id={searchId} type="search" value={query} onChange={(e) => { setQuery(e.target.value); setHit(-1); }} />
          <button type="submit">Next</button>
          <button type="button" onClick={() => nextMatch(-1)}>Previous</button>
        </form>
        <span role="status" className="muted">{status}</span>
      </div>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <div
        ref={scrollRef}
        className="log-lines"
        tabIndex={0}
        role="region"
        aria-label={`Log of ${task.label}, attempt ${attempt}${live ? ' (running)' : ''}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT;
          if (!atEnd && following) setFollowing(false);
        }}
      >
        {lines.length === 0 ? <p className="muted">The log is empty{live ? ' so far' : ''}.</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => (
            <div
              key={row.index}
              className={`log-line${row.index === highlight ? ' highlight' : ''}${matchSet.has(row.index) ? ' match' : ''}`}
              style={{ transform: `translateY(${row.start}px)`, height: LINE_HEIGHT }}
              data-line={first + row.index + 1}
              aria-current={row.index === highlight ? 'true' : undefined}
              onClick={() => jumpTo(row.index)}
            >
              <span className="line-no" aria-hidden="true">{first + row.index + 1}</span>
              {lines[row.index]}
            </div>
          ))}
        </div>
      </div>
      {!following && live ? <p className="muted">Paused while you read. <button type="button" className="link" onClick={() => setFollowing(true)}>Follow the end again</button></p> : null}
    </div>
  );
}
