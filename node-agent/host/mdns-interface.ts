import { createSocket } from 'node:dgram';
import type { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import { Bonjour } from 'bonjour-service';

/**
 * The mDNS socket set-up both sides share: the controller's browser and the agent's announcer
 * must pick the interface by the same rule (above all the loopback guard under tests), or a
 * test could announce on loopback and browse on the LAN, or the reverse.
 */

/**
 * An explicit address wins; then FARMHAND_MDNS_INTERFACE (CI pins it to loopback); then, under
 * a test runner (FARMHAND_TEST=1 or node:test's NODE_TEST_CONTEXT), loopback, so a test that
 * forgets to pick an interface can never reach the real network; otherwise every interface.
 * `action` completes the error sentence: "Cannot <action> on <address>: …".
 */
export function resolveMdnsInterface(explicit: string | undefined, action: string): string | undefined {
  const underTest = process.env.FARMHAND_TEST === '1' || !!process.env.NODE_TEST_CONTEXT;
  const address = explicit ?? (process.env.FARMHAND_MDNS_INTERFACE || undefined) ?? (underTest ? '127.0.0.1' : undefined);
  if (address === undefined) return undefined;
  const local = Object.values(networkInterfaces()).flat().filter((a) => a?.family === 'IPv4').map((a) => a!.address);
  if (!local.includes(address)) {
    throw new Error(`Cannot ${action} on ${address}: no network interface has that address (this machine has ${local.join(', ') || 'none'}).`);
  }
  return address;
}

/**
 * With an interface: `interface` picks where multicast is joined and sent, `bind: '0.0.0.0'`
 * is needed to receive (bound to the address itself, nothing arrives). Our own socket pins
 * the outgoing multicast interface before the first packet: multicast-dns only sets it after
 * joining the group succeeded, and otherwise sends through the default route.
 */
export function createMdnsBonjour(interfaceAddress: string | undefined, warn: (message: string) => void): Bonjour {
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

/**
 * bonjour-service never listens to its multicast-dns 'error' event: unheard, it would crash the
 * process. `onSocketError` hears it (omitted: the caller listens itself, as the announcer does
 * while it waits for its first announcement).
 */
export function internalMdns(bonjour: Bonjour, warn: (message: string) => void, onSocketError: (error: Error) => void = () => undefined): EventEmitter | undefined {
  const mdns = (bonjour as unknown as { server?: { mdns?: EventEmitter } }).server?.mdns;
  mdns?.on('error', onSocketError);
  mdns?.on('warning', (error: Error) => warn(`mDNS: ${error.message}`));
  return mdns;
}

/** Waits for `promise` at most `ms`: closing an mDNS socket must never hang a stop. */
export function withinMs(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
