import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentSettings } from '../controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../controller/api/farm-service.js';
import { farmHome } from '../controller/farm-home.js';
import { silentLogger } from './farm-logger.js';
import { startFarm, type Farm, type FarmOptions } from './start-farm.js';

/**
 * The long-running controller service, ready to serve its API: the farm (resuming stored
 * jobs), the agents added by hand, and the service behind the API contract. Plain Node, so
 * the headless `farmhand controller` and the desktop app's main process start the very same
 * thing; each then adds its own transport (WebSocket, Electron IPC).
 */

export interface ControllerServiceOptions extends Omit<FarmOptions, 'home' | 'agentWait' | 'resume'> {
  /** Data folder (default: FARMHAND_HOME, else ~/.farmhand). */
  home?: string;
  /** Where jobs without an output path write (default ~/Farmhand). */
  outputRoot?: string;
  ffprobe?: string;
}

export interface ControllerService {
  home: string;
  farm: Farm;
  service: FarmService;
  /** Jobs loaded from the store at start (unfinished ones resume). */
  storedJobs: number;
  /** Flushes the agent settings, then closes the farm (links, store). Close the transports first. */
  close(): Promise<void>;
}

export async function startControllerService(o: ControllerServiceOptions): Promise<ControllerService> {
  const home = o.home ?? farmHome();
  const farm = await startFarm({ ...o, home, agentWait: 0, resume: true });
  let agentSettings: AgentSettings | null = null;
  try {
    agentSettings = await AgentSettings.open(home);
    if (agentSettings.problem) (o.logger ?? silentLogger).warning(agentSettings.problem);
    const service = createFarmService(farm.controller, {
      outputRoot: resolve(o.outputRoot ?? join(homedir(), 'Farmhand')),
      home,
      agentSettings,
      blenderPath: o.blender,
      ffprobePath: o.ffprobe,
      ffmpegPath: o.ffmpeg,
    });
    const settings = agentSettings;
    return {
      home,
      farm,
      service,
      storedJobs: farm.controller.scheduler.allJobs().length,
      async close() {
        await settings.close();
        await farm.close();
      },
    };
  } catch (error) {
    await agentSettings?.close();
    await farm.close();
    throw error;
  }
}
