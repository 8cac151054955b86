import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../store/atomic-write.js';

/**
 * What the chunk planner remembers between jobs and runs, in one small file in the farm home
 * (`chunk-plan.json`, written whole and atomically like the store's files):
 * - each agent's Blender start-up per Blender version (process start → first `Fra:`), so a
 *   job's first plan already knows what one more chunk costs on each agent;
 * - each agent's speed: its frame time over its job's mean frame time (a factor), so a job's
 *   first chunks are sized for each agent before the job measured it (a slow agent's first
 *   chunk, sized blind, would end long after the others: a running chunk cannot be cut);
 * - each scene's last measured per-frame time, by the scene's sha256 (and its path, for a
 *   scene saved again since), so the next submit of the same scene is sized from it rather than
 *   from the default.
 * Bounded (the oldest entries go) and forgiving: a missing or broken file is an empty memory.
 */

export const PLANNING_MEMORY_FILE = 'chunk-plan.json';
const MAX_STARTUPS = 1000;
const MAX_SCENES = 500;
const MAX_SPEEDS = 1000;
/** A remembered speed factor is kept within these bounds (a wild measure cannot size a chunk absurdly). */
const MIN_SPEED_FACTOR = 1 / 20;
const MAX_SPEED_FACTOR = 20;
/** Start-ups are a running mean over about this many measurements: a slow first start (a cold disk) fades. */
const STARTUP_WINDOW = 8;
/** Written at most this often while measures pour in (every progress report brings one); flushed on close. */
const SAVE_DELAY_MS = 5000;

interface StartupEntry { ms: number; n: number; at: number }
interface SceneEntry { frameMs: number; path: string; at: number }
interface SpeedEntry { factor: number; n: number; at: number }
/** `speeds` came later: a file without it is read as knowing no speed. */
interface MemoryFile { version: 1; startups: Record<string, StartupEntry>; scenes: Record<string, SceneEntry>; speeds: Record<string, SpeedEntry> }

export class PlanningMemory {
  #data: MemoryFile;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | null, data: MemoryFile) {
    this.#data = data;
  }

  /** The memory in `home` (null: kept in this process only). */
  static async open(home: string | null): Promise<PlanningMemory> {
    const file = home === null ? null : join(home, PLANNING_MEMORY_FILE);
    return new PlanningMemory(file, file ? await readMemory(file) : emptyMemory());
  }

  /** The agent's mean Blender start-up with that version (ms), or null before one was measured. */
  startupMs(agentId: string, blenderVersion: string): number | null {
    return this.#data.startups[startupKey(agentId, blenderVersion)]?.ms ?? null;
  }

  noteStartup(agentId: string, blenderVersion: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const key = startupKey(agentId, blenderVersion);
    const was = this.#data.startups[key];
    const n = Math.min(STARTUP_WINDOW, (was?.n ?? 0) + 1);
    this.#data.startups[key] = { ms: Math.round(was ? was.ms + (ms - was.ms) / n : ms), n, at: Date.now() };
    trim(this.#data.startups, MAX_STARTUPS);
    this.#saveSoon();
  }

  /** The agent's frame time relative to its jobs' mean frame time (1: average, 3: three times slower), or null before one was measured. */
  agentSpeedFactor(agentId: string): number | null {
    return this.#data.speeds[agentId]?.factor ?? null;
  }

  /** Notes one job's measure of the agent's speed factor: a running mean over the last few, like start-ups. */
  noteAgentSpeedFactor(agentId: string, factor: number): void {
    if (!Number.isFinite(factor) || factor <= 0) return;
    const bounded = Math.min(MAX_SPEED_FACTOR, Math.max(MIN_SPEED_FACTOR, factor));
    const was = this.#data.speeds[agentId];
    const n = Math.min(STARTUP_WINDOW, (was?.n ?? 0) + 1);
    const mean = was ? was.factor + (bounded - was.factor) / n : bounded;
    this.#data.speeds[agentId] = { factor: Math.round(mean * 1000) / 1000, n, at: Date.now() };
    trim(this.#data.speeds, MAX_SPEEDS);
    this.#saveSoon();
  }

  /** The last per-frame time measured for this scene (ms): by its content, else by its path. */
  sceneFrameMs(sha256: string, path?: string): number | null {
    return sceneFrameMsIn(this.#data, sha256, path);
  }

  noteSceneFrameMs(sha256: string, path: string, frameMs: number): void {
    if (!Number.isFinite(frameMs) || frameMs <= 0) return;
    this.#data.scenes[sha256] = { frameMs: Math.round(frameMs), path, at: Date.now() };
    trim(this.#data.scenes, MAX_SCENES);
    this.#saveSoon();
  }

  /** Writes what is not on disk yet (the controller closing). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#write();
    }
    await this.#writing;
  }

  #saveSoon(): void {
    if (!this.file || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#write();
    }, SAVE_DELAY_MS);
    this.#timer.unref();
  }

  #write(): void {
    if (!this.file) return;
    const file = this.file;
    const text = JSON.stringify(this.#data);
    this.#writing = this.#writing.then(() => writeFileAtomic(file, text)).catch(() => undefined); // a lost write only costs a default estimate
  }
}

/** The scene's remembered per-frame time straight from the farm home's file (the submit path reads it once). */
export async function rememberedSceneFrameMs(home: string, sha256: string, path?: string): Promise<number | null> {
  return sceneFrameMsIn(await readMemory(join(home, PLANNING_MEMORY_FILE)), sha256, path);
}

function sceneFrameMsIn(data: MemoryFile, sha256: string, path?: string): number | null {
  const exact = data.scenes[sha256];
  if (exact) return exact.frameMs;
  if (path === undefined) return null;
  let best: SceneEntry | null = null;
  for (const entry of Object.values(data.scenes)) if (entry.path === path && (!best || entry.at > best.at)) best = entry;
  return best?.frameMs ?? null;
}

function startupKey(agentId: string, blenderVersion: string): string {
  return `${agentId}|${blenderVersion}`;
}

function trim<T extends { at: number }>(entries: Record<string, T>, max: number): void {
  const keys = Object.keys(entries);
  if (keys.length <= max) return;
  keys.sort((a, b) => entries[a]!.at - entries[b]!.at);
  for (const key of keys.slice(0, keys.length - max)) delete entries[key];
}

function emptyMemory(): MemoryFile {
  return { version: 1, startups: {}, scenes: {}, speeds: {} };
}

async function readMemory(file: string): Promise<MemoryFile> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<MemoryFile>;
    if (data?.version !== 1 || typeof data.startups !== 'object' || typeof data.scenes !== 'object' || !data.startups || !data.scenes) return emptyMemory();
    return {
      version: 1,
      startups: cleanEntries(data.startups, (e) => isNum(e.ms) && isNum(e.n) && isNum(e.at)),
      scenes: cleanEntries(data.scenes, (e) => isNum(e.frameMs) && typeof e.path === 'string' && isNum(e.at)),
      speeds: data.speeds && typeof data.speeds === 'object' ? cleanEntries(data.speeds, (e) => isNum(e.factor) && e.factor >= MIN_SPEED_FACTOR && e.factor <= MAX_SPEED_FACTOR && isNum(e.n) && isNum(e.at)) : {},
    };
  } catch {
    return emptyMemory();
  }
}

function cleanEntries<T>(entries: Record<string, unknown>, valid: (e: Record<string, unknown>) => boolean): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(entries)) if (value && typeof value === 'object' && valid(value as Record<string, unknown>)) out[key] = value as T;
  return out;
}

function isNum(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
