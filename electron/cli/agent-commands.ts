import type { Command } from 'commander';
import type { AgentView } from '../controller/api/contract.js';
import { print, withClient, withClientOptions, type ClientOptions } from './api-connection.js';
import { blenderVersions, renderDeviceCell, scriptsCell } from './agent-renderers.js';
import { formatTable, type Column } from './cli-table.js';
import { commaList } from './cli-options.js';

/** `farmhand agents …`: the render machines a running controller knows, and what it may give them. */

export const agentColumns: Column<AgentView>[] = [
  { header: 'ID', value: (a) => a.agentId, max: 40 },
  { header: 'NAME', value: (a) => a.name, max: 24 },
  { header: 'URL', value: (a) => a.url, max: 40 },
  { header: 'STATE', value: (a) => `${a.online ? 'online' : 'offline'}${a.enabled ? '' : ', disabled'}` },
  { header: 'SLOTS', value: (a) => `${a.busySlots}/${a.slots}`, right: true },
  { header: 'TAGS', value: (a) => (a.tags.length ? a.tags.join(',') : '-'), max: 32 },
  { header: 'TOOLS', value: (a) => [blenderVersions(a), a.ffmpeg && `ffmpeg ${a.ffmpeg}`, a.checking.length > 0 && 'checking tools…'].filter(Boolean).join(', ') || '-', max: 64 },
  { header: 'DEVICE', value: renderDeviceCell, max: 64 },
  { header: 'SCRIPTS', value: scriptsCell },
];

export function registerAgentCommands(program: Command): void {
  const agents = withClientOptions(program.command('agents').description('list the agents of a running controller (and add, remove, enable, disable, drain, stop, tag them)'))
    .enablePositionalOptions()
    .action(async (o: ClientOptions) => {
      const list = await withClient(o, (client) => client.call('agents.list', {}));
      print(o, list, () => formatTable(list, agentColumns, 'No agents yet: start one with the farm key (`farmhand key`) or add one with `farmhand agents add wss://HOST:PORT`.'));
    });

  withClientOptions(agents.command('add').description('use an agent by address (mDNS does not cross subnets); kept across restarts').argument('<url>', 'wss://HOST:PORT'))
    .action(async (url: string, o: ClientOptions) => {
      const added = await withClient(o, (client) => client.call('agents.add', { url }));
      print(o, added, () => `Added ${added.url}; it is used as soon as it answers (see \`farmhand agents\`).`);
    });

  withClientOptions(agents.command('remove').description('forget an agent (and stop reconnecting to it)').argument('<id>', 'the agent id, as printed by farmhand agents'))
    .action(async (agentId: string, o: ClientOptions) => {
      const removed = await withClient(o, (client) => client.call('agents.remove', { agentId }));
      print(o, removed, () => `Agent ${removed.agentId} removed.`);
    });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    withClientOptions(agents.command(verb).description(enabled ? 'give an agent tasks again' : 'give an agent no new tasks (running ones finish)').argument('<id>', 'the agent id'))
      .action(async (agentId: string, o: ClientOptions) => {
        const agent = await withClient(o, (client) => client.call('agents.setEnabled', { agentId, enabled }));
        print(o, agent, () => `Agent ${agent.agentId} ${enabled ? 'enabled' : 'disabled'}.`);
      });
  }

  withClientOptions(agents.command('drain').description('give an agent no new tasks; the ones it runs finish (undo with enable)').argument('<id>', 'the agent id'))
    .action(async (agentId: string, o: ClientOptions) => {
      const agent = await withClient(o, (client) => client.call('agents.drain', { agentId }));
      print(o, agent, () => `Agent ${agent.agentId} drained: it finishes ${agent.busySlots ? `its ${agent.busySlots} running task(s)` : 'nothing (it is idle)'} and takes no new ones.`);
    });

  withClientOptions(agents.command('stop').description('stop an agent now: its running tasks stop and go back to the queue (no failed attempt counted)').argument('<id>', 'the agent id'))
    .action(async (agentId: string, o: ClientOptions) => {
      const agent = await withClient(o, (client) => client.call('agents.stopNow', { agentId }));
      print(o, agent, () => `Agent ${agent.agentId} stopped; ${agent.requeued} task(s) went back to the queue. \`farmhand agents enable ${agent.agentId}\` gives it work again.`);
    });

  withClientOptions(agents.command('tags').description('set an agent\'s tags (jobs with tags run only on agents that have them all)').argument('<id>', 'the agent id').argument('<tags>', 'comma-separated, e.g. gpu,linux ("" for none)', commaList))
    .action(async (agentId: string, tags: string[], o: ClientOptions) => {
      const agent = await withClient(o, (client) => client.call('agents.setTags', { agentId, tags }));
      print(o, agent, () => `Agent ${agent.agentId} tags: ${agent.tags.length ? agent.tags.join(', ') : 'none'}.`);
    });
}
