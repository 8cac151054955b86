import { useState, type Ref } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { UtilisationSparkline } from '../../components/utilisation-sparkline.js';
import { errorMessage } from '../../client/farm-client.js';
import { useFarmClient } from '../../farm-client-context.js';
import { agentRendererFacts } from '../../model/agent-renderers.js';
import { parseTags } from '../../model/parse-tags.js';
import { applyAgentChanges, forgetAgent, useAgentsStore } from '../../stores/agents-store.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { pushNotice } from '../../stores/notices-store.js';
import { useTasksStore } from '../../stores/tasks-store.js';
import { openJob } from '../../stores/ui-store.js';

/** Where the virtualised table (nodes-table.tsx) places a row: its measuring ref, index and focus. */
export interface NodeRowPlacement {
  ref: Ref<HTMLTableRowElement>;
  'data-index': number;
  'aria-rowindex': number;
  tabIndex: number;
}

/**
 * One agent with its controls: drain (no new tasks, the running ones finish) or enable again,
 * stop now (its running tasks stop and go back to the queue, after a confirm), tags, remove.
 */
export function NodeRow({ agentId, placement }: { agentId: string; placement?: NodeRowPlacement }) {
  const client = useFarmClient();
  const agent = useAgentsStore((s) => s.byId[agentId]);
  const active = useTasksStore(useShallow((s) => Object.values(s.activeByAgent[agentId] ?? {})));
  const jobNames = useJobsStore((s) => s.byId);
  const [tags, setTags] = useState<string | null>(null);
  const [tagError, setTagError] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [confirmStop, setConfirmStop] = useState(false);
  if (!agent) return null;
  const tagText = tags ?? agent.tags.join(', ');

  const run = (promise: Promise<unknown>) => promise.catch((e) => pushNotice('error', `${agent.name}: ${errorMessage(e)}`));
  const saveTags = () => {
    setTagError(null);
    client.call('agents.setTags', { agentId, tags: parseTags(tagText) }).then(
      (a) => {
        applyAgentChanges([a]);
        setTags(null);
      },
      (e) => setTagError(errorMessage(e)),
    );
  };
  const renderers = agentRendererFacts(agent);
  const caps = [renderers.blenders ?? (agent.checking.includes('blender') ? 'checking Blender…' : null), agent.ffmpeg ? `ffmpeg ${agent.ffmpeg}` : null, agent.cores ? `${agent.cores} cores` : null].filter(Boolean);
  return (
    <tr data-agent-id={agent.agentId} {...placement}>
      <th scope="row">
        {agent.name}
        <div className="muted small">{agent.hostname ? `${agent.hostname} · ` : ''}{agent.url}</div>
      </th>
      <td>
        <span className={`state ${agent.online ? 'state-online' : 'state-offline'}`}>
          <span aria-hidden="true" className="state-symbol">{agent.online ? '●' : '○'}</span> {agent.online ? 'online' : 'offline'}
        </span>
        {agent.enabled ? null : <div className="muted small">{active.length > 0 ? 'draining: finishing its tasks, taking no new ones' : 'drained: takes no new tasks'}</div>}
      </td>
      <td>
        {caps.length ? caps.join(' · ') : <span className="muted">not reported yet</span>}
        {renderers.blenders ? <div className="renderer-facts small" data-facts="renderers">{renderers.device} · {renderers.gpus} · {renderers.scripts}</div> : null}
        <div className="muted small">{agent.taskTypes.join(', ')}</div>
      </td>
      <td>{agent.busySlots} of {agent.slots} busy<UtilisationSparkline agent={agent} /></td>
      <td>
        {active.length === 0 ? <span className="muted">idle</span> : active.map((t) => (
          <div key={t.id}>
            {t.label} of <button type="button" className="link" onClick={() => openJob(t.jobId)}>{jobNames[t.jobId]?.name ?? t.jobId}</button>
          </div>
        ))}
      </td>
      <td>
        <form className="inline-field" onSubmit={(e) => { e.preventDefault(); saveTags(); }}>
          <label className="sr-only" htmlFor={`tags-${agent.agentId}`}>Tags of {agent.name}</label>
          <input id={`tags-${agent.agentId}`} value={tagText} placeholder="gpu, linux" size={14} aria-invalid={tagError ? true : undefined} onChange={(e) => setTags(e.target.value)} />
          <button type="submit" disabled={tags === null}>Save tags</button>
        </form>
        {tagError ? <p className="field-error" role="alert">{tagError}</p> : null}
      </td>
      <td className="controls">
        {agent.enabled ? (
          <button type="button" aria-label={`Drain ${agent.name}`} title="Take no new tasks; the running ones finish" onClick={() => void run(client.call('agents.drain', { agentId }).then((a) => applyAgentChanges([a])))}>Drain</button>
        ) : (
          <button type="button" aria-label={`Enable ${agent.name}`} title="Take new tasks again" onClick={() => void run(client.call('agents.setEnabled', { agentId, enabled: true }).then((a) => applyAgentChanges([a])))}>Enable</button>
        )}
        <button type="button" aria-label={`Stop now: ${agent.name}…`} disabled={!agent.online} onClick={() => setConfirmStop(true)}>Stop now…</button>
        {confirmStop ? (
          <ConfirmDialog
            title="Stop agent now"
            text={`Stop ${agent.name} now? ${active.length > 0 ? `Its ${active.length} running task(s) are stopped and go back to the queue (no failed attempt is counted), ` : 'It '}takes no new tasks until you enable it again.`}
            confirmLabel="Stop now"
            onCancel={() => setConfirmStop(false)}
            onConfirm={() => {
              setConfirmStop(false);
              void run(client.call('agents.stopNow', { agentId }).then(({ requeued, ...view }) => {
                applyAgentChanges([view]);
                pushNotice('info', `${agent.name} stopped${requeued ? `; ${requeued} task(s) went back to the queue` : ''}.`);
              }));
            }}
          />
        ) : null}
        <button type="button" aria-label={`Remove ${agent.name}…`} onClick={() => setConfirmRemove(true)}>Remove…</button>
        {confirmRemove ? (
          <ConfirmDialog
            title="Remove agent"
            text={`Remove ${agent.name}? Its running tasks are requeued, and the controller stops connecting to it (one found on the network may come back).`}
            confirmLabel="Remove"
            onCancel={() => setConfirmRemove(false)}
            onConfirm={() => {
              setConfirmRemove(false);
              void run(client.call('agents.remove', { agentId }).then(() => forgetAgent(agentId)));
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}
