import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DependencyPattern } from './blend-dependencies.js';

/**
 * The files on disk a named path stands for: itself, or for a sequence the frames that exist,
 * for UDIM the tiles that exist, for a cache or bake folder the files in it. An empty answer
 * means nothing is there; the caller decides whether that is missing (a sequence, a file) or
 * just not baked yet (a cache folder).
 */

export async function filesOf(resolved: string, pattern: DependencyPattern): Promise<string[]> {
  switch (pattern.type) {
    case 'file':
      return [resolved];
    case 'sequence':
      return matching(dirname(resolved), sequenceMatcher(basename(resolved)));
    case 'udim':
      return matching(dirname(resolved), udimMatcher(basename(resolved)));
    case 'folder':
      return filesUnder(resolved);
    case 'point-cache': {
      const index = pattern.index >= 0 ? String(pattern.index).padStart(2, '0') : '\\d{2}';
      const names = new RegExp(`^(?:${pattern.prefixes.map(escape).join('|')})_\\d{6}(?:_${index})?\\.[A-Za-z0-9]+$`);
      return pattern.prefixes.length === 0 ? [] : matching(resolved, (name) => names.test(name));
    }
  }
}

/** `frame_####.png` or `frame_0001.png`: the same head and tail around any frame number. */
function sequenceMatcher(name: string): (name: string) => boolean {
  const hashes = /^(.*?)(#+)(.*)$/.exec(name);
  const digits = /^(.*?)(\d+)(\.[^.]*)?$/.exec(name);
  const [head, tail] = hashes ? [hashes[1]!, hashes[3]!] : digits ? [digits[1]!, digits[3] ?? ''] : [name, ''];
  if (!hashes && !digits) return (other) => other === name;
  const re = new RegExp(`^${escape(head)}-?\\d+${escape(tail)}$`);
  return (other) => re.test(other);
}

/** `tex.<UDIM>.png` → tex.1001.png…; `tex.<UVTILE>.png` → tex.u1_v1.png…; a tile's own name (`tex.1001.png`, as 2.9x saved them) stands for its set. */
function udimMatcher(name: string): (name: string) => boolean {
  const tile = /^(.*[._-])1\d{3}(\.[^.]+)$/.exec(name);
  const tokened = !/<UDIM>|<UVTILE>/.test(name) && tile ? `${tile[1]}<UDIM>${tile[2]}` : name;
  const parts = tokened.split(/(<UDIM>|<UVTILE>)/);
  if (parts.length === 1) return (other) => other === name;
  const re = new RegExp(`^${parts.map((p) => (p === '<UDIM>' ? '\\d{4}' : p === '<UVTILE>' ? 'u\\d+_v\\d+' : escape(p))).join('')}$`);
  return (other) => re.test(other);
}

async function matching(folder: string, keep: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && keep(e.name)).map((e) => join(folder, e.name)).sort();
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).sort();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
