/**
 * How many frames a typed frame list names (`1-250`, `1-100x5`, `3,5-10`, `100-1`), each
 * counted once as the controller renders it: what "Render as one chunk" sets the chunk size
 * to. Null for text the controller would refuse (its own sentence says why at submit), and
 * counting stops past `cap`, since no chunk may hold more than the controller allows anyway.
 */
export function countFrameList(text: string, cap = 10_001): number | null {
  if (!text.trim()) return null;
  const frames = new Set<number>();
  for (const entry of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*(?:x\s*(\d+)\s*)?)?$/.exec(entry);
    if (!m) return null;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (step < 1) return null;
    const dir = end >= start ? 1 : -1;
    for (let f = start; dir > 0 ? f <= end : f >= end; f += dir * step) {
      frames.add(f);
      if (frames.size >= cap) return frames.size;
    }
  }
  return frames.size;
}
