import type { DependencyKind } from '../../api/views.js';
import type { BlendBlock, BlendFile } from './blend-file.js';
import { nodesBakeFolders } from './blend-nodes-bakes.js';

/**
 * Every external path one .blend names, read from its blocks through the file's own struct
 * description (SDNA), so the same code reads what Blender 2.8 to 4.x wrote: a struct or field
 * this file's Blender does not have is simply not there, and nothing is guessed. Files store
 * the legacy field names (`Image.name` is today's `filepath`), so both are tried. Packed data
 * travels inside the .blend and is not listed. Paths come out as written; resolving `//`,
 * Windows paths and what is on disk (sequences, UDIM tiles, cache folders) is the caller's.
 */

/** How a named path becomes files on disk. */
export type DependencyPattern =
  /** One file. */
  | { type: 'file' }
  /** An image or volume sequence: the files sharing the name with another frame number (`frame_0001.png`, `frame_####.png`). */
  | { type: 'sequence' }
  /** UDIM tiles: `<UDIM>` (1001…) or `<UVTILE>` (u1_v1) stands for the tile. */
  | { type: 'udim' }
  /** A folder: every file under it (fluid and Geometry Nodes bakes). */
  | { type: 'folder' }
  /** A point cache in a folder: `<prefix>_<frame 6 digits>_<index 2 digits>.<ext>`, for any of the prefixes. */
  | { type: 'point-cache'; prefixes: string[]; index: number };

export interface NamedPath {
  written: string;
  kind: DependencyKind;
  pattern: DependencyPattern;
  /** Blender may write these files while it renders (a disk point cache that is not baked): see DependencyEntry.writable. */
  writable?: true;
}

/** DNA_image_types.h: IMA_SRC_*. */
const IMAGE_FILE = 1;
const IMAGE_SEQUENCE = 2;
const IMAGE_MOVIE = 3;
const IMAGE_TILED = 6;
/** DNA_movieclip_types.h: MCLIP_SRC_SEQUENCE. */
const CLIP_SEQUENCE = 1;
/** DNA_pointcache_types.h: PTCACHE_BAKED, PTCACHE_DISK_CACHE, PTCACHE_EXTERNAL. */
const PTCACHE_BAKED = 1 << 0;
const PTCACHE_DISK_CACHE = 1 << 6;
const PTCACHE_EXTERNAL = 1 << 9;
/** DNA_text_types.h: TXT_ISMEM (held in the .blend only; its path is not used). */
const TXT_ISMEM = 1 << 2;
/** NODE_SCRIPT_EXTERNAL, NODE_IES_EXTERNAL. */
const NODE_EXTERNAL = 1;
/** DNA_sequence_types.h: SEQ_TYPE_IMAGE, SEQ_TYPE_MOVIE (sound strips name a bSound, listed as such). */
const STRIP_IMAGE = 0;
const STRIP_MOVIE = 3;

