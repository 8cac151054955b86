import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Proc } from './proc.js';

/**
 * A real `farmhand-agent` that cannot see the artist's disk: it runs in its own mount
 * namespace (`unshare --mount --propagation private`), where an empty tmpfs is mounted over
 * each hidden folder before the agent is exec'd. Only what the controller ships can reach its
 * renders. Loopback only (127.0.0.1, no mDNS), its own data dir and HOME. The namespace lives
 * exactly as long as the agent (unshare and sh exec into it: one pid), so killing the agent
 * removes the mounts; nothing is left on the host. Needs root (CI runs as root).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface HiddenSourceAgentOptions {
  /** Folders hidden from the agent (each must exist; none may hold the repo or `dir`). */
  hide: string[];
  farmKey: string;
  /** The agent's scratch: `<dir>/data` is its data dir, `<dir>/home` its HOME. */
  dir: string;
  name?: string;
  /** Run the built bundle (bin/farmhand-agent.js) instead of the sources through tsx. */
  built?: boolean;
  /** More agent flags, e.g. ['--slots', '2']. */
  args?: string[];
  env?: Record<string, string>;
}

export interface HiddenSourceAgent {
  /** `wss://127.0.0.1:<port>`, for the controller's `agentUrls` / `--agent`. */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  proc: Proc;
  /** A folder's entries as the agent sees them (through /proc/<pid>/root: its namespace). */
  listInside(path: string): Promise<string[]>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the agent (and so its namespace) is gone. */
  stop(): Promise<void>;
}

/** True when this process can make mount namespaces (root with util-linux's unshare). */
export function hiddenSourceAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { timeout: 5000 }).status === 0;
}

const inside = (parent: string, child: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

export async function startHiddenSourceAgent(o: HiddenSourceAgentOptions): Promise<HiddenSourceAgent> {
  if (o.hide.length === 0) throw new Error('Name at least one folder to hide from the agent.');
  const dataDir = join(o.dir, 'data');
  const home = join(o.dir, 'home');
  for (const h of o.hide) {
    if (!isAbsolute(h)) throw new Error(`Hidden folder ${h} must be an absolute path.`);
    if (inside(h, root) || inside(h, dataDir) || inside(h, home)) throw new Error(`Hiding ${h} would hide the agent's own code or data; hide a folder beside them.`);
  }
  await mkdir(dataDir, { recursive: true });
  await mkdir(join(home, '.cache'), { recursive: true });
  const agentArgs = [
    ...(o.built ? [join(root, 'bin/farmhand-agent.js')] : ['--import', 'tsx', join(root, 'node-agent/cli.ts')]),
    '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--farm-key', o.farmKey, '--data-dir', dataDir, '--name', o.name ?? 'hidden-source', ...(o.args ?? []),
  ];
  // sh mounts a tmpfs over each hidden folder, then becomes the agent. The first argument is
  // how many of the following are folders; the rest is the command.
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do mount -t tmpfs -o size=1m,mode=0755 farmhand-hidden "$1" || exit 97; shift; n=$((n-1)); done; exec "$@"';
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', String(o.hide.length), ...o.hide, process.execPath, ...agentArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FARMHAND_FARM_KEY: '', HOME: home, XDG_CACHE_HOME: join(home, '.cache'), FARMHAND_MDNS_INTERFACE: '127.0.0.1', ...o.env },
  });
  const proc = new Proc(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(timer);
    }
  };
  let port: number;
  try {
    const exitedEarly = proc.exited.then((code) => {
      throw new Error(`The hidden-source agent exited (${code}) before listening:\n${proc.text().slice(-3000)}`);
    });
    const line = await Promise.race([proc.waitFor(/listening on 127\.0\.0\.1:\d+/, 30_000), exitedEarly]);
    port = Number(/127\.0\.0\.1:(\d+)/.exec(line.text)![1]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `wss://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    dataDir,
    proc,
    listInside: (path: string) => readdir(`/proc/${child.pid}/root${path}`),
    stop,
  };
}
