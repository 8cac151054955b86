import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import type { AgentView, ApiEvent, TaskView } from '../../electron/controller/api/contract.js';
import { createFarmService } from '../../electron/controller/api/farm-service.js';
import { compileNoopJob } from '../../electron/controller/jobs/noop/noop-job.js';
import { startLoopbackFarm } from '../helpers/loopback-farm.js';

// What a client learns from the API's events alone (issue 18): a task that starts is on its
// agent from its first event, and an agent's busy slots follow its tasks, during a job and
// after it, drained or not. Real controller, real agents on loopback, no-op tasks.

test('task events carry the agent from the start; agent events follow the busy slots during and after a job, drained included', async () => {
  const farm = await startLoopbackFarm({ agents: [{ slots: 1 }, { slots: 1 }] });
  try {
    const service = createFarmService(farm.controller, { outputRoot: join(farm.dir, 'out'), home: farm.dir, agentSettings: await AgentSettings.open(null) });
    await farm.waitFor(() => farm.controller.agents().filter((a) => a.online).length === 2, 'agents online');
    const tasks: TaskView[] = [];
    const agents = new Map<string, AgentView>();
    const busySeen = new Set<string>();
    const stop = service.onEvent((e: ApiEvent) => {
      if (e.kind === 'task') tasks.push(e.task);
      if (e.kind === 'agent') {
        agents.set(e.agent.agentId, e.agent);
        if (e.agent.busySlots > 0) busySeen.add(e.agent.agentId);
      }
    });
    const job = compileNoopJob({ count: 6, durationMs: 300, outputDir: join(farm.dir, 'out') });
    farm.controller.submit(job);
    await farm.waitFor(() => agents.size === 2 && [...agents.values()].every((a) => a.busySlots === 1), 'both agents announced busy');
    const drained = farm.agents[1]!.agentId;
    await service.api['agents.drain']({ agentId: drained });
    assert.equal((await farm.controller.waitForJob(job.id)).state, 'succeeded');
    await farm.waitFor(() => [...agents.values()].every((a) => a.busySlots === 0), 'both agents announced idle after the job', 3000);
    stop();

    const starting = tasks.filter((t) => t.state === 'assigned' || t.state === 'running');
    assert.ok(starting.some((t) => t.state === 'assigned'), 'assignments were announced');
    assert.deepEqual(starting.filter((t) => t.agentId === null || t.startedAt === null || t.attempt === 0).map((t) => `${t.id} ${t.state}`), [], 'every starting task is on an agent, in an attempt, with its start time');
    assert.deepEqual([...busySeen].sort(), [farm.agents[0]!.agentId, drained].sort(), 'each agent was announced busy while it ran a task');
    assert.deepEqual([agents.get(drained)!.enabled, agents.get(drained)!.busySlots], [false, 0], 'the drained agent reads idle after its task');
  } finally {
    await farm.close();
  }
});
