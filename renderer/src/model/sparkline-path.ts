/**
 * The SVG path of a sparkline: one line through the points, broken where a point is null (the
 * agent was offline, or the page had not seen it yet), so a gap never reads as "idle".
 * Coordinates are in a width × height box, 0 at the bottom, 1 at the top.
 */
export function sparklinePath(points: readonly (number | null)[], width: number, height: number): string {
  if (points.length === 0) return '';
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const parts: string[] = [];
  let drawing = false;
  points.forEach((p, i) => {
    if (p === null) {
      drawing = false;
      return;
    }
    const x = round(i * step);
    const y = round(height - Math.max(0, Math.min(1, p)) * height);
    parts.push(`${drawing ? 'L' : 'M'}${x} ${y}`);
    drawing = true;
  });
  return parts.join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
