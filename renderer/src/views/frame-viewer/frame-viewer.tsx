import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { JobFrame, MAX_EXPOSURE_STOPS as CONTRACT_MAX_EXPOSURE_STOPS, TaskView } from '../../../../electron/controller/api/contract.js';
import { ModalDialog } from '../../components/modal-dialog.js';
import { useFarmClient } from '../../farm-client-context.js';
import { isRendered, stampOf } from '../../model/frame-cells.js';
import { exposureText, flipbookFps, fpsText, measuredFps, nextRendered, playStart, preloadOrder, stepIndex } from '../../model/flipbook.js';
import { FrameImageCache, type FrameEntry, type FrameWish } from './frame-image-cache.js';
import { FrameScrubber } from './frame-scrubber.js';
import './frame-viewer.css';

/** The exposure slider's range: the contract's bound, as a type so the page needs no zod (a different number fails the typecheck). */
const MAX_EXPOSURE_STOPS: typeof CONTRACT_MAX_EXPOSURE_STOPS = 10;

/**
 * A render job's frames full size, in a modal dialog opened from a thumbnail: the arrow keys
 * (and Home, End) step through the frames, Space plays the rendered ones as a flipbook at the
 * scene's fps, the scrubber shows which frames exist and seeks, and EXR frames get an
 * exposure control, applied by the controller in linear light (frame-to-png-argv.ts says why).
 * Escape closes; the grid then puts focus back on the thumbnail of the frame last shown.
 *
 * The keys act wherever focus is in the dialog except on its controls, which keep their own
 * (Space presses a button; arrows move a slider), so it is keyboard-complete without
 * surprises. The flipbook shows a frame only once it is fetched and decoded (the next frames
 * are fetched ahead, frame-image-cache.ts): it waits rather than skip, and says the rate it
 * really reached.
 */
const PRELOAD_SECONDS = 1;
const MIN_AHEAD = 6;
const EXPOSURE_DEBOUNCE_MS = 150;

export interface FrameViewerProps {
  jobId: string;
  jobName: string;
  frames: readonly JobFrame[];
  tasks: readonly TaskView[];
  startFrame: number;
  /** Called with the frame shown last, so its thumbnail can take focus. */
  onClose: (frame: number) => void;
}

