import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real `farmhand-agent` process for the browser tests, beside the controller's own local
 * agent: loopback only (`--host 127.0.0.1`, no mDNS), its own data folder and HOME in the
 * test's scratch dir, a free port. It can be killed like a machine that lost power.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface AgentProcess {
  url: string;
  name: string;
  /** SIGKILL: no goodbye, the controller must notice by itself. */
  kill(): Promise<void>;
}

/** `args`: more agent options (`--allow-scripts`, `--blender PATH`), after the ones above. */
export async function startAgentProcess(o: { dir: string; farmKey: string; name: string; args?: string[] }): Promise<AgentProcess> {
  const home = join(o.dir, 'home');
  await mkdir(join(home, '.cache'), { recursive: true });
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/farmhand-agent.js'), '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--name', o.name, '--data-dir', join(o.dir, 'data'), ...(o.args ?? [])], {
    cwd: root,
    env: { ...process.env, FARMHAND_FARM_KEY: o.farmKey, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), FARMHAND_MDNS_INTERFACE: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`farmhand-agent printed no port within 20 s: ${output}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`farmhand-agent exited before listening: ${output}`)));
  });
  return {
    url: `wss://127.0.0.1:${port}`,
    name: o.name,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
