/** Tags as typed ("gpu, linux" or "gpu linux") to the list the API takes. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((t) => t.trim()).filter(Boolean))];
}