export function namedPaths(blend: BlendFile, blendFileName: string): NamedPath[] {
  const found: NamedPath[] = [];
  const add = (written: string | undefined, kind: DependencyKind, pattern: DependencyPattern = { type: 'file' }, writable = false) => {
    if (written && written.trim() !== '') found.push({ written, kind, pattern, ...(writable ? { writable: true as const } : {}) });
  };
  /** A `char name[N]` field, or a `char *name` one (newer structs keep paths as pointers to their own block). */
  const str = (block: BlendBlock, ...fields: string[]) => {
    for (const f of fields) {
      const value = blend.string(block, f);
      if (value !== undefined) return value;
      const address = blend.pointer(block, f);
      if (address === undefined) continue;
      const chars = address ? blend.byAddress.get(address) : undefined;
      return chars ? cString(blend, chars) : '';
    }
    return undefined;
  };
  const stem = blendFileName.length > 6 ? blendFileName.slice(0, -6) : blendFileName;
  const packed = (block: BlendBlock) => !!blend.pointer(block, 'packedfile') || !!blend.pointer(block, 'packedfiles.first');
  const objectNames = blend.blocks.filter((b) => b.code === 'OB').map((b) => (blend.string(b, 'id.name') ?? '').slice(2));

  for (const block of blend.blocks) {
    switch (block.code) {
      case 'IM': {
        if (packed(block)) break;
        const source = blend.int(block, 'source');
        const path = str(block, 'filepath', 'name');
        if (source === IMAGE_FILE || source === IMAGE_MOVIE) add(path, 'image');
        else if (source === IMAGE_SEQUENCE) add(path, 'image-sequence', { type: 'sequence' });
        else if (source === IMAGE_TILED) add(path, 'udim', { type: 'udim' });
        break;
      }
      case 'LI':
        if (!packed(block)) add(str(block, 'filepath', 'name'), 'library');
        break;
      case 'SO':
        if (!packed(block)) add(str(block, 'filepath', 'name'), 'sound');
        break;
      case 'MC':
        add(str(block, 'filepath', 'name'), 'movie-clip', blend.int(block, 'source') === CLIP_SEQUENCE ? { type: 'sequence' } : { type: 'file' });
        break;
      case 'VF': {
        const path = str(block, 'filepath', 'name');
        if (!packed(block) && path !== '<builtin>') add(path, 'font');
        break;
      }
      case 'CF':
        add(str(block, 'filepath'), 'cache-file', blend.int(block, 'is_sequence') ? { type: 'sequence' } : { type: 'file' });
        break;
      case 'VO':
        if (!packed(block)) add(str(block, 'filepath'), 'volume', blend.int(block, 'is_sequence') ? { type: 'sequence' } : { type: 'file' });
        break;
      case 'TX':
        if (!((blend.int(block, 'flags') ?? 0) & TXT_ISMEM)) add(str(block, 'filepath', 'name'), 'text');
        break;
      case 'DATA':
        for (const element of elements(block)) dataPaths(element);
        break;
    }
  }
  return found;

  /** Structs that live in DATA blocks, found by their type whichever ID owns them. */
  function dataPaths(block: BlendBlock): void {
    switch (block.struct?.type) {
      case 'MeshCacheModifierData':
        add(str(block, 'filepath'), 'mesh-cache');
        break;
      case 'PointCache': {
        const flag = blend.int(block, 'flag') ?? 0;
        if (!(flag & PTCACHE_DISK_CACHE)) break;
        const external = (flag & PTCACHE_EXTERNAL) !== 0;
        const name = str(block, 'name') ?? '';
        const index = blend.int(block, 'index') ?? -1;
        // Blender names the files after the cache, or (unnamed or external) after its object's name in hex.
        const prefixes = name && !external ? [name] : objectNames.map(hexName);
        // The folder is `//blendcache_<file name less its last 6 characters>` (BKE_pointcache.c).
        const folder = external ? str(block, 'path') : `//blendcache_${stem}`;
        // Not baked (and not external, which Blender only reads): a render writes the cache's
        // frames, replacing existing files (Blender 3.4.1 measured, see DependencyEntry.writable).
        const writable = !external && !(flag & PTCACHE_BAKED);
        add(folder, 'point-cache', { type: 'point-cache', prefixes, index }, writable);
        break;
      }
      case 'FluidDomainSettings':
        add(str(block, 'cache_directory'), 'bake', { type: 'folder' });
        break;
      case 'NodesModifierData':
        // Geometry Nodes bakes (4.0+): each bake's folder, packed ones not (blend-nodes-bakes.ts).
        for (const folder of nodesBakeFolders(blend, block, stem)) add(folder, 'bake', { type: 'folder' });
        break;
      case 'Sequence': {
        // A Video Sequencer strip: its folder (Strip.dir) and one file name per element (StripElem.name).
        const type = blend.int(block, 'type');
        if (type !== STRIP_IMAGE && type !== STRIP_MOVIE) break;
        const stripAddress = blend.pointer(block, 'strip');
        const strip = stripAddress ? blend.byAddress.get(stripAddress) : undefined;
        if (!strip) break;
        const dir = str(strip, 'dir') ?? '';
        const elementsAddress = blend.pointer(strip, 'stripdata');
        const elementsBlock = elementsAddress ? blend.byAddress.get(elementsAddress) : undefined;
        const names = elementsBlock ? [...elements(elementsBlock)].map((e) => str(e, 'name') ?? '').filter(Boolean) : [];
        const kind: DependencyKind = type === STRIP_MOVIE ? 'movie-clip' : names.length > 1 ? 'image-sequence' : 'image';
        for (const name of type === STRIP_MOVIE ? names.slice(0, 1) : names) add(dir === '' || /[\\/]$/.test(dir) ? dir + name : `${dir}/${name}`, kind);
        break;
      }
      case 'NodeShaderScript':
        if (blend.int(block, 'mode') === NODE_EXTERNAL) add(str(block, 'filepath'), 'script');
        break;
      case 'NodeShaderTexIES':
        if (blend.int(block, 'mode') === NODE_EXTERNAL) add(str(block, 'filepath'), 'ies');
        break;
    }
  }
}

/** A DATA block may hold an array of its struct (a modifier's bakes): each element as a block of its own. */
function* elements(block: BlendBlock): Generator<BlendBlock> {
  const size = block.struct?.size ?? 0;
  if (size <= 0 || block.length <= size) {
    yield block;
    return;
  }
  for (let at = 0; at + size <= block.length; at += size) yield { ...block, offset: block.offset + at, length: size };
}

/** A block that is a bare C string (Text.filepath points at one). */
function cString(blend: BlendFile, block: BlendBlock): string {
  const bytes = blend.bytesOf(block);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

/** `Cube` → `43756265`: how Blender names an unnamed point cache's files. */
function hexName(name: string): string {
  return [...Buffer.from(name, 'utf8')].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
}
