import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { cleanupLeftovers, createLan, listNamespaces, netnsAvailable, type Lan } from './netns.js';

// The harness itself: addresses, isolation from the real network, link cuts, and that
// nothing (namespace or process) survives destroy().
const available = await netnsAvailable();
const prefix = `fhn${process.pid}`;
const mine = async (p = prefix) => (await listNamespaces()).filter((n) => n.startsWith(`${p}-`));

/** "refused" means the packet reached the other host (nothing listens on port 9); "silent" means it did not. */
async function reach(lan: Lan, from: number, to: number): Promise<'refused' | 'silent' | string> {
  const r = await lan.exec(from, 'timeout', ['1', 'bash', '-c', `echo > /dev/tcp/${lan.hosts[to].address}/9`], { timeoutMs: 5000 });
  if (r.code === 124) return 'silent';
  if (/refused/i.test(r.stderr)) return 'refused';
  return `exit ${r.code}: ${r.stderr.trim()}`;
}

/** Gone, or a zombie waiting for init to reap it (an orphan killed a moment ago). */
async function ended(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (stat === null || /\) Z /.test(stat)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('network-namespace LAN', { timeout: 60_000 }, () => {
  test('network namespaces are available (root and iproute2)', () => {
    if (!available) throw new Error('the LAN tests need root and `ip netns` (apt-get install -y iproute2, run as root)');
  });

  after(async () => {
    await cleanupLeftovers(prefix);
    await cleanupLeftovers(`${prefix}x`);
  });

  test('hosts get their addresses, only lo and one cable, no route off the LAN', async () => {
    const lan = await createLan({ hosts: 2, prefix });
    try {
      assert.deepEqual(lan.hosts.map((h) => h.name), [`${prefix}-h0`, `${prefix}-h1`]);
      assert.match(lan.hosts[1].address, /^10\.\d+\.0\.2$/);
      const links = await lan.exec(0, 'ip', ['-o', 'link', 'show']);
      assert.deepEqual(links.stdout.trim().split('\n').map((l) => l.split(':')[1].trim().split('@')[0]), ['lo', 'veth0']);
      const routes = await lan.exec(0, 'ip', ['-4', 'route', 'show']);
      assert.doesNotMatch(routes.stdout, /default/);
      assert.match(routes.stdout, /224\.0\.0\.0\/4 dev veth0/);
      assert.equal(await reach(lan, 0, 1), 'refused');
    } finally {
      await lan.destroy();
    }
    assert.deepEqual(await mine(), []);
  });

  test("netem 'loss 100%' cuts a host off both ways and 'clear' reconnects it", async () => {
    const lan = await createLan({ hosts: 2, prefix });
    try {
      await lan.netem(1, 'loss 100%');
      assert.equal(await reach(lan, 0, 1), 'silent');
      assert.equal(await reach(lan, 1, 0), 'silent');
      await lan.netem(1, 'clear');
      assert.equal(await reach(lan, 0, 1), 'refused');
    } finally {
      await lan.destroy();
    }
  });

  test('destroy() kills the whole process tree it spawned and deletes the namespaces', async () => {
    const lan = await createLan({ hosts: 1, prefix });
    let pids: number[] = [];
    try {
      const child = lan.spawn(0, 'bash', ['-c', 'sleep 60 & echo $!; echo $$; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
      pids = await new Promise<number[]>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('no pids printed')), 5000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const found = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
          if (found.length === 2) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const inside = await lan.exec(0, 'ip', ['netns', 'identify', String(pids[0])]);
      assert.equal(inside.stdout.trim(), lan.hosts[0].name);
    } finally {
      await lan.destroy();
    }
    for (const pid of pids) assert.ok(await ended(pid), `process ${pid} survived destroy()`);
    assert.deepEqual(await mine(), []);
  });

  test('cleanupLeftovers removes a LAN nobody destroyed; createLan refuses to reuse a prefix in use', async () => {
    const p = `${prefix}x`;
    await createLan({ hosts: 2, prefix: p });
    await assert.rejects(createLan({ hosts: 1, prefix: p }), /already exist/);
    const removed = await cleanupLeftovers(p);
    assert.deepEqual(removed.sort(), [`${p}-br`, `${p}-h0`, `${p}-h1`]);
    assert.deepEqual(await mine(p), []);
  });

  test('bad arguments are refused before anything is created', async () => {
    await assert.rejects(createLan({ hosts: 0, prefix }), /1–200 hosts/);
    await assert.rejects(createLan({ hosts: 1, prefix: 'Bad-Prefix' }), /prefix/);
    assert.deepEqual(await mine(), []);
  });

  test('leaves no namespace with its prefix behind', async () => {
    assert.deepEqual(await mine(), []);
    assert.deepEqual(await mine(`${prefix}x`), []);
  });
});
