import { copyFile, link, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InputCache } from './input-cache.js';
import type { OutputHold } from './output-hold.js';
import { describeFile, type LocalHandoff } from './protocol/index.js';

/** The agent's side of the LocalHandoff contract (protocol/local-handoff.ts): its input cache and output hold. */
export function createLocalHandoff(agentId: string, cache: InputCache, hold: OutputHold): LocalHandoff {
  return {
    agentId,
    async receiveInput(path, file) {
      const temp = cache.tempPath();
      try {
        await link(path, temp).catch(() => copyFile(path, temp));
        const found = await describeFile(temp, basename(path));
        if (found.sha256 !== file.sha256 || found.size !== file.size) throw new Error(`${path} changed on disk since the job was submitted`);
        await cache.commit(temp, file.sha256);
      } catch (error) {
        await rm(temp, { force: true });
        cache.fail(file.sha256, (error as Error).message);
        throw error;
      }
    },
    heldOutput(taskId, attempt, output) {
      const held = hold.get(taskId, attempt);
      if (!held || !held.task.outputs.some((o) => o.name === output.name && o.sha256 === output.sha256)) return null;
      return held.pathOf(output);
    },
  };
}
