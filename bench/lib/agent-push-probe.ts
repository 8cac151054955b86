/**
 * Measures, inside the page, how long an agent update takes to show: from the WebSocket
 * message that carries it (timestamped by a listener added before the app's own) to the frame
 * after the DOM shows it. "Shows" is read from the sparkline's data-busy ("busy/slots", the
 * agent's busy slots as the row draws them). Only pushes that change what a rendered row shows
 * are timed (an update for a row not in the page, or one that leaves it as it was, has nothing
 * to show; they are counted). A push is shown when every row it changed shows that agent's
 * latest pushed state (a later push for the same agent supersedes it). The frame after is the
 * next requestAnimationFrame callback after the mutation is seen.
 *
 * Plain JavaScript in a string: it runs as an init script in the page, before the app.
 */
export const AGENT_PUSH_PROBE = `(() => {
  const state = { latencies: [], pushes: 0, agentEvents: 0, unchanged: 0, timedOut: 0, longTasks: 0, longestTask: 0, pending: [], expect: new Map(), startedAt: performance.now() };
  window.__agentPushProbe = state;
  // Main-thread tasks over 50 ms (any cause): what delays a frame.
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) { state.longTasks++; state.longestTask = Math.max(state.longestTask, e.duration); } }).observe({ type: 'longtask' });
  } catch {}
  const shownBusy = (id) => {
    const svg = document.querySelector('tr[data-agent-id="' + CSS.escape(id) + '"] svg[data-busy]');
    return svg ? svg.getAttribute('data-busy') : null;
  };
  const settle = () => {
    const now = performance.now();
    state.pending = state.pending.filter((p) => {
      const done = p.ids.every((id) => { const shown = shownBusy(id); return shown === null || shown === state.expect.get(id); });
      if (done) {
        requestAnimationFrame(() => state.latencies.push(performance.now() - p.t0));
        return false;
      }
      if (now - p.t0 > 10000) { state.timedOut++; return false; }
      return true;
    });
  };
  new MutationObserver(settle).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-busy'] });
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string' || !event.data.includes('"kind":"agent"')) return;
        const t0 = performance.now();
        let frame;
        try { frame = JSON.parse(event.data); } catch { return; }
        if (!frame || frame.type !== 'events' || !Array.isArray(frame.events)) return;
        const ids = [];
        for (const e of frame.events) {
          if (e.kind !== 'agent') continue;
          state.agentEvents++;
          const want = (e.agent.online ? e.agent.busySlots : 0) + '/' + e.agent.slots;
          state.expect.set(e.agent.agentId, want);
          const shown = shownBusy(e.agent.agentId);
          if (shown !== null && shown !== want) ids.push(e.agent.agentId);
        }
        state.pushes++;
        if (ids.length === 0) state.unchanged++;
        else state.pending.push({ t0, ids });
      });
    }
  };
})();`;

export interface AgentPushFigures {
  latencies: number[];
  pushes: number;
  agentEvents: number;
  unchanged: number;
  timedOut: number;
  /** Main-thread tasks over 50 ms in the window, and the longest. */
  longTasks: number;
  longestTask: number;
  seconds: number;
}

/** Starts a fresh measuring window in the page (what was measured so far is dropped). */
export const RESET_PROBE = `(() => { const s = window.__agentPushProbe; s.latencies = []; s.pushes = 0; s.agentEvents = 0; s.unchanged = 0; s.timedOut = 0; s.longTasks = 0; s.longestTask = 0; s.startedAt = performance.now(); })()`;
/** The window's figures so far. */
export const READ_PROBE = `(() => { const s = window.__agentPushProbe; return { latencies: s.latencies.slice(), pushes: s.pushes, agentEvents: s.agentEvents, unchanged: s.unchanged, timedOut: s.timedOut, longTasks: s.longTasks, longestTask: s.longestTask, seconds: (performance.now() - s.startedAt) / 1000 }; })()`;
