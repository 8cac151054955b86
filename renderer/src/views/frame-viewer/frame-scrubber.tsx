import { memo } from 'react';
import { frameRuns, scrubberMarks } from '../../model/flipbook.js';

/**
 * The viewer's scrubber: a mark per frame (or per run of frames on a long job) saying which are
 * rendered, under a range input that seeks. The input is the control (arrows, Home, End, Page
 * keys, a click or a drag anywhere on the bar); its value is read out as "frame 12, rendered".
 * Rendered marks are tall and filled, missing ones short and hatched, and the rendered frames
 * are written out beside the bar, so colour never carries the meaning alone.
 */
export const FrameScrubber = memo(function FrameScrubber({ frames, rendered, index, onSeek }: { frames: readonly number[]; rendered: readonly boolean[]; index: number; onSeek: (index: number) => void }) {
  const isRendered = (i: number) => rendered[i] === true;
  const marks = scrubberMarks(frames, isRendered);
  const count = rendered.reduce((n, r) => n + (r ? 1 : 0), 0);
  const last = Math.max(0, frames.length - 1);
  return (
    <div className="scrubber">
      <div className="scrubber-bar">
        <div className="scrubber-marks" aria-hidden="true">
          {marks.map((m) => (
            <span key={m.key} className={`scrubber-mark mark-${m.state}`} data-state={m.state} title={m.label} />
          ))}
        </div>
        <div className="scrubber-playhead" aria-hidden="true" style={{ left: `${last === 0 ? 0 : (index / last) * 100}%` }} />
        <input
          type="range"
          className="scrubber-input"
          min={0}
          max={last}
          step={1}
          value={index}
          aria-label="Seek frame"
          aria-valuetext={frames.length ? `frame ${frames[index]}, ${isRendered(index) ? 'rendered' : 'not rendered yet'}` : 'no frames'}
          onChange={(e) => onSeek(Number(e.currentTarget.value))}
        />
      </div>
      <p className="scrubber-legend muted">
        <span className="legend-swatch mark-rendered" aria-hidden="true" /> rendered ({count} of {frames.length}): {frameRuns(frames, isRendered)}
        {' '}<span className="legend-swatch mark-missing" aria-hidden="true" /> not rendered yet
      </p>
    </div>
  );
});
