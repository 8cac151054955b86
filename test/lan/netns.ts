import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A LAN made of Linux network namespaces, for tests that need real multicast and real TCP
 * between "machines": one namespace holds a bridge (the switch), each host namespace has
 * `lo` and one veth cable into it. Nothing here touches the machine's real interfaces, and
 * everything it creates carries the LAN's prefix so it can be found and removed again.
 *
 *   <prefix>-br   br0 with ports p0, p1, …
 *   <prefix>-h0   veth0 10.<x>.0.1/24, route 224.0.0.0/4 dev veth0 (multicast needs it)
 *   <prefix>-h1   veth0 10.<x>.0.2/24 …
 *
 * Needs root. Interface names inside the namespaces are fixed and short, so the 15-character
 * limit never depends on the prefix.
 */

export interface LanHost {
  /** Namespace name. */
  name: string;
  /** The host's IPv4 address on the LAN. */
  address: string;
}

export interface ExecResult {
  /** null when the command was killed (timeout) */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Lan {
  prefix: string;
  hosts: LanHost[];
  /** Starts a process inside a host, in its own process group so destroy() can end the whole tree. */
  spawn(hostIndex: number, command: string, args?: string[], options?: Omit<SpawnOptions, 'detached'>): ChildProcess;
  /** Runs a command inside a host to completion; killed after timeoutMs. */
  exec(hostIndex: number, command: string, args?: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
  /**
   * Degrades a host's link. 'loss 100%' cuts the host off the switch (both directions, the
   * link stays up: silence, not an error); 'clear' restores it. Anything else goes to
   * `tc … netem`, which needs a kernel with CONFIG_NET_SCH_NETEM.
   */
  netem(hostIndex: number, spec: string): Promise<void>;
  /** Kills every process spawned in the LAN (whole groups) and deletes its namespaces. */
  destroy(): Promise<void>;
}

const EXEC_TIMEOUT_MS = 10_000;
const OUTPUT_CAP_BYTES = 1024 * 1024;
const KILL_GRACE_MS = 1000;
const MAX_HOSTS = 200;

/** True when this process may create namespaces (root, and `ip netns` works). */
export async function netnsAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const result = await run('ip', ['netns', 'list'], 3000).catch(() => null);
  return result?.code === 0;
}

/** The default prefix: short, and unique to this process. */
export function defaultPrefix(): string {
  return `fh${process.pid}`;
}

export async function createLan(o: { hosts: number; prefix?: string }): Promise<Lan> {
  const prefix = o.prefix ?? defaultPrefix();
  if (!/^[a-z][a-z0-9]{0,11}$/.test(prefix)) throw new Error(`LAN prefix "${prefix}" must be 1–12 lower-case letters and digits, starting with a letter.`);
  if (!Number.isInteger(o.hosts) || o.hosts < 1 || o.hosts > MAX_HOSTS) throw new Error(`A LAN has 1–${MAX_HOSTS} hosts, not ${o.hosts}.`);
  // Each host's address lives only inside its own namespace, so two LANs cannot clash; the
  // second octet still differs per process to keep logs of parallel runs apart.
  const subnet = 100 + (process.pid % 150);
  const bridge = `${prefix}-br`;
  const hosts: LanHost[] = Array.from({ length: o.hosts }, (_, i) => ({ name: `${prefix}-h${i}`, address: `10.${subnet}.0.${i + 1}` }));

  if ((await listNamespaces()).some((n) => isLanNamespace(n, prefix))) {
    throw new Error(`Namespaces with prefix "${prefix}" already exist; call cleanupLeftovers("${prefix}") first.`);
  }
  try {
    await ip(['netns', 'add', bridge]);
    await ip(['-n', bridge, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', bridge, 'link', 'set', 'br0', 'up']);
    for (const [i, host] of hosts.entries()) {
      await ip(['netns', 'add', host.name]);
      await ip(['-n', host.name, 'link', 'set', 'lo', 'up']);
      await ip(['link', 'add', 'veth0', 'netns', host.name, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', bridge]);
      await ip(['-n', bridge, 'link', 'set', `p${i}`, 'master', 'br0', 'up']);
      await ip(['-n', host.name, 'addr', 'add', `${host.address}/24`, 'dev', 'veth0']);
      await ip(['-n', host.name, 'link', 'set', 'veth0', 'multicast', 'on', 'up']);
      await ip(['-n', host.name, 'route', 'add', '224.0.0.0/4', 'dev', 'veth0']);
    }
  } catch (error) {
    await cleanupLeftovers(prefix);
    throw error;
  }

  const children = new Set<ChildProcess>();
  const hostName = (index: number) => {
    const host = hosts[index];
    if (!host) throw new Error(`No host ${index} in LAN ${prefix} (it has ${hosts.length}).`);
    return host.name;
  };
  let destroyed: Promise<void> | null = null;

  return {
    prefix,
    hosts,
    spawn(hostIndex, command, args = [], options = {}) {
      if (destroyed) throw new Error(`LAN ${prefix} is destroyed.`);
      const child = spawn('ip', ['netns', 'exec', hostName(hostIndex), command, ...args], { ...options, detached: true });
      children.add(child);
      child.once('exit', () => children.delete(child));
      child.once('error', () => children.delete(child));
      return child;
    },
    exec(hostIndex, command, args = [], options = {}) {
      return run('ip', ['netns', 'exec', hostName(hostIndex), command, ...args], options.timeoutMs ?? EXEC_TIMEOUT_MS);
    },
    async netem(hostIndex, spec) {
      const host = hostName(hostIndex);
      const normalized = spec.trim().replace(/\s+/g, ' ');
      if (normalized === 'loss 100%' || normalized === 'clear') {
        // A bridge port in state "disabled" drops everything, both ways, with the cable
        // still plugged in: what a dead switch port or a pulled far-end cable looks like.
        await run('ip', ['netns', 'exec', bridge, 'bridge', 'link', 'set', 'dev', `p${hostIndex}`, 'state', normalized === 'clear' ? '3' : '0'], EXEC_TIMEOUT_MS).then(check);
        if (normalized === 'clear') {
          await run('ip', ['netns', 'exec', host, 'tc', 'qdisc', 'del', 'dev', 'veth0', 'root'], EXEC_TIMEOUT_MS);
          // Forget the failed ARP lookups of the outage, or connects keep failing for seconds.
          for (const h of hosts) await run('ip', ['-n', h.name, 'neigh', 'flush', 'all'], EXEC_TIMEOUT_MS);
        }
        return;
      }
      const result = await run('ip', ['netns', 'exec', host, 'tc', 'qdisc', 'replace', 'dev', 'veth0', 'root', 'netem', ...normalized.split(' ')], EXEC_TIMEOUT_MS);
      if (result.code !== 0 && /qdisc kind is unknown/i.test(result.stderr)) {
        throw new Error(`netem "${spec}" needs a kernel with netem (CONFIG_NET_SCH_NETEM); this one only supports "loss 100%" and "clear".`);
      }
      check(result);
    },
    destroy() {
      destroyed ??= (async () => {
        await killGroups([...children]);
        await cleanupLeftovers(prefix);
      })();
      return destroyed;
    },
  };
}

/**
 * Deletes every namespace named `<prefix>-br` or `<prefix>-h<n>`, first killing whatever
 * still runs inside. Safe to call when nothing is left.
 */
export async function cleanupLeftovers(prefix: string): Promise<string[]> {
  const names = (await listNamespaces()).filter((n) => isLanNamespace(n, prefix));
  // Hosts first, then the bridge: a host's veth disappears with it, then the switch.
  names.sort((a, b) => Number(a.endsWith('-br')) - Number(b.endsWith('-br')));
  for (const name of names) {
    // A namespace outlives its name while anything runs inside; wait (bounded) for the kills.
    for (let attempt = 0; attempt < 20; attempt++) {
      const alive = await pidsIn(name);
      if (alive.length === 0) break;
      for (const pid of alive) signal(pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await run('ip', ['netns', 'del', name], 5000).catch(() => null);
  }
  return names;
}

async function pidsIn(namespace: string): Promise<number[]> {
  const result = await run('ip', ['netns', 'pids', namespace], 3000).catch(() => null);
  return (result?.stdout ?? '').split(/\s+/).filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => p !== process.pid);
}

/**
 * Removes LANs left by test processes that died without cleaning up: default-prefix
 * namespaces (`fh<pid>-…`) whose pid no longer runs. Never touches a live run's LAN.
 */
export async function cleanupStaleLans(): Promise<string[]> {
  const prefixes = new Set<string>();
  for (const name of await listNamespaces()) {
    const match = /^(fh(\d+))-(br|h\d+)$/.exec(name);
    if (match && !isRunning(Number(match[2]))) prefixes.add(match[1]);
  }
  const removed: string[] = [];
  for (const prefix of prefixes) removed.push(...(await cleanupLeftovers(prefix)));
  return removed;
}

export async function listNamespaces(): Promise<string[]> {
  const result = await run('ip', ['netns', 'list'], 3000);
  // Lines look like "fh123-h0 (id: 4)" or just "fh123-h0".
  return result.stdout.split('\n').map((line) => line.trim().split(/\s+/)[0]).filter((n): n is string => !!n);
}

function isLanNamespace(name: string, prefix: string): boolean {
  return name === `${prefix}-br` || new RegExp(`^${prefix}-h\\d+$`).test(name);
}

async function ip(args: string[]): Promise<void> {
  check(await run('ip', args, EXEC_TIMEOUT_MS), args);
}

function check(result: ExecResult, args?: string[]): void {
  if (result.code !== 0) throw new Error(`${args ? `ip ${args.join(' ')}` : 'command'} failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/** Runs a command in its own process group; on timeout the whole group is killed. */
function run(command: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      if (stdout.length < OUTPUT_CAP_BYTES) stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < OUTPUT_CAP_BYTES) stderr += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) signal(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** SIGTERM to each group, then SIGKILL to whatever is still there after a grace period. */
async function killGroups(children: ChildProcess[]): Promise<void> {
  const running = children.filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null);
  if (running.length === 0) return;
  for (const child of running) signal(-child.pid!, 'SIGTERM');
  const exited = Promise.all(running.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve();
    else c.once('exit', () => resolve());
  })));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, KILL_GRACE_MS)))]);
  clearTimeout(timer);
  // The group may outlive its leader (grandchildren): kill it regardless.
  for (const child of running) signal(-child.pid!, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
