import type { AgentView } from '../../../electron/controller/api/contract.js';
import { sparklinePath } from '../model/sparkline-path.js';
import { utilisationLabel } from '../model/utilisation-history.js';
import { agentUtilisation, useUtilisationClock } from '../stores/utilisation-store.js';

const WIDTH = 90;
const HEIGHT = 18;

/**
 * An agent's busy slots over the last 10 minutes as a small line (SVG), with the same figures
 * in words: the image's label ("busy 2 of 4 now, 63 % over the last 10 min") and a visible
 * percentage, so the chart is never the only way to read it.
 */
export function UtilisationSparkline({ agent }: { agent: AgentView }) {
  useUtilisationClock();
  const snap = agentUtilisation(agent.agentId, Date.now());
  if (!snap) return null;
  const label = utilisationLabel({ online: agent.online, busy: agent.busySlots, slots: agent.slots, snapshot: snap });
  const path = sparklinePath(snap.points, WIDTH, HEIGHT - 2);
  return (
    <div className="sparkline">
      <svg role="img" aria-label={label} width={WIDTH} height={HEIGHT} viewBox={`0 -1 ${WIDTH} ${HEIGHT}`} data-busy={`${agent.online ? agent.busySlots : 0}/${agent.slots}`}>
        <title>{label}</title>
        <line x1="0" y1={HEIGHT - 2} x2={WIDTH} y2={HEIGHT - 2} className="sparkline-base" />
        <path d={path} className="sparkline-line" />
      </svg>
      <span className="muted small" aria-hidden="true">{snap.share === null ? '—' : `${Math.round(snap.share * 100)} %`}</span>
    </div>
  );
}
