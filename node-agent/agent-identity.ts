import { loadOrCreateIdFile } from './host/id-file.js';

/**
 * An agent keeps one id for life (stored in its data folder), so the controller recognises
 * it across restarts and address changes and can reconcile the tasks it held.
 */
export function loadOrCreateAgentId(dataDir: string): Promise<string> {
  return loadOrCreateIdFile(dataDir, 'agent-id');
}
