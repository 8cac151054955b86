import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentSettings } from '../../../electron/controller/agents/agent-settings.js';
import { startApiServer, type ApiServer } from '../../../electron/controller/api/api-server.js';
import { loadOrCreateApiToken } from '../../../electron/controller/api/api-token.js';
import { createFarmService } from '../../../electron/controller/api/farm-service.js';
import { createStaticFileHandler } from '../../../electron/controller/api/static-files.js';
import type { AgentOptions } from '../../../node-agent/create-agent.js';
import { startLoopbackFarm, type LoopbackFarm } from '../../helpers/loopback-farm.js';

/**
 * The real controller and real agents in the test's process (test/helpers/loopback-farm.ts),
 * serving the built UI (dist/renderer) and its API on 127.0.0.1 as `farmhand controller`
 * does, for browser tests that need what the CLI cannot submit: no-op jobs of chosen task
 * lengths (compileNoopJob, controller.submit), agents with chosen names and tags. The same
 * service the CLI's controller runs (createFarmService, startApiServer, the static handler).
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface InProcessUiFarm {
  farm: LoopbackFarm;
  service: ReturnType<typeof createFarmService>;
  /** http://127.0.0.1:PORT/#token=… */
  uiUrl: string;
  outputRoot: string;
  close(): Promise<void>;
}

export async function startInProcessUiFarm(o: { agents: Partial<AgentOptions>[] }): Promise<InProcessUiFarm> {
  const ui = join(root, 'dist/renderer');
  if (!existsSync(join(ui, 'index.html'))) throw new Error('Farmhand is not built; run `npm run build` before the e2e tests.');
  const farm = await startLoopbackFarm({ agents: o.agents });
  const home = join(farm.dir, 'controller');
  const outputRoot = join(farm.dir, 'out');
  let agentSettings: AgentSettings | null = null;
  let server: ApiServer | null = null;
  try {
    agentSettings = await AgentSettings.open(home);
    const service = createFarmService(farm.controller, { outputRoot, home, agentSettings });
    const token = await loadOrCreateApiToken(home);
    server = await startApiServer({ api: service.api, onEvent: service.onEvent, token, host: '127.0.0.1', port: 0, onHttpRequest: createStaticFileHandler({ root: ui }) });
    const opened = { settings: agentSettings, server };
    return {
      farm,
      service,
      uiUrl: `http://127.0.0.1:${server.port}/#token=${encodeURIComponent(token)}`,
      outputRoot,
      async close() {
        await opened.server.close().catch(() => undefined);
        await opened.settings.close();
        await farm.close();
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await agentSettings?.close().catch(() => undefined);
    await farm.close();
    throw error;
  }
}
