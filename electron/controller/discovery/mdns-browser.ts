import type { RemoteInfo } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { Service } from 'bonjour-service';
import { MDNS_SERVICE_TYPE, TXT_KEYS } from '../../../node-agent/protocol/index.js';
import { createMdnsBonjour, internalMdns, resolveMdnsInterface, withinMs } from '../../../node-agent/host/mdns-interface.js';

/**
 * Finds agents announcing `_farmhand._tcp` over mDNS. It only says where an agent is: the
 * agent pool connects, and the connection's heartbeat decides whether the agent is alive (a
 * killed agent never sends a goodbye, so a missing `onDown` proves nothing).
 */

export interface DiscoveredAgent {
  serviceName: string;
  agentId: string;
  /** The SRV target (the agent machine's host name as it announced it). */
  host: string;
  /** IPv4 address to connect to: the address the announcement came from. */
  address: string;
  port: number;
  protocolVersion: number;
  slots: number;
  hostname: string;
  capabilities: string[];
}

export interface BrowserOptions {
  /** IPv4 address of the one interface to browse on; omitted: every interface (a real LAN). */
  interfaceAddress?: string;
  /** An agent appeared, or its address, port or TXT changed (same agentId, new details). */
  onUp(agent: DiscoveredAgent): void;
  /** The agent said goodbye. */
  onDown?(agent: DiscoveredAgent): void;
  onWarning?(message: string): void;
}

export interface AgentBrowser {
  stop(): Promise<void>;
  list(): DiscoveredAgent[];
}

/** Announcements we keep track of; beyond this, new ones are ignored (a flood is not a farm). */
const MAX_TRACKED_SERVICES = 1024;
const MAX_TXT_ENTRIES = 32;
const MAX_CAPABILITIES = 32;
/**
 * A known service heard from a new address moves there only once its current address has
 * been silent this long: a controller on two segments hears a two-homed agent from both
 * addresses within milliseconds, and must not bounce its connection between them.
 */
const ADDRESS_MOVE_QUIET_MS = 1000;
/** Re-asks the LAN after 1 s, 2 s, 4 s … then every minute: a lost packet is not a lost agent. */
const REQUERY_FIRST_MS = 1000;
const REQUERY_MAX_MS = 60_000;
const STOP_TIMEOUT_MS = 1000;

interface Sighting {
  agent: DiscoveredAgent;
  /** When a packet last came from agent.address. */
  heardAt: number;
}

export function startBrowser(o: BrowserOptions): AgentBrowser {
  const warn = o.onWarning ?? (() => undefined);
  const interfaceAddress = resolveMdnsInterface(o.interfaceAddress, 'look for agents');
  const bonjour = createMdnsBonjour(interfaceAddress, warn);
  const mdns = internalMdns(bonjour, warn, (error) => warn(`mDNS could not open its socket (${error.message}); no agents will be discovered.`));
  const sightings = new Map<string, Sighting>(); // by lower-case fqdn
  const current = new Map<string, string>(); // agentId → fqdn whose details we reported
  let warnedFull = false;
  let stopped = false;

  // Callbacks run inside the socket's message handler: a throw there would end the process.
  const notify = (kind: 'onUp' | 'onDown', agent: DiscoveredAgent) => {
    if (stopped) return;
    try {
      o[kind]?.(agent);
    } catch (error) {
      warn(`mDNS: the ${kind} handler failed for agent ${agent.agentId}: ${(error as Error).message}`);
    }
  };

  const report = (fqdn: string) => {
    const sighting = sightings.get(fqdn)!;
    current.set(sighting.agent.agentId, fqdn);
    notify('onUp', sighting.agent);
  };

  const forget = (fqdn: string) => {
    const gone = sightings.get(fqdn);
    if (!gone) return;
    sightings.delete(fqdn);
    const id = gone.agent.agentId;
    if (current.get(id) !== fqdn) return;
    const other = [...sightings.entries()].find(([, s]) => s.agent.agentId === id);
    if (other) return report(other[0]);
    current.delete(id);
    notify('onDown', gone.agent);
  };

  const seen = (service: Service) => {
    const fqdn = String(service.fqdn ?? '').toLowerCase();
    const agent = parseService(service);
    const previous = sightings.get(fqdn);
    if (!agent) return forget(fqdn);
    if (!previous && sightings.size >= MAX_TRACKED_SERVICES) {
      if (!warnedFull) warn(`mDNS: more than ${MAX_TRACKED_SERVICES} agents announced; ignoring the rest.`);
      warnedFull = true;
      return;
    }
    if (previous && previous.agent.agentId !== agent.agentId) forget(fqdn);
    const reportedFqdn = current.get(agent.agentId);
    const reported = reportedFqdn === undefined ? undefined : sightings.get(reportedFqdn)?.agent;
    sightings.set(fqdn, { agent, heardAt: Date.now() });
    if (reported && sameAgent(reported, agent)) {
      current.set(agent.agentId, fqdn);
      return;
    }
    report(fqdn);
  };

  // bonjour-service keeps a service's first address for as long as its name, host and port
  // stay the same: an agent restarted elsewhere under the same name would never move. Watch
  // the raw responses (after the browser has handled them) for known names from new places.
  const onResponse = (packet: { answers?: unknown[]; additionals?: unknown[] }, rinfo: RemoteInfo) => {
    const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])] as { type?: string; name?: string; ttl?: number }[];
    for (const rr of records) {
      if (rr.type !== 'SRV' || !rr.ttl || typeof rr.name !== 'string') continue;
      const fqdn = rr.name.toLowerCase();
      const sighting = sightings.get(fqdn);
      if (!sighting || rinfo.family !== 'IPv4') continue;
      const now = Date.now();
      if (rinfo.address === sighting.agent.address) {
        sighting.heardAt = now;
      } else if (now - sighting.heardAt >= ADDRESS_MOVE_QUIET_MS) {
        sightings.set(fqdn, { agent: { ...sighting.agent, address: rinfo.address }, heardAt: now });
        if (current.get(sighting.agent.agentId) === fqdn) report(fqdn);
      }
    }
  };

  const browser = bonjour.find({ type: MDNS_SERVICE_TYPE, protocol: 'tcp' });
  browser.on('up', seen);
  browser.on('srv-update', seen);
  browser.on('txt-update', seen);
  browser.on('down', (service: Service) => forget(String(service.fqdn ?? '').toLowerCase()));
  mdns?.on('response', onResponse);

  let requeryMs = REQUERY_FIRST_MS;
  let requeryTimer: NodeJS.Timeout | undefined;
  const requery = () => {
    browser.update();
    requeryMs = Math.min(requeryMs * 2, REQUERY_MAX_MS);
    requeryTimer = setTimeout(requery, requeryMs).unref();
  };
  requeryTimer = setTimeout(requery, requeryMs).unref();

  let stopping: Promise<void> | null = null;
  return {
    list: () => [...current.values()].map((fqdn) => sightings.get(fqdn)!.agent),
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(requeryTimer);
        mdns?.off('response', onResponse);
        browser.stop();
        await withinMs(new Promise<void>((resolve) => bonjour.destroy(() => resolve())), STOP_TIMEOUT_MS);
      })();
      return stopping;
    },
  };
}

