import { useShallow } from 'zustand/react/shallow';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useFarmInfo } from '../../stores/farm-info-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { PairingCode } from './pairing-code.js';

/**
 * The controller as it reports itself (farm.info): the farm key to start agents with, where
 * outputs and data go, its version and the tools on its machine; and the connection to it.
 */
export function SettingsView() {
  const connection = useConnectionStore();
  const counts = useJobsStore(useShallow((s) => ({ jobs: s.order.length })));
  const { info, error } = useFarmInfo();
  return (
    <section className="view" aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings</h1>
      {error ? <p className="error" role="alert">The controller's settings could not be read: {error}</p> : null}
      <h2>Farm key</h2>
      {info ? <PairingCode farmKey={info.farmKey} /> : <p className="muted">Reading the farm key…</p>}
      <h2>Folders</h2>
      <dl className="facts">
        <dt>Output folder</dt>
        <dd>{info ? <><code>{info.outputRoot}</code> <span className="muted">(each job writes into a folder of its own name here unless given another)</span></> : '—'}</dd>
        <dt>Data folder</dt>
        <dd>{info ? <><code>{info.dataFolder}</code> <span className="muted">(farm key, jobs, logs, uploads; set with FARMHAND_HOME)</span></> : '—'}</dd>
      </dl>
      <h2>Controller</h2>
      <dl className="facts">
        <dt>Version</dt>
        <dd>{info?.version ?? '—'}</dd>
        <dt>Address</dt>
        <dd><code>{connection.address}</code></dd>
        <dt>Connection</dt>
        <dd>{connection.state}{connection.message ? ` — ${connection.message}` : ''}</dd>
        <dt>API version</dt>
        <dd>{connection.serverVersion ?? '—'}</dd>
        <dt>Jobs</dt>
        <dd>{counts.jobs}</dd>
        <dt>Blender here</dt>
        <dd>{info ? toolText(info.tools.blender, 'needed only to read scenes its own reader cannot') : '—'}</dd>
        <dt>ffmpeg here</dt>
        <dd>{info ? toolText(info.tools.ffmpeg, 'the local agent cannot transcode or make videos') : '—'}</dd>
        <dt>ffprobe here</dt>
        <dd>{info ? toolText(info.tools.ffprobe, 'videos cannot be read for transcoding; install ffmpeg') : '—'}</dd>
      </dl>
    </section>
  );
}

function toolText(path: string | null, whenMissing: string) {
  return path ? <code>{path}</code> : <span>not found <span className="muted">({whenMissing})</span></span>;
}
