import { useEffect, useRef, useState } from 'react';
import { ModalDialog } from '../../components/modal-dialog.js';
import { errorMessage } from '../../client/farm-client.js';
import { useFarmClient } from '../../farm-client-context.js';
import { DROPPABLE_ACCEPT } from '../../model/droppable-file.js';
import { useFarmInfo } from '../../stores/farm-info-store.js';
import { addJobIfUnknown } from '../../stores/jobs-store.js';
import { pushNotice } from '../../stores/notices-store.js';
import { clearDraft, clearFileProblem, useSubmitStore } from '../../stores/submit-store.js';
import { selectJobs, setSubmitOpen } from '../../stores/ui-store.js';
import { FormField } from './form-field.js';
import { prepareFile } from './prepare-file.js';
import { DependencyList } from './dependency-list.js';
import { ProbeFacts } from './probe-facts.js';
import { RendererFields } from './renderer-fields.js';
import { SceneCautions } from './scene-cautions.js';
import { countFrameList } from '../../model/frame-list-count.js';
import { EMPTY_FORM, formFromProbe, sceneFrameList, toSubmitParams, type FieldErrors, type SubmitForm } from './submit-form-state.js';
import { TranscodeFields } from './transcode-fields.js';
import { TilesField } from './tiles-field.js';

/**
 * Submits a render or a transcode. A file dropped on the window or chosen here arrives read by
 * the controller (files.probe): the dialog fills in its path and, for a scene, its frame range,
 * and shows what was found. A path on the controller's machine can also be typed.
 */
