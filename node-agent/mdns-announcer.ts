import type { Bonjour, Service } from 'bonjour-service';
import { MDNS_SERVICE_TYPE } from './protocol/index.js';
import { createMdnsBonjour, internalMdns, resolveMdnsInterface, withinMs } from './host/mdns-interface.js';

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
  const interfaceAddress = resolveMdnsInterface(o.interfaceAddress, 'announce');
  const bonjour = createMdnsBonjour(interfaceAddress, warn);
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
        await withinMs(new Promise<void>((resolve) => service.stop?.(() => resolve())), STOP_TIMEOUT_MS);
        await destroy(bonjour);
      })();
      return stopping;
    },
  };
}

function destroy(bonjour: Bonjour): Promise<void> {
  return withinMs(new Promise<void>((resolve) => bonjour.destroy(() => resolve())), STOP_TIMEOUT_MS);
}
