import { FormField } from './form-field.js';
import type { FieldErrors, SubmitForm } from './submit-form-state.js';

/**
 * One still across the farm (`--tiles`): offered only when the job renders a single frame,
 * since a tiled job is one frame cut into regions, each on its own agent, merged on the
 * controller. The hint says what it costs and where the merge can differ from a whole render.
 */
export function TilesField({ form, errors, set }: {
  form: SubmitForm;
  errors: FieldErrors;
  set: <K extends keyof SubmitForm>(key: K, value: SubmitForm[K]) => void;
}) {
  return (
    <FormField
      label="Tiles"
      hint="One still across the farm: the frame cut into 2–64 regions, each rendered on its own agent and merged into the frame (PNG or OpenEXR). Exact with Cycles' denoiser and adaptive sampling off; empty: the frame whole."
      error={errors.tiles}
    >
      {(a) => <input {...a} type="number" min={2} max={64} value={form.tiles} onChange={(e) => set('tiles', e.target.value)} />}
    </FormField>
  );
}
