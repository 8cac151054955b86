/** Lines that look like trouble, for "jump to first error" (Blender, ffmpeg and Python wording). */
const ERROR_LINE = /\b(error|fatal|exception|traceback|failed|segmentation fault|killed)\b/i;

export function firstErrorLine(lines: readonly string[]): number {
  return lines.findIndex((l) => ERROR_LINE.test(l));
}

/** Indexes of the lines containing `query` (case-insensitive); empty query → none. */
export function matchingLines(lines: readonly string[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i]!.toLowerCase().includes(q)) out.push(i);
  return out;
}
