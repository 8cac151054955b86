import type { Capabilities } from '../../../node-agent/protocol/index.js';
import type { TaskRecord } from '../model/job-model.js';
import type { AgentLink } from './agent-link.js';
import type { AgentView } from '../api/views.js';

/** What the scheduler knows of one agent: its hello, its link, and the tasks it runs now. */
export interface AgentRuntime {
  agentId: string;
  name: string;
  hostname: string;
  url: string;
  link: AgentLink;
  online: boolean;
  enabled: boolean;
  slots: number;
  tags: string[];
  capabilities: Capabilities;
  /** Tasks occupying a slot, by task id. */
  running: Map<string, TaskRecord>;
  /** Tasks whose outputs are being fetched from this agent. */
  collecting: Set<string>;
  lastSeen: number;
}

/** The API's view of an agent is defined with the contract; re-exported for the controller's own importers. */
export type { AgentView };

export function agentView(a: AgentRuntime): AgentView {
  return {
    agentId: a.agentId,
    name: a.name,
    hostname: a.hostname,
    url: a.url,
    online: a.online,
    enabled: a.enabled,
    slots: a.slots,
    busySlots: a.running.size,
    tags: a.tags,
    taskTypes: a.capabilities.taskTypes,
    checking: a.capabilities.checking ?? [],
    blender: a.capabilities.blender?.version ?? null,
    ffmpeg: a.capabilities.ffmpeg?.version ?? null,
    cores: a.capabilities.cores,
    ...(a.capabilities.blenders ? { blenders: a.capabilities.blenders.map((b) => ({ version: b.version, devices: b.devices.map((d) => ({ backend: d.backend, name: d.name })) })) } : {}),
    renderDevice: a.capabilities.renderDevice ?? 'cpu',
    allowScripts: a.capabilities.allowScripts === true,
  };
}
