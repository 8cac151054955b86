import type { DependencyEntry, DependencyKind, DependencyManifest } from '../../../../electron/controller/api/views.js';
import { formatBytes } from '../../model/format.js';

/**
 * The files a chosen scene needs besides itself (files.probe's manifest), so the artist sees
 * before submitting what will travel to the agents and what is missing. Missing files come
 * first, in red and marked with a word (never colour alone), each with the path as the scene
 * wrote it and where the controller looked for it; a missing file renders magenta, which is
 * why the dialog holds the submit until "Render anyway" is ticked. A scene the browser uploaded
 * arrived alone, so its `//` paths find nothing beside it: the user is told to type its real path.
 */
export function DependencyList({ manifest, uploaded }: { manifest: DependencyManifest; uploaded: boolean }) {
  const count = manifest.entries.length;
  const missing = manifest.entries.filter((e) => e.missing);
  const present = manifest.entries.filter((e) => !e.missing);
  const summary = count === 0
    ? 'The scene needs no other files.'
    : `The scene needs ${count} other file${count === 1 ? '' : 's'}, ${formatBytes(manifest.totalBytes)} in all.`;
  return (
    <section className="dependency-list" aria-label="Files the scene needs">
      <p className="dependency-summary">{summary}</p>
      {manifest.listedBy === 'blender' ? (
        <p className="muted">Listed by Blender: the controller's own reader could not read this scene file.</p>
      ) : null}
      {missing.length > 0 ? (
        <p className="error dependency-missing-count" role="alert">
          ✗ {missing.length} file{missing.length === 1 ? ' is' : 's are'} missing; the scene renders {missing.length === 1 ? 'it' : 'them'} magenta. Put {missing.length === 1 ? 'it' : 'them'} back where the scene looks, or render anyway.
        </p>
      ) : null}
      {uploaded && missing.some((e) => e.written.startsWith('//')) ? (
        <p className="dependency-upload-hint">This browser sent only the .blend, so files beside it are not found; type the scene's path on the controller's machine above instead, and the controller finds them there when you submit.</p>
      ) : null}
      {count > 0 ? (
        <ul className="dependency-entries" aria-label={`${count} file${count === 1 ? '' : 's'} the scene needs${missing.length ? `, ${missing.length} missing` : ''}`} tabIndex={0}>
          {[...missing, ...present].map((e, i) => <DependencyRow key={`${i}:${e.resolved}`} entry={e} />)}
        </ul>
      ) : null}
    </section>
  );
}

function DependencyRow({ entry: e }: { entry: DependencyEntry }) {
  return (
    <li className={e.missing ? 'dependency missing' : 'dependency'} data-missing={e.missing ? 'true' : 'false'}>
      <span className="dependency-state">{e.missing ? '✗ missing' : formatBytes(e.size ?? 0)}</span>
      <span className="dependency-kind">{KIND_NAMES[e.kind]}</span>
      <code className="dependency-written" title={e.written}>{e.written}</code>
      {e.missing || e.written !== e.resolved ? (
        <span className="dependency-resolved">{e.missing ? 'looked for at ' : 'at '}<code>{e.resolved}</code></span>
      ) : null}
    </li>
  );
}

const KIND_NAMES: Record<DependencyKind, string> = {
  'image': 'image',
  'image-sequence': 'image sequence',
  'udim': 'UDIM tiles',
  'library': 'linked library',
  'sound': 'sound',
  'movie-clip': 'movie clip',
  'font': 'font',
  'cache-file': 'cache file',
  'volume': 'volume',
  'mesh-cache': 'mesh cache',
  'point-cache': 'point cache',
  'bake': 'bake',
  'text': 'text',
  'script': 'script',
  'ies': 'IES light',
};
