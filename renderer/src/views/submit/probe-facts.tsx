import { Fragment } from 'react';
import type { FileProbe } from '../../../../electron/controller/api/contract.js';
import { formatBytes } from '../../model/format.js';
import { sceneFrameList } from './submit-form-state.js';

/** What the controller read from the chosen file, shown as facts above the settings they fill in. */
export function ProbeFacts({ probe }: { probe: FileProbe }) {
  const facts: [string, string][] = probe.kind === 'scene'
    ? [
      ['Frames', `${sceneFrameList(probe)} (${frameCount(probe)} frame${frameCount(probe) === 1 ? '' : 's'})`],
      ['Frame rate', `${formatFps(probe.fps)} fps`],
      ['Resolution', `${probe.resolution[0]} × ${probe.resolution[1]}`],
      ['Engine', engineName(probe.engine)],
      ['Image format', probe.fileFormat],
      ...(probe.camera ? [['Camera', probe.camera] as [string, string]] : []),
      ...(probe.fileVersion ? [['Saved by', `Blender ${probe.fileVersion.saved}`] as [string, string]] : []),
      ...(probe.cyclesDevice ? [['Cycles device', probe.cyclesDevice === 'GPU' ? 'GPU compute' : 'CPU'] as [string, string]] : []),
    ]
    : [
      ['Duration', formatSeconds(probe.durationSeconds)],
      ['Frame rate', `${formatFps(probe.fps)} fps`],
      ['Frames', String(probe.frameCount)],
      ['Video', `${probe.video.codec}, ${probe.video.width} × ${probe.video.height}, ${probe.video.pixelFormat}`],
      ['Audio', probe.audio ? `${probe.audio.codec}, ${probe.audio.sampleRate / 1000} kHz, ${channels(probe.audio.channels)}` : 'none'],
      ['Container', probe.container.split(',')[0]!],
    ];
  return (
    <section className="probe-facts" aria-label={`About ${probe.name}`}>
      <p className="probe-name">{probe.kind === 'scene' ? 'Scene' : 'Video'} <strong>{probe.name}</strong> <span className="muted">({formatBytes(probe.sizeBytes)})</span></p>
      <dl className="facts">
        {facts.map(([term, value]) => (
          <Fragment key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}

function frameCount(s: { frameStart: number; frameEnd: number; frameStep: number }): number {
  return s.frameEnd < s.frameStart ? 1 : Math.floor((s.frameEnd - s.frameStart) / Math.max(1, s.frameStep)) + 1;
}

/** 24 → "24", 29.97002997 → "29.97". */
function formatFps(fps: number): string {
  return String(Math.round(fps * 100) / 100);
}

function engineName(engine: string): string {
  const names: Record<string, string> = { CYCLES: 'Cycles', BLENDER_EEVEE: 'Eevee', BLENDER_EEVEE_NEXT: 'Eevee', BLENDER_WORKBENCH: 'Workbench' };
  return names[engine] ?? engine;
}

function channels(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} channels`;
}

/** "12.5 s", "3 min 20 s", "1 h 02 min". */
function formatSeconds(total: number): string {
  if (total < 60) return `${Math.round(total * 10) / 10} s`;
  const s = Math.round(total);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${s % 60} s`;
}
