import { memo, useId, useRef, useState, type KeyboardEvent } from 'react';
import { formatChartMs, niceTicks } from '../../../model/charts/chart-format.js';
import { barName, frameChartCaption } from '../../../model/charts/chart-names.js';
import { SLOW_FACTOR, type FrameTimeChart, type TimeSample } from '../../../model/charts/frame-times.js';
import { focusBar, useWidth } from './use-chart-hooks.js';

/**
 * The per-frame render-time chart (SVG, no chart library): a bar per frame (or task), slow ones
 * hatched and marked "slow" (▲ when bars are narrow), the slow threshold as a dashed line.
 * Bars are one tab stop: arrows move, Enter opens the frame (its slowest one, for a bar of
 * several). Each bar is named in words; "Show as a table" lists the same bars.
 */
const HEIGHT = 180;
const LEFT = 60;
const RIGHT = 8;
const TOP = 18;
const BOTTOM = 34;
const MAX_STEP = 56;

export const FrameTimeChartView = memo(function FrameTimeChartView({ chart, onOpen }: { chart: FrameTimeChart; onOpen(sample: TimeSample): void }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const width = useWidth(wrapRef, 720);
  const captionId = useId();
  const [active, setActive] = useState(0);
  const [table, setTable] = useState(false);
  const plotW = width - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const top = Math.max(chart.maxMs, chart.thresholdMs ?? 0) * 1.08 || 1;
  const ticks = niceTicks(top, 3);
  const y = (ms: number) => TOP + plotH - (ms / top) * plotH;
  // A few bars stay bar-shaped (at most MAX_STEP wide) rather than filling the width.
  const step = Math.min(MAX_STEP, plotW / Math.max(1, chart.bars.length));
  const gap = step > 4 ? 1 : 0;
  const current = Math.min(active, chart.bars.length - 1);
  const noun = chart.unit === 'frame' ? 'frame' : 'task';

  const onKeyDown = (event: KeyboardEvent) => {
    const next = event.key === 'ArrowRight' ? current + 1 : event.key === 'ArrowLeft' ? current - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? chart.bars.length - 1 : null;
    if (next !== null) {
      const index = Math.max(0, Math.min(chart.bars.length - 1, next));
      setActive(index);
      focusBar(svgRef.current, index);
    } else if ((event.key === 'Enter' || event.key === ' ') && chart.bars[current]) onOpen(chart.bars[current]!.target);
    else return;
    event.preventDefault();
  };

  return (
    <figure className="chart frame-time-chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>{frameChartCaption(chart)}</figcaption>
      <div ref={wrapRef} className="chart-canvas">
        <svg ref={svgRef} width={width} height={HEIGHT} role="group" aria-label={`Render time per ${noun}: ${chart.bars.length} bar${chart.bars.length === 1 ? '' : 's'}`} onKeyDown={onKeyDown}>
          <defs>
            <pattern id="chart-slow-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" className="chart-slow-fill" />
              <line x1="0" y1="0" x2="0" y2="6" className="chart-slow-line" strokeWidth="3" />
            </pattern>
          </defs>
          <g aria-hidden="true" className="chart-axis">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={LEFT} x2={width - RIGHT} y1={y(t)} y2={y(t)} className="chart-grid" />
                <text x={LEFT - 6} y={y(t) + 4} textAnchor="end">{formatChartMs(t)}</text>
              </g>
            ))}
            <text x={LEFT} y={HEIGHT - 6}>{chart.bars[0] ? keyName(chart.bars[0].first, chart.unit) : ''}</text>
            <text x={Math.max(LEFT + 150, LEFT + step * chart.bars.length)} y={HEIGHT - 6} textAnchor="end">{chart.bars.length > 1 ? keyName(chart.bars[chart.bars.length - 1]!.last, chart.unit) : ''}</text>
            <text x={width - RIGHT} y={HEIGHT - 6} textAnchor="end">{chart.unit === 'frame' ? 'frames in render order' : 'tasks in order'}</text>
            {chart.thresholdMs !== null ? (
              <>
                <line x1={LEFT} x2={width - RIGHT} y1={y(chart.thresholdMs)} y2={y(chart.thresholdMs)} className="chart-threshold" />
                <text x={width - RIGHT} y={y(chart.thresholdMs) - 3} textAnchor="end" className="chart-threshold-label">slow: over {formatChartMs(chart.thresholdMs)}</text>
              </>
            ) : null}
          </g>
          {chart.bars.map((bar, i) => {
            const x = LEFT + i * step;
            const h = Math.max(1, TOP + plotH - y(bar.maxMs));
            const slow = bar.slowCount > 0;
            return (
              <g key={i}>
                <rect
                  data-bar={i}
                  role="button"
                  tabIndex={i === current ? 0 : -1}
                  aria-label={barName(bar, chart)}
                  className={`chart-bar${slow ? ' slow' : ''}${bar.target.estimated ? ' estimated' : ''}`}
                  x={x + gap / 2}
                  y={TOP + plotH - h}
                  width={Math.max(1, step - gap)}
                  height={h}
                  onClick={() => {
                    setActive(i);
                    onOpen(bar.target);
                  }}
                  onFocus={() => setActive(i)}
                >
                  <title>{barName(bar, chart)}</title>
                </rect>
                {slow ? (
                  <text aria-hidden="true" className="chart-slow-mark" x={x + step / 2} y={TOP + plotH - h - 4} textAnchor="middle">{step >= 30 ? 'slow' : '▲'}</text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
      <p className="chart-legend muted">
        {chart.thresholdMs !== null ? <>Hatched, marked “slow” (▲ on narrow bars): over {SLOW_FACTOR} × the median of {formatChartMs(chart.medianMs ?? 0)}. </> : null}
        {chart.perBar > 1 ? <>Each bar is {chart.perBar} {noun}s, as tall as the slowest. </> : null}
        {chart.estimated ? <>Lighter bars: a chunk's time shared over its frames (no per-frame report). </> : null}
        Click a bar, or press Enter on it, to open the {noun}.
      </p>
      <details className="chart-table" onToggle={(e) => setTable((e.target as HTMLDetailsElement).open)}>
        <summary>Show render times as a table</summary>
        {table ? (
          <table>
            <caption className="sr-only">Render time per {noun}</caption>
            <thead>
              <tr><th scope="col">{chart.perBar > 1 ? `${noun[0]!.toUpperCase()}${noun.slice(1)}s` : noun[0]!.toUpperCase() + noun.slice(1)}</th><th scope="col">Render time{chart.perBar > 1 ? ' (slowest)' : ''}</th><th scope="col">Slow</th></tr>
            </thead>
            <tbody>
              {chart.bars.map((bar, i) => (
                <tr key={i} className={bar.slowCount ? 'slow' : undefined}>
                  <td>{bar.count > 1 ? `${keyName(bar.first, chart.unit)} – ${keyName(bar.last, chart.unit)}` : bar.first.label}</td>
                  <td>{formatChartMs(bar.maxMs)}{bar.target.estimated ? ' (chunk average)' : ''}</td>
                  <td>{bar.slowCount ? (bar.count > 1 ? `${bar.slowCount} slow` : 'slow') : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </details>
    </figure>
  );
});

/** An axis or table end: "frame 12", or the task's label. */
function keyName(sample: TimeSample, _unit: 'frame' | 'task'): string {
  return sample.label;
}
