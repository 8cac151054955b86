import { createSocket } from 'node:dgram';
import type { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';
import { MDNS_SERVICE_TYPE } from './protocol/index.js';

/**
 * Announces this agent as `_farmhand._tcp` over mDNS so controllers on the LAN find it.
 * mDNS only says where an agent is; liveness comes from the connection heartbeat (a killed
 * agent never sends its goodbye).
 */

export interface AnnouncerOptions {
  /** Unique on the LAN by construction (hostname + agent id): a duplicate is never published. */
  name: string;
  port: number;
  txt: Record<string, string>;
  /** IPv4 address of the one interface to announce on; omitted: every interface. */
  interfaceAddress?: string;
  /** Problems that do not stop the announcement (a failed send, a socket warning). */
  onWarning?(message: string): void;
}

export interface Announcer {
  /** Sends the goodbye (TTL 0) and closes the socket; bounded by STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 3000;
const STOP_TIMEOUT_MS = 1000;

export async function startAnnouncer(o: AnnouncerOptions): Promise<Announcer> {
  const warn = o.onWarning ?? (() => undefined);
  const interfaceAddress = resolveInterfaceAddress(o.interfaceAddress);
  const bonjour = createBonjour(interfaceAddress, warn);
  const mdns = internalMdns(bonjour, warn);

  let service: Service;
  try {
    service = await new Promise<Service>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mDNS announcement of "${o.name}" did not start within ${START_TIMEOUT_MS} ms.`)), START_TIMEOUT_MS);
      mdns?.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`mDNS could not open its socket (${error.message}); is another program holding UDP port 5353 exclusively?`));
      });
      // probe: false. Probing asks the LAN for the name three times, 250 ms apart, before
      // announcing: ~1 s added to every agent start, to detect a clash that cannot happen
      // here because the name carries the agent id. (When a clash does happen bonjour-service
      // only logs it and never publishes, with no event, so probing would not help us report
      // it anyway.) Without probing the first announcement goes out in ~10–90 ms.
      const published = bonjour.publish({
        name: o.name,
        type: MDNS_SERVICE_TYPE,
        protocol: 'tcp',
        port: o.port,
        txt: o.txt,
        probe: false,
        // Link-local IPv6 addresses are announced without their scope and are useless to
        // connect to; controllers use the IPv4 address the announcement came from.
        disableIPv6: true,
      });
      if (published.published) {
        clearTimeout(timer);
        resolve(published);
      } else {
        published.once('up', () => {
          clearTimeout(timer);
          resolve(published);
        });
      }
    });
  } catch (error) {
    await destroy(bonjour);
    throw error;
  }

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        await withTimeout(new Promise<void>((resolve) => service.stop?.(() => resolve())), STOP_TIMEOUT_MS);
        await destroy(bonjour);
      })();
      return stopping;
    },
  };
}

/**
 * An explicit address wins; then FARMHAND_MDNS_INTERFACE (CI pins it to loopback); then, under
 * a test runner (FARMHAND_TEST=1 or node:test's NODE_TEST_CONTEXT), loopback, so a test that
 * forgets to pick an interface can never reach the real network; otherwise every interface.
 */
function resolveInterfaceAddress(explicit: string | undefined): string | undefined {
  const underTest = process.env.FARMHAND_TEST === '1' || !!process.env.NODE_TEST_CONTEXT;
  const address = explicit ?? (process.env.FARMHAND_MDNS_INTERFACE || undefined) ?? (underTest ? '127.0.0.1' : undefined);
  if (address === undefined) return undefined;
  const local = Object.values(networkInterfaces()).flat().filter((a) => a?.family === 'IPv4').map((a) => a!.address);
  if (!local.includes(address)) {
    throw new Error(`Cannot announce on ${address}: no network interface has that address (this machine has ${local.join(', ') || 'none'}).`);
  }
  return address;
}

/**
 * With an interface: `interface` picks where multicast is joined and sent, `bind: '0.0.0.0'`
 * is needed to receive (bound to the address itself, nothing arrives). Our own socket lets us
 * pin the outgoing multicast interface before the first packet: multicast-dns only sets it
 * after joining the group succeeded, and otherwise sends through the default route.
 */
function createBonjour(interfaceAddress: string | undefined, warn: (message: string) => void): Bonjour {
  const onError = (error: Error) => warn(`mDNS: ${error.message}`);
  if (interfaceAddress === undefined) return new Bonjour({}, onError);
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.once('listening', () => {
    try {
      socket.setMulticastInterface(interfaceAddress);
    } catch (error) {
      warn(`mDNS: cannot send on ${interfaceAddress}: ${(error as Error).message}`);
    }
  });
  const options = { interface: interfaceAddress, bind: '0.0.0.0', socket };
  return new Bonjour(options as unknown as ConstructorParameters<typeof Bonjour>[0], onError);
}

/** bonjour-service never listens to its multicast-dns 'error' event: unheard, it would crash the process. */
function internalMdns(bonjour: Bonjour, warn: (message: string) => void): EventEmitter | undefined {
  const mdns = (bonjour as unknown as { server?: { mdns?: EventEmitter } }).server?.mdns;
  mdns?.on('error', () => undefined);
  mdns?.on('warning', (error: Error) => warn(`mDNS: ${error.message}`));
  return mdns;
}

function destroy(bonjour: Bonjour): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => bonjour.destroy(() => resolve())), STOP_TIMEOUT_MS);
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
