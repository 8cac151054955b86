import { useId } from 'react';
import { FormField } from './form-field.js';
import type { FieldErrors, RenderDeviceChoice, SubmitForm } from './submit-form-state.js';

/**
 * Where and with what a render runs: the device (any agent with the scene's own setting, CPU,
 * or only agents with a GPU), a pinned Blender version, and consent to run the scene's Python.
 * Each says what it costs: a GPU or pinned version may leave the job waiting for such an agent.
 */
export function RendererFields({ form, errors, set, savedBy, cyclesDevice }: {
  form: SubmitForm;
  errors: FieldErrors;
  set: <K extends keyof SubmitForm>(key: K, value: SubmitForm[K]) => void;
  /** The Blender that saved the chosen scene (`4.1`), when known. */
  savedBy?: string;
  /** The scene's own Cycles device, when known. */
  cyclesDevice?: 'CPU' | 'GPU';
}) {
  const hintId = useId();
  return (
    <fieldset className="renderer-fields">
      <legend>Renderer</legend>
      <fieldset className="device-choice" aria-describedby={hintId}>
        <legend>Device</legend>
        {DEVICES.map((d) => (
          <label key={d.value} className="check">
            <input type="radio" name="render-device" value={d.value} checked={form.device === d.value} onChange={() => set('device', d.value)} /> {d.label}
          </label>
        ))}
        <div id={hintId} className="hint">{deviceHint(form.device, cyclesDevice)}</div>
      </fieldset>
      <FormField
        label="Blender version"
        hint={`major.minor, e.g. 4.1; empty: ${savedBy ? `Blender ${savedBy} (which saved the scene) or newer` : "the scene's own version or newer"}.`}
        error={errors.blenderVersion}
      >
        {(a) => <input {...a} value={form.blenderVersion} inputMode="decimal" placeholder={savedBy ? majorMinor(savedBy) : '4.1'} size={8} onChange={(e) => set('blenderVersion', e.target.value)} />}
      </FormField>
      <label className="check">
        <input type="checkbox" checked={form.trustScripts} onChange={(e) => set('trustScripts', e.target.checked)} /> Trust the scene's scripts (runs its Python; only agents started with <span className="nowrap">--allow-scripts</span>)
      </label>
    </fieldset>
  );
}

const DEVICES: { value: RenderDeviceChoice; label: string }[] = [
  { value: 'any', label: 'Any' },
  { value: 'cpu', label: 'CPU' },
  { value: 'gpu', label: 'GPU' },
];

function deviceHint(device: RenderDeviceChoice, scene?: 'CPU' | 'GPU'): string {
  if (device === 'cpu') return 'Every agent renders it on its CPU.';
  if (device === 'gpu') return 'Only agents with a GPU take it; the job waits until one is there.';
  if (scene === 'GPU') return "The scene's own setting (GPU compute): agents with a GPU use it, others render on CPU and the job says so.";
  return "The scene's own setting, on any agent.";
}

function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
