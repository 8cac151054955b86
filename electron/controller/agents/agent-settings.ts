import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AgentOverrides } from '../scheduler/scheduler.js';
import { CoalescedWriter } from '../store/coalesced-writer.js';

/**
 * What the user set up about agents on this controller, kept across restarts in
 * `<home>/agents.json`: agents added by address (mDNS does not cross subnets) and per-agent
 * choices (disabled, tags). Written like the job store: coalesced and atomic.
 */

const SettingsSchema = z.object({
  manual: z.array(z.string()).default([]),
  overrides: z.record(z.string(), z.object({ enabled: z.boolean().optional(), tags: z.array(z.string()).optional() })).default({}),
});
type Settings = z.infer<typeof SettingsSchema>;

export class AgentSettings {
  private constructor(private readonly settings: Settings, private readonly writer: CoalescedWriter<Settings> | null, readonly problem: string | null) {}

  /** Loads the file; an unreadable one is reported and ignored (never rewritten until something changes). */
  static async open(home: string | null): Promise<AgentSettings> {
    if (!home) return new AgentSettings(SettingsSchema.parse({}), null, null);
    const file = join(home, 'agents.json');
    let settings = SettingsSchema.parse({});
    let problem: string | null = null;
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text !== null) {
      try {
        settings = SettingsSchema.parse(JSON.parse(text));
      } catch {
        problem = `The agent settings in ${file} could not be read; agents added by address must be added again.`;
      }
    }
    const writer = new CoalescedWriter<Settings>(file, () => settings);
    return new AgentSettings(settings, writer, problem);
  }

  get manualUrls(): string[] {
    return [...this.settings.manual];
  }

  overrides(): Map<string, AgentOverrides> {
    return new Map(Object.entries(this.settings.overrides));
  }

  addManual(url: string): void {
    if (this.settings.manual.includes(url)) return;
    this.settings.manual.push(url);
    this.writer?.markDirty();
  }

  removeManual(url: string): void {
    const at = this.settings.manual.indexOf(url);
    if (at < 0) return;
    this.settings.manual.splice(at, 1);
    this.writer?.markDirty();
  }

  setOverride(agentId: string, value: AgentOverrides | null): void {
    if (value === null) delete this.settings.overrides[agentId];
    else this.settings.overrides[agentId] = value;
    this.writer?.markDirty();
  }

  async close(): Promise<void> {
    await this.writer?.close();
  }
}