export function SubmitDialog() {
  const client = useFarmClient();
  const draft = useSubmitStore((s) => s.draft);
  const preparing = useSubmitStore((s) => s.preparing);
  const fileProblem = useSubmitStore((s) => s.fileProblem);
  const outputRoot = useFarmInfo().info?.outputRoot;
  const [form, setForm] = useState<SubmitForm>(() => (draft ? formFromProbe(EMPTY_FORM, draft.probe) : EMPTY_FORM));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const filled = useRef(draft?.seq);
  const clearedFor = useRef<number | undefined>(undefined);
  const set = <K extends keyof SubmitForm>(key: K, value: SubmitForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const close = () => {
    setSubmitOpen(false);
    clearDraft();
  };

  // Another file chosen or dropped while the dialog is open fills it in again.
  useEffect(() => {
    if (!draft || draft.seq === filled.current) return;
    filled.current = draft.seq;
    setForm((f) => formFromProbe(f, draft.probe));
    setErrors({});
    setFailure(null);
  }, [draft]);

  // A file that cannot be used clears the one chosen before it: nothing is left ready to submit by mistake.
  useEffect(() => {
    if (!fileProblem || fileProblem.seq === clearedFor.current) return;
    clearedFor.current = fileProblem.seq;
    setForm((f) => ({ ...f, path: '' }));
    setErrors({});
    setFailure(null);
  }, [fileProblem]);

  const submit = () => {
    // "Render anyway" answers only for the missing files shown; a path typed since then is checked afresh.
    // "Render as one chunk" answers only for the simulations shown; the scene's range fills an empty frame list.
    const { params, errors: found } = toSubmitParams({ ...form, allowMissing: form.allowMissing && (manifest?.missingCount ?? 0) > 0, oneChunk }, scene ?? undefined);
    setErrors(found);
    setFailure(null);
    if (!params) return;
    setBusy(true);
    client.call('jobs.submit', params).then(
      (job) => {
        addJobIfUnknown(job);
        selectJobs([job.id], job.id, job.id);
        pushNotice('info', `Submitted ${job.name} (${job.taskCount} task${job.taskCount === 1 ? '' : 's'}).`);
        close();
      },
      (e) => {
        setFailure(errorMessage(e));
        setBusy(false);
      },
    );
  };

  const render = form.type === 'render';
  const probe = draft && draft.probe.path === form.path.trim() && (draft.probe.kind === 'scene') === render ? draft.probe : null;
  const stem = (form.path.trim().split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '');
  const manifest = render && probe?.kind === 'scene' ? probe.dependencies : undefined;
  // Missing files render magenta: the submit waits until the user says to render anyway.
  const heldForMissing = (manifest?.missingCount ?? 0) > 0 && !form.allowMissing;
  const scene = render && probe?.kind === 'scene' ? probe : null;
  const oneChunk = form.oneChunk && (scene?.simulations?.length ?? 0) > 0;
  const frameCount = form.frames.trim() ? countFrameList(form.frames) : scene ? countFrameList(sceneFrameList(scene)) : null;
  return (
    <ModalDialog title="Submit a job" onClose={close} className="submit-dialog">
      <form onSubmit={(e) => { e.preventDefault(); submit(); }} noValidate>
        <fieldset className="type-choice">
          <legend>Kind of job</legend>
          <label><input type="radio" name="job-type" checked={render} onChange={() => set('type', 'render')} /> Render a Blender scene</label>
          <label><input type="radio" name="job-type" checked={!render} onChange={() => set('type', 'transcode')} /> Transcode a video</label>
        </fieldset>
        <div className="file-choice">
          <FormField label={render ? 'Scene file (.blend)' : 'Video file'} hint="Absolute path on the controller's machine, or choose or drop a file." error={errors.path}>
            {(a) => <input {...a} value={form.path} autoFocus placeholder={render ? '/home/me/shots/scene.blend' : '/home/me/clips/take1.mov'} onChange={(e) => { set('path', e.target.value); clearFileProblem(); }} />}
          </FormField>
          <button type="button" onClick={() => picker.current?.click()} disabled={preparing !== null}>Choose file…</button>
          <input
            ref={picker}
            type="file"
            accept={DROPPABLE_ACCEPT}
            hidden
            tabIndex={-1}
            aria-hidden="true"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void prepareFile(client, file);
            }}
          />
        </div>
        <p className="muted" role="status">{preparing ?? ''}</p>
        {fileProblem ? <p className="error file-problem" role="alert">{fileProblem.message}</p> : null}
        {probe ? <ProbeFacts probe={probe} /> : null}
        {manifest ? <DependencyList manifest={manifest} uploaded={draft?.uploaded ?? false} /> : null}
        {manifest && manifest.missingCount > 0 ? (
          <label className="check"><input type="checkbox" checked={form.allowMissing} onChange={(e) => set('allowMissing', e.target.checked)} /> Render anyway (missing files render magenta)</label>
        ) : null}
        {scene ? <SceneCautions probe={scene} form={form} set={set} frameCount={frameCount} /> : null}
        {render ? (
          <>
            <div className="field-row">
              <FormField label="Frames" hint="e.g. 1-250, 1-100x5 or 3,5-10; empty: the scene's range." error={errors.frames}>
                {(a) => <input {...a} value={form.frames} onChange={(e) => set('frames', e.target.value)} />}
              </FormField>
              <FormField label="Chunk size" hint={oneChunk ? 'The whole range in one task (render as one chunk).' : 'Frames per task; empty: chosen for the farm.'} error={errors.chunkSize}>
                {(a) => <input {...a} type="number" min={1} value={oneChunk ? String(frameCount ?? '') : form.chunkSize} disabled={oneChunk} onChange={(e) => set('chunkSize', e.target.value)} />}
              </FormField>
            </div>
            {frameCount === 1 ? <TilesField form={form} errors={errors} set={set} /> : null}
            <FormField label="Output folder" hint="Absolute path; empty: a folder named after the scene in the controller's output folder." error={errors.outputDir}>
              {(a) => <input {...a} value={form.outputDir} placeholder={outputRoot ? `${outputRoot}/${stem || 'scene name'}` : undefined} onChange={(e) => set('outputDir', e.target.value)} />}
            </FormField>
            <label className="check"><input type="checkbox" checked={form.previewFirst && !oneChunk} disabled={oneChunk} onChange={(e) => set('previewFirst', e.target.checked)} /> Preview first: render single frames across the shot (first, last, middle…) before the rest</label>
            <label className="check"><input type="checkbox" checked={form.video} onChange={(e) => set('video', e.target.checked)} /> Make a video of the frames when they are done</label>
            <RendererFields form={form} errors={errors} set={set} savedBy={scene?.fileVersion?.saved} cyclesDevice={scene?.cyclesDevice} />
          </>
        ) : (
          <TranscodeFields form={form} errors={errors} set={set} />
        )}
        <div className="field-row">
          <FormField label="Priority" hint="0–100, higher runs first." error={errors.priority}>
            {(a) => <input {...a} type="number" min={0} max={100} value={form.priority} onChange={(e) => set('priority', e.target.value)} />}
          </FormField>
          <FormField label="Tags" hint="Only agents with all these tags run it, e.g. gpu, linux." error={errors.tags}>
            {(a) => <input {...a} value={form.tags} onChange={(e) => set('tags', e.target.value)} />}
          </FormField>
        </div>
        {failure ? <p className="error" role="alert">{failure}</p> : null}
        <div className="dialog-buttons">
          <button type="button" onClick={close}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || heldForMissing || (fileProblem !== null && !form.path.trim())}>{busy ? 'Submitting…' : 'Submit'}</button>
        </div>
      </form>
    </ModalDialog>
  );
}