export function FrameViewer({ jobId, jobName, frames, tasks, startFrame, onClose }: FrameViewerProps) {
  const client = useFarmClient();
  const cache = useMemo(() => new FrameImageCache(client, jobId), [client, jobId]);
  useEffect(() => () => cache.close(), [cache]);
  useSyncExternalStore(cache.subscribe, cache.getVersion);

  const taskOf = (f: JobFrame): TaskView | undefined => (tasks[f.taskIndex]?.id === f.taskId ? tasks[f.taskIndex] : undefined);
  const numbers = useMemo(() => frames.map((f) => f.frame), [frames]);
  const rendered = frames.map((f) => isRendered(f, taskOf(f)));
  const isRenderedAt = (i: number) => rendered[i] === true;
  const count = frames.length;

  const [index, setIndex] = useState(() => Math.max(0, numbers.indexOf(startFrame)));
  const [playing, setPlaying] = useState(false);
  const [exposure, setExposure] = useState(0);
  const [appliedExposure, setAppliedExposure] = useState(0);
  const [fps, setFps] = useState<{ fps: number; known: boolean } | null>(null);
  const [achieved, setAchieved] = useState<number | null>(null);
  const stageRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    client.call('jobs.get', { jobId }).then((d) => live && setFps(flipbookFps(d.settings)), () => live && setFps(flipbookFps(null)));
    return () => void (live = false);
  }, [client, jobId]);
  useEffect(() => stageRef.current?.focus(), []);
  // The slider moves continuously; the controller converts once it rests.
  useEffect(() => {
    const timer = setTimeout(() => setAppliedExposure(exposure), EXPOSURE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [exposure]);

  const wishAt = (i: number): FrameWish => ({ frame: frames[i]!.frame, exposure: appliedExposure, stamp: stampOf(taskOf(frames[i]!)) });
  const pace = fps?.fps ?? 24;
  const ahead = Math.max(MIN_AHEAD, Math.ceil(pace * PRELOAD_SECONDS));
  const wanted = preloadOrder(count, isRenderedAt, index, ahead).map(wishAt);
  const wantedKey = wanted.map((w) => `${w.frame}/${w.stamp}`).join(',') + `@${appliedExposure}`;
  // Asked again only when the wanted frames change, not on every render.
  useEffect(() => cache.want(wanted), [cache, wantedKey]);

  // The flipbook: the next rendered frame once its time has come and it is ready; never skips one.
  const state = useRef({ index, rendered, wishAt });
  state.current = { index, rendered, wishAt };
  useEffect(() => {
    if (!playing) return;
    const interval = 1000 / pace;
    const shownAt: number[] = [performance.now()];
    let due = shownAt[0]! + interval;
    let frame = requestAnimationFrame(function tick(now) {
      const s = state.current;
      const at = (i: number) => s.rendered[i] === true;
      const next = nextRendered(count, at, s.index);
      if (next === null) {
        setAchieved(measuredFps(shownAt));
        setPlaying(false);
        return;
      }
      if (now >= due - 1) {
        const entry = cache.get(s.wishAt(next));
        if (entry && entry.status !== 'loading') {
          setIndex(next);
          shownAt.push(now);
          // Keep the beat; after a wait for a late frame, start the beat again from now.
          due = now - due > interval ? now + interval : due + interval;
        }
      }
      frame = requestAnimationFrame(tick);
    });
    return () => {
      cancelAnimationFrame(frame);
      setAchieved(measuredFps(shownAt));
    };
  }, [playing, pace, count, cache]);

  const togglePlay = () => {
    if (playing) return setPlaying(false);
    const start = playStart(count, isRenderedAt, index);
    if (start === null) return;
    setIndex(start);
    setAchieved(null);
    setPlaying(true);
  };
  const go = (i: number) => {
    setPlaying(false);
    setIndex(stepIndex(count, i, 0));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement;
    const onControl = target.closest('input, button, select, textarea, a[href]') !== null;
    if (event.key === ' ' && !onControl) {
      event.preventDefault();
      togglePlay();
      return;
    }
    if (target.closest('input') !== null) return; // the scrubber and the exposure slider keep their arrows
    const to = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: count - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    go(to);
  };

  const current = frames[index];
  const currentRendered = isRenderedAt(index);
  const entry = current && currentRendered ? cache.get(wishAt(index)) : undefined;
  // While a new exposure converts, the frame stays shown as it was (no flash of "Loading").
  const lastLoaded = useRef<{ frame: number; entry: Extract<FrameEntry, { status: 'loaded' }> } | null>(null);
  if (current && entry?.status === 'loaded') lastLoaded.current = { frame: current.frame, entry };
  const shown = entry?.status === 'loaded' ? entry : entry?.status === 'loading' && lastLoaded.current?.frame === current?.frame ? lastLoaded.current!.entry : undefined;
  const converting = shown !== undefined && shown !== entry;
  const isExr = shown?.image.format === 'exr';
  const task = current ? taskOf(current) : undefined;
  const renderedCount = rendered.reduce((n, r) => n + (r ? 1 : 0), 0);

  return (
    <ModalDialog title={`Frames of ${jobName}`} onClose={() => onClose(current?.frame ?? startFrame)} className="frame-viewer">
      <div className="frame-viewer-body" onKeyDown={onKeyDown}>
        <p className="frame-viewer-status">
          <output className="frame-viewer-number" aria-live={playing ? 'off' : 'polite'}>{current ? `Frame ${current.frame}` : 'No frames'}</output>
          <span className="muted">
            {count ? ` · ${index + 1} of ${count}` : ''}
            {shown ? ` · ${shown.width} × ${shown.height} · ${formatLine(shown.image.format, shown.image.exposure)} · ${shown.image.name}` : ''}
            {converting ? ` · converting at ${exposureText(appliedExposure)}…` : ''}
          </span>
        </p>
        <div ref={stageRef} className="frame-viewer-stage" tabIndex={0} role="group" aria-label={`Frame ${current?.frame ?? ''}. Left and right arrows step, Space plays, Escape closes.`}>
          {!current ? (
            <p className="frame-viewer-message">This job has no frames.</p>
          ) : !currentRendered ? (
            <p className="frame-viewer-message">Frame {current.frame} is not rendered yet ({task ? task.state : 'queued'}).</p>
          ) : shown ? (
            <img src={shown.image.image} alt={`Frame ${current.frame}`} className="frame-viewer-image" />
          ) : entry?.status === 'error' ? (
            <div className="frame-viewer-message error" role="alert">
              <p>{entry.message}</p>
              <button type="button" onClick={() => cache.retry(wishAt(index))}>Try again</button>
            </div>
          ) : (
            <p className="frame-viewer-message">Loading frame {current.frame}…</p>
          )}
        </div>
        <FrameScrubber frames={numbers} rendered={rendered} index={index} onSeek={go} />
        <div className="frame-viewer-controls">
          <div role="group" aria-label="Playback" className="frame-viewer-buttons">
            <button type="button" onClick={() => go(0)} disabled={index === 0}>First</button>
            <button type="button" onClick={() => go(index - 1)} disabled={index === 0}>Previous</button>
            <button type="button" onClick={togglePlay} aria-pressed={playing} disabled={!playing && renderedCount < 2}>{playing ? 'Pause' : 'Play'}</button>
            <button type="button" onClick={() => go(index + 1)} disabled={index >= count - 1}>Next</button>
            <button type="button" onClick={() => go(count - 1)} disabled={index >= count - 1}>Last</button>
          </div>
          <p className="frame-viewer-pace muted">
            {fpsText(pace)} {fps === null ? '' : fps.known ? '(the scene\'s rate)' : '(the scene\'s rate is unknown)'}
            {achieved !== null ? ` · last played at ${fpsText(Math.round(achieved * 10) / 10)}` : ''}
          </p>
          {isExr ? (
            <div className="frame-viewer-exposure">
              <label>
                Exposure{' '}
                <input type="range" min={-MAX_EXPOSURE_STOPS} max={MAX_EXPOSURE_STOPS} step={0.5} value={exposure} onChange={(e) => setExposure(Number(e.currentTarget.value))} aria-valuetext={exposureText(exposure)} />
              </label>{' '}
              <output>{exposureText(exposure)}</output>{' '}
              <button type="button" onClick={() => setExposure(0)} disabled={exposure === 0}>Reset exposure</button>
            </div>
          ) : null}
          <button type="button" className="frame-viewer-close" onClick={() => onClose(current?.frame ?? startFrame)}>Close</button>
        </div>
        <p className="frame-viewer-keys muted">← → step through frames · Home, End: first, last · Space: play or pause · Esc: close</p>
      </div>
    </ModalDialog>
  );
}

/** "PNG, as rendered"; "EXR, shown at +1 stop". */
function formatLine(format: string, exposure: number | null): string {
  const name = format.toUpperCase();
  if (format === 'png' || format === 'jpeg') return `${name}, as rendered`;
  if (exposure !== null) return `${name}, shown at ${exposureText(exposure)}`;
  return `${name}, converted to PNG`;
}