/** The agent a service describes, or null when its TXT is missing, malformed or oversized. */
export function parseService(service: Service): DiscoveredAgent | null {
  const txt = txtEntries(service);
  if (!txt) return null;
  const agentId = txt.get(TXT_KEYS.agentId) ?? '';
  const pv = txt.get(TXT_KEYS.protocolVersion) ?? '';
  const slots = txt.get(TXT_KEYS.slots) ?? '';
  const hostname = txt.get(TXT_KEYS.hostname) ?? '';
  if (!/^[A-Za-z0-9-]{8,64}$/.test(agentId)) return null;
  if (!/^\d{1,6}$/.test(pv) || !/^\d{1,4}$/.test(slots) || Number(slots) < 1) return null;
  if (!isPrintable(hostname, 253)) return null;
  const caps = txt.get(TXT_KEYS.capabilities) ?? '';
  const capabilities = caps.split(',').filter((c) => /^[A-Za-z0-9._-]{1,32}$/.test(c)).slice(0, MAX_CAPABILITIES);

  const address = pickAddress(service);
  const port = Number(service.port);
  const serviceName = String(service.name ?? '');
  const host = String(service.host ?? '');
  if (!address || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  if (!isPrintable(serviceName, 255) || host.length > 255) return null;
  return {
    serviceName,
    agentId,
    host,
    address,
    port,
    protocolVersion: Number(pv),
    slots: Number(slots),
    hostname,
    capabilities,
  };
}

/** The announcement's source address; its A records list every interface of the agent, reachable or not. */
function pickAddress(service: Service): string | undefined {
  const referer = service.referer?.address;
  if (typeof referer === 'string' && isIPv4(referer)) return referer;
  return (service.addresses ?? []).find((a) => typeof a === 'string' && isIPv4(a));
}

/**
 * TXT as key → value, parsed from the raw strings: bonjour-service's own decoding loses
 * empty values (`caps=` becomes a key named "caps=") and keeps the last duplicate where
 * DNS-SD says the first wins. Keys are case-insensitive.
 */
function txtEntries(service: Service): Map<string, string> | null {
  const raw = (service as Service & { rawTxt?: unknown }).rawTxt;
  const entries = new Map<string, string>();
  const add = (key: string, value: string) => {
    const k = key.toLowerCase();
    if (!entries.has(k)) entries.set(k, value);
  };
  if (Array.isArray(raw)) {
    if (raw.length > MAX_TXT_ENTRIES) return null;
    for (const item of raw) {
      if (!Buffer.isBuffer(item) || item.length > 255) return null;
      const text = item.toString('utf8');
      const eq = text.indexOf('=');
      if (eq > 0) add(text.slice(0, eq), text.slice(eq + 1));
    }
    return entries;
  }
  const txt: unknown = service.txt;
  if (!txt || typeof txt !== 'object') return null;
  const pairs = Object.entries(txt as Record<string, unknown>);
  if (pairs.length > MAX_TXT_ENTRIES) return null;
  for (const [key, value] of pairs) if (typeof value === 'string' && value.length <= 255) add(key, value);
  return entries;
}

function isPrintable(text: string, maxLength: number): boolean {
  return text.length >= 1 && text.length <= maxLength && !/[\u0000-\u001f\u007f]/.test(text);
}

function sameAgent(a: DiscoveredAgent, b: DiscoveredAgent): boolean {
  return a.serviceName === b.serviceName && a.host === b.host && a.address === b.address && a.port === b.port &&
    a.protocolVersion === b.protocolVersion && a.slots === b.slots && a.hostname === b.hostname &&
    a.capabilities.join(',') === b.capabilities.join(',');
}
