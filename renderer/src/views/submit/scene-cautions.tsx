import type { SceneProbe } from '../../../../electron/controller/api/contract.js';
import type { SimulationKind } from '../../../../electron/controller/api/views.js';
import type { SubmitForm } from './submit-form-state.js';

/**
 * What the chosen scene does that renders wrong on a farm unless the artist chooses: the
 * Python it runs (registered scripts, driver expressions Blender's simple evaluator cannot
 * handle), which Blender skips unless the scene's scripts are trusted; and its unbaked
 * simulations, which a chunk starting mid-range starts there. Each comes with the choice that
 * fixes it (trust, one chunk) so it is seen before submitting, not found in a log.
 */
export function SceneCautions({ probe, form, set, frameCount }: {
  probe: SceneProbe;
  form: SubmitForm;
  set: <K extends keyof SubmitForm>(key: K, value: SubmitForm[K]) => void;
  /** Frames the job renders as the form stands (null: not readable yet). */
  frameCount: number | null;
}) {
  const modules = probe.scripts?.modules ?? [];
  const drivers = probe.scripts?.drivers ?? [];
  const simulations = probe.simulations ?? [];
  if (modules.length + drivers.length + simulations.length === 0) return null;
  return (
    <section className="scene-cautions" aria-label="What the scene runs">
      {modules.length + drivers.length > 0 ? (
        <div className="scene-scripts">
          <p className={form.trustScripts ? 'caution-trusted' : 'caution'} data-caution="scripts">
            {form.trustScripts
              ? `The scene's Python (${pythonSummary(modules.length, drivers.length)}) runs: only agents started with --allow-scripts take this job, and it waits until one is there.`
              : `⚠ The scene runs Python (${pythonSummary(modules.length, drivers.length)}) that Blender skips unless you trust the scene's scripts, so frames that use it render wrong.`}
          </p>
          <ul className="caution-list" aria-label="Python the scene runs">
            {modules.slice(0, SHOWN).map((m) => <li key={`m:${m}`}>script <code>{m}</code></li>)}
            {drivers.slice(0, SHOWN).map((d, i) => <li key={`d:${i}:${d}`}>driver <code>{d}</code></li>)}
            {more(modules.length) + more(drivers.length) > 0 ? <li className="muted">and {more(modules.length) + more(drivers.length)} more</li> : null}
          </ul>
        </div>
      ) : null}
      {simulations.length > 0 ? (
        <div className="scene-simulations">
          <p className={form.oneChunk ? 'caution-trusted' : 'caution'} data-caution="simulations">
            {form.oneChunk
              ? `Rendered as one chunk: the ${simulations.length === 1 ? 'simulation runs' : 'simulations run'} from the first frame.`
              : `⚠ ${simulations.length} unbaked simulation${simulations.length === 1 ? '' : 's'}: a render split into chunks starts ${simulations.length === 1 ? 'it' : 'them'} again at each chunk's first frame, mid-sequence, so later chunks come out wrong. Bake in Blender, or render as one chunk.`}
          </p>
          <ul className="caution-list" aria-label="Unbaked simulations">
            {simulations.slice(0, SHOWN).map((s, i) => <li key={`${i}:${s.kind}:${s.owner}`}>{SIMULATION_NAMES[s.kind]} on <q>{s.owner}</q></li>)}
            {more(simulations.length) > 0 ? <li className="muted">and {more(simulations.length)} more</li> : null}
          </ul>
          <label className="check">
            <input type="checkbox" checked={form.oneChunk} onChange={(e) => set('oneChunk', e.target.checked)} />
            Render as one chunk{frameCount !== null ? ` (all ${frameCount} frame${frameCount === 1 ? '' : 's'} in one task)` : ''}
          </label>
        </div>
      ) : null}
    </section>
  );
}

/** At most this many of each list is shown; the rest are counted. */
const SHOWN = 8;
const more = (n: number) => Math.max(0, n - SHOWN);

function pythonSummary(modules: number, drivers: number): string {
  return [
    modules ? `${modules} registered script${modules === 1 ? '' : 's'}` : null,
    drivers ? `${drivers} driver expression${drivers === 1 ? '' : 's'}` : null,
  ].filter(Boolean).join(' and ');
}

const SIMULATION_NAMES: Record<SimulationKind, string> = {
  'cloth': 'cloth',
  'soft-body': 'soft body',
  'fluid': 'fluid',
  'rigid-body': 'rigid body world',
  'particles': 'particles',
  'dynamic-paint': 'dynamic paint',
  'geometry-nodes': 'Geometry Nodes simulation',
};
