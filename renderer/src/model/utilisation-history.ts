/**
 * How busy an agent has been over the last minutes, for the nodes view's sparkline.
 *
 * The controller only says how many slots an agent has busy now (its agent events), so the
 * page keeps the history itself: a fixed ring of time buckets per agent (bounded memory, however
 * long the window stays open), each holding busy slot-milliseconds and online slot-milliseconds.
 * The current level is held until the next event, so an agent that sends nothing for minutes
 * is still drawn as what it was doing. Buckets are aligned to the clock, so every agent's
 * sparkline covers the same minutes.
 */

export interface UtilisationHistory {
  readonly bucketMs: number;
  /** Busy slot-ms per bucket (a ring: `head` is the bucket that holds `headStart`). */
  readonly busy: Float64Array;
  /** Online slot-ms per bucket: a bucket with 0 was never seen online (drawn as a gap). */
  readonly capacity: Float64Array;
  head: number;
  headStart: number;
  /** The state since the last event: `capacity` is the agent's slots while online, else 0. */
  level: { busy: number; capacity: number; since: number };
  /** When the page first heard of the agent: the window never claims more than it saw. */
  readonly firstSeen: number;
}

export interface UtilisationSnapshot {
  /** Oldest first, one per bucket: busy share 0..1, or null where the agent was not online. */
  points: (number | null)[];
  /** Busy share over the window's time online (null: never online in it). */
  share: number | null;
  /** How much of the window the page has seen (at most buckets × bucketMs). */
  coveredMs: number;
}

/** 30 buckets of 20 s: the last 10 minutes. */
export const DEFAULT_BUCKET_MS = 20_000;
export const DEFAULT_BUCKETS = 30;

export function createHistory(now: number, o: { bucketMs?: number; buckets?: number } = {}): UtilisationHistory {
  const bucketMs = o.bucketMs ?? DEFAULT_BUCKET_MS;
  const buckets = o.buckets ?? DEFAULT_BUCKETS;
  return {
    bucketMs,
    busy: new Float64Array(buckets),
    capacity: new Float64Array(buckets),
    head: 0,
    headStart: Math.floor(now / bucketMs) * bucketMs,
    level: { busy: 0, capacity: 0, since: now },
    firstSeen: now,
  };
}

/** Records the agent's state as of `now` (busy slots, and its slots while online, 0 offline). */
export function recordLevel(h: UtilisationHistory, now: number, busy: number, capacity: number): void {
  advance(h, now);
  h.level = { busy: Math.max(0, Math.min(busy, capacity)), capacity: Math.max(0, capacity), since: Math.max(now, h.level.since) };
}

/** The window as of `now`, the held level included up to `now`; `h` is left as it was. */
export function snapshot(h: UtilisationHistory, now: number): UtilisationSnapshot {
  const copy: UtilisationHistory = { ...h, busy: h.busy.slice(), capacity: h.capacity.slice(), level: { ...h.level } };
  advance(copy, now);
  const n = copy.busy.length;
  const points: (number | null)[] = [];
  let busy = 0;
  let capacity = 0;
  for (let i = 1; i <= n; i++) {
    const at = (copy.head + i) % n; // oldest first: the bucket after the head is the oldest
    const c = copy.capacity[at]!;
    points.push(c > 0 ? copy.busy[at]! / c : null);
    busy += copy.busy[at]!;
    capacity += c;
  }
  const windowStart = copy.headStart + copy.bucketMs - n * copy.bucketMs;
  const coveredMs = Math.max(0, now - Math.max(windowStart, h.firstSeen));
  return { points, share: capacity > 0 ? busy / capacity : null, coveredMs };
}

/** Adds the held level from its start to `now` into the buckets, moving the ring on at bucket ends. */
function advance(h: UtilisationHistory, now: number): void {
  const n = h.busy.length;
  let t = h.level.since;
  if (now <= t) return;
  // Far behind (a sleeping laptop): every bucket is from before the window; start afresh at now's bucket.
  if (now - h.headStart >= (n + 1) * h.bucketMs) {
    h.busy.fill(0);
    h.capacity.fill(0);
    h.headStart = Math.floor(now / h.bucketMs) * h.bucketMs - (n - 1) * h.bucketMs;
    h.head = (h.head + 1) % n;
    h.busy[h.head] = 0;
    h.capacity[h.head] = 0;
    t = Math.max(t, h.headStart);
  }
  for (let guard = 0; t < now && guard <= n + 1; guard++) {
    const bucketEnd = h.headStart + h.bucketMs;
    const until = Math.min(now, bucketEnd);
    if (until > t) {
      h.busy[h.head]! += h.level.busy * (until - t);
      h.capacity[h.head]! += h.level.capacity * (until - t);
    }
    t = Math.max(t, until);
    if (now >= bucketEnd) {
      h.head = (h.head + 1) % n;
      h.headStart = bucketEnd;
      h.busy[h.head] = 0;
      h.capacity[h.head] = 0;
    }
  }
  h.level.since = now;
}

/** The sparkline's spoken and visible summary: "busy 2 of 4 now, 63 % over the last 10 min". */
export function utilisationLabel(o: { online: boolean; busy: number; slots: number; snapshot: UtilisationSnapshot }): string {
  const window = windowText(o.snapshot.coveredMs);
  const now = o.online ? `busy ${o.busy} of ${o.slots} now` : 'offline now';
  if (o.snapshot.share === null) return `${now}, not online over the last ${window}`;
  return `${now}, ${Math.round(o.snapshot.share * 100)} % over the last ${window}`;
}

function windowText(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  return `${Math.round(s / 60)} min`;
}
