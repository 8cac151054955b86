/**
 * A bound on the nesting depth of a JSON text, checked before `JSON.parse` and the schema see it.
 * Every Farmhand message is at most a few levels deep; a 20 KB text of nested brackets parses
 * fine but then overflows the stack of whatever walks it recursively (it once crashed an agent
 * before authentication). One linear pass over the characters, no allocation.
 */

export const MAX_JSON_DEPTH = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** True when no object or array in `text` nests deeper than `maxDepth` (strings are skipped). */
export function jsonDepthWithin(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return false;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return true;
}
