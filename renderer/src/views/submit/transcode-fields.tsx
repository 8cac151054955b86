import { FormField } from './form-field.js';
import type { FieldErrors, SubmitForm } from './submit-form-state.js';

/** Output and codec settings of a transcode job. */
const VIDEO_CODECS = ['libx264', 'libx265', 'libsvtav1', 'libvpx-vp9'];
const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'];
const AUDIO_CODECS = ['aac', 'libopus'];

export function TranscodeFields({ form, errors, set }: { form: SubmitForm; errors: FieldErrors; set: <K extends keyof SubmitForm>(key: K, value: SubmitForm[K]) => void }) {
  return (
    <>
      <FormField label="Output file" hint="Absolute path; empty: the input's name as .mp4 in the controller's output folder." error={errors.outputPath}>
        {(a) => <input {...a} value={form.outputPath} onChange={(e) => set('outputPath', e.target.value)} />}
      </FormField>
      <fieldset>
        <legend>Codec settings</legend>
        <div className="field-row">
          <FormField label="Video codec">
            {(a) => <select {...a} value={form.videoCodec} onChange={(e) => set('videoCodec', e.target.value)}>{VIDEO_CODECS.map((c) => <option key={c}>{c}</option>)}</select>}
          </FormField>
          <FormField label="Preset">
            {(a) => <select {...a} value={form.preset} onChange={(e) => set('preset', e.target.value)}>{PRESETS.map((c) => <option key={c}>{c}</option>)}</select>}
          </FormField>
          <FormField label="Quality (CRF)" hint="Lower is better; empty: the codec's default." error={errors.crf}>
            {(a) => <input {...a} type="number" min={0} max={63} value={form.crf} onChange={(e) => set('crf', e.target.value)} />}
          </FormField>
        </div>
        <div className="field-row">
          <FormField label="Scale width" hint="Pixels; empty: keep the size." error={errors.scaleWidth}>
            {(a) => <input {...a} type="number" min={16} value={form.scaleWidth} onChange={(e) => set('scaleWidth', e.target.value)} />}
          </FormField>
          <FormField label="Scale height" error={errors.scaleHeight}>
            {(a) => <input {...a} type="number" min={16} value={form.scaleHeight} onChange={(e) => set('scaleHeight', e.target.value)} />}
          </FormField>
          <FormField label="Chunks" hint="Empty: chosen for the farm." error={errors.chunks}>
            {(a) => <input {...a} type="number" min={1} value={form.chunks} onChange={(e) => set('chunks', e.target.value)} />}
          </FormField>
        </div>
        <div className="field-row">
          <FormField label="Audio codec">
            {(a) => <select {...a} value={form.audioCodec} onChange={(e) => set('audioCodec', e.target.value)}>{AUDIO_CODECS.map((c) => <option key={c}>{c}</option>)}</select>}
          </FormField>
          <FormField label="Audio bitrate" hint="e.g. 192k; empty: the codec's default." error={errors.audioBitrate}>
            {(a) => <input {...a} value={form.audioBitrate} onChange={(e) => set('audioBitrate', e.target.value)} />}
          </FormField>
        </div>
      </fieldset>
    </>
  );
}
