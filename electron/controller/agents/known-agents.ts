import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { normalizeAgentUrl } from './agent-pool.js';

/**
 * The agents this farm home has reached before (agent id, address, when last seen), so the next
 * controller connects to them at once instead of waiting for mDNS: a one-shot `farmhand render`
 * then starts its first task while discovery is still browsing. An address here is only a
 * hint: the TLS-PSK farm-key handshake still proves whoever answers, and an agent that answers
 * with another id is simply remembered under its new id. They count as discovery: a controller
 * with discovery off (`--no-discover`) neither uses nor records them.
 *
 * The file (`known-agents.json` in the farm home) is small and bounded: at most
 * MAX_KNOWN_AGENTS entries, the least recently seen dropped first, and entries not seen for
 * FORGET_AFTER_DAYS are aged out. Several controllers may share a home (a render while the
 * desktop app runs): each write holds a lock file, re-reads the file and merges, then replaces
 * it atomically (a temp file of its own, renamed), so neither loses the other's agents nor
 * leaves half a file.
 */

export const KNOWN_AGENTS_FILE = 'known-agents.json';
export const MAX_KNOWN_AGENTS = 256;
export const FORGET_AFTER_DAYS = 30;
const FORGET_AFTER_MS = FORGET_AFTER_DAYS * 86_400_000;
/** The same shape as an agent id announced over mDNS (mdns-browser.ts). */
const AGENT_ID = /^[A-Za-z0-9-]{8,64}$/;
/** Waiting for another controller's read-merge-write: tries × pause; a lock older than LOCK_STALE_MS was left by a crash. */
const LOCK_TRIES = 50;
const LOCK_PAUSE_MS = 10;
const LOCK_STALE_MS = 10_000;

export interface KnownAgent {
  agentId: string;
  /** wss://host:port, as the pool normalizes it. */
  url: string;
  /** Epoch milliseconds. */
  lastSeen: number;
}

export function knownAgentsFile(home: string): string {
  return join(home, KNOWN_AGENTS_FILE);
}

/** The remembered agents, newest first; a missing, unreadable or malformed file is an empty memory. */
export async function readKnownAgents(home: string, now = Date.now()): Promise<KnownAgent[]> {
  return (await readKnownAgentsFile(home, now)) ?? [];
}

/**
 * The same, or null when this home has no memory yet (no file, or one that cannot be read): its
 * farm is unknown, and a start must give mDNS its time. An empty list is a memory too: a
 * farm of this machine alone (the embedded agent is never remembered: its port changes every run).
 */
export async function readKnownAgentsFile(home: string, now = Date.now()): Promise<KnownAgent[] | null> {
  return knownAgentsIn(await readFile(knownAgentsFile(home), 'utf8').catch(() => null), now);
}

/**
 * The same, read synchronously: a controller's start reads it first thing and dials at once,
 * before the work it starts next (the job store, a scene's read) fills the event loop, where
 * an asynchronous read of this small bounded file would wait behind them.
 */
export function readKnownAgentsFileNow(home: string, now = Date.now()): KnownAgent[] | null {
  let text: string | null;
  try {
    text = readFileSync(knownAgentsFile(home), 'utf8');
  } catch {
    text = null;
  }
  return knownAgentsIn(text, now);
}

function knownAgentsIn(text: string | null, now: number): KnownAgent[] | null {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const list = (parsed as { agents?: unknown })?.agents;
  if (!Array.isArray(list)) return null;
  return bounded(list.flatMap((entry) => validEntry(entry) ?? []), now);
}

/**
 * Addresses worth trying when discovery is bound to `interfaceAddress`: discovery limited to
 * loopback (tests, benchmarks) must not reach past it, so it only tries loopback addresses.
 */
