import type { Capabilities } from './messages.js';

/**
 * Tags an agent gets from what it has rather than from `--tags`, so a job can ask for them
 * (`--tags gpu`) without every GPU box being tagged by hand: `gpu` when its render device is a
 * GPU backend. The agent adds them to its hello; the controller applies the same rule when
 * `agent.capabilities` arrives after the hello (an agent's first start greets before its
 * Blenders' GPUs are probed).
 */
export const GPU_TAG = 'gpu';

/** `tags` with the automatic ones `capabilities` earn, each once. */
export function withAutomaticTags(tags: readonly string[], capabilities: Pick<Capabilities, 'renderDevice'>): string[] {
  const gpu = capabilities.renderDevice !== undefined && capabilities.renderDevice !== 'cpu';
  return gpu && !tags.includes(GPU_TAG) ? [...tags, GPU_TAG] : [...tags];
}