export function hintsWithin(agents: KnownAgent[], interfaceAddress: string | undefined): KnownAgent[] {
  // The same choice as the browser's (node-agent/host/mdns-interface.ts, not imported: it loads mDNS).
  const underTest = process.env.FARMHAND_TEST === '1' || !!process.env.NODE_TEST_CONTEXT;
  const scope = interfaceAddress ?? (process.env.FARMHAND_MDNS_INTERFACE || undefined) ?? (underTest ? '127.0.0.1' : undefined);
  if (!scope || !isLoopback(scope)) return agents;
  return agents.filter((a) => isLoopback(new URL(a.url).hostname.replace(/^\[|\]$/g, '')));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function validEntry(entry: unknown): KnownAgent | null {
  const e = entry as Partial<KnownAgent> | null;
  if (!e || typeof e.agentId !== 'string' || !AGENT_ID.test(e.agentId)) return null;
  if (typeof e.url !== 'string' || e.url.length > 300 || typeof e.lastSeen !== 'number' || !Number.isFinite(e.lastSeen)) return null;
  try {
    return { agentId: e.agentId, url: normalizeAgentUrl(e.url), lastSeen: e.lastSeen };
  } catch {
    return null;
  }
}

/**
 * One entry per agent id and per address, newest first: an agent that moved keeps only its new
 * address, and an address now answered by another agent (a reinstall, a new id) keeps only the
 * newer one. Stale entries go, then the oldest beyond the bound.
 */
function bounded(agents: KnownAgent[], now: number): KnownAgent[] {
  const ids = new Set<string>();
  const urls = new Set<string>();
  const kept: KnownAgent[] = [];
  for (const a of [...agents].sort((x, y) => y.lastSeen - x.lastSeen)) {
    if (ids.has(a.agentId) || urls.has(a.url) || now - a.lastSeen > FORGET_AFTER_MS) continue;
    ids.add(a.agentId);
    urls.add(a.url);
    kept.push(a);
  }
  return kept.slice(0, MAX_KNOWN_AGENTS);
}

/**
 * What one controller learned, written in the background: at most one write at a time, the
 * sightings of a burst (a farm coming online) in one write; `flush()` on close writes the rest.
 * A failed write costs only the shortcut on the next start, so it is reported once and dropped.
 */
export class KnownAgentsMemory {
  private pending = new Map<string, KnownAgent>();
  private writing: Promise<void> | null = null;
  private warned = false;

  constructor(private readonly home: string, private readonly onError: (error: Error) => void = () => undefined) {}

  /** An agent proved itself (the farm-key handshake and its hello) at `url`. */
  seen(agentId: string, url: string, now = Date.now()): void {
    if (!AGENT_ID.test(agentId)) return;
    this.pending.set(agentId, { agentId, url: normalizeAgentUrl(url), lastSeen: now });
    this.writing ??= this.writeSoon();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The user removed the agent (`farmhand agents remove`): the next start does not dial it again. */
  async forget(agentId: string): Promise<void> {
    this.pending.delete(agentId);
    await this.flush();
    const file = knownAgentsFile(this.home);
    await withFileLock(file, async () => {
      const known = await readKnownAgentsFile(this.home);
      if (known?.some((a) => a.agentId === agentId)) await writeAtomically(file, `${JSON.stringify({ version: 1, agents: known.filter((a) => a.agentId !== agentId) }, null, 1)}\n`);
    });
  }

  /**
   * Discovery browsed long enough to have found what answers: a home without a memory gets an
   * empty one, so the next start knows its farm (this machine alone) and need not wait for mDNS.
   */
  async searched(): Promise<void> {
    await this.flush();
    const file = knownAgentsFile(this.home);
    await withFileLock(file, async () => {
      if ((await readKnownAgentsFile(this.home)) === null) await writeAtomically(file, `${JSON.stringify({ version: 1, agents: [] })}\n`);
    }).catch((error: Error) => {
      if (!this.warned) this.onError(error);
      this.warned = true;
    });
  }

  private async writeSoon(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // the rest of this burst joins the write
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        await withFileLock(knownAgentsFile(this.home), async () => {
          const merged = bounded([...batch, ...await readKnownAgents(this.home)], Date.now());
          await writeAtomically(knownAgentsFile(this.home), `${JSON.stringify({ version: 1, agents: merged }, null, 1)}\n`);
        });
      }
    } catch (error) {
      this.pending.clear();
      if (!this.warned) this.onError(error as Error);
      this.warned = true;
    } finally {
      this.writing = null;
    }
  }
}

/**
 * Runs `fn` holding `<file>.lock` (created exclusively), so two controllers' read-merge-writes
 * do not interleave and lose each other's agents. Bounded: after LOCK_TRIES the write goes
 * ahead anyway (the memory is only a hint; a lost entry comes back with the next sighting).
 */
async function withFileLock(file: string, fn: () => Promise<void>): Promise<void> {
  const lock = `${file}.lock`;
  await mkdir(dirname(file), { recursive: true });
  let held = false;
  for (let tries = 0; tries < LOCK_TRIES && !held; tries++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      held = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') break;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) await rm(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_PAUSE_MS));
    }
  }
  try {
    await fn();
  } finally {
    if (held) await rm(lock, { force: true });
  }
}

/** A temp file of this writer's own (two controllers may write at once), renamed over the file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
