import { basename } from 'node:path';
import type { BlendBlock, BlendFile } from './blend-file.js';
import { namedPaths } from './blend-dependencies.js';
import { BlendReachability, linkedIdsIn, MAX_WALK_STEPS } from './blend-reachability.js';

/**
 * Which part of each .blend a shot needs: all of the shot itself, and of every linked library
 * (recursively) only the blocks reachable from the IDs the files that link it actually link.
 * Before this a library's whole list of files was taken, so a shot linking one prop of twenty
 * was refused for the other nineteen's missing textures and shipped them all. A library the walk
 * cannot decide for is taken whole, as before, and listed with the reason.
 */

export interface BlendToList {
  path: string;
  blend: BlendFile;
  /** The blocks whose named paths the shot needs, in file order: every block of the shot and of a library taken whole. */
  blocks: BlendBlock[];
}

/** A library whose every named file is listed, because the reader could not tell which ones the shot uses. */
export interface WholeLibrary {
  path: string;
  reason: string;
}

export interface LinkedReadPlan {
  /** The shot first, then each library in the order found. */
  files: BlendToList[];
  wholeLibraries: WholeLibrary[];
}

export interface LinkedReadOptions {
  /** The file's blocks; throws BlendReadError when the reader cannot read it. */
  read(path: string): Promise<BlendFile>;
  /** A library's path as written (`//lib/props.blend`) made absolute from the file that names it. */
  resolve(written: string, from: string): string;
  isFile(path: string): Promise<boolean>;
  /** Pointers followed per library before it is taken whole (default MAX_WALK_STEPS). */
  maxWalkSteps?: number;
  /** Files looked at before every library is taken whole (default MAX_ROUNDS). */
  maxRounds?: number;
}

/** Files looked at (again each time new IDs of a library are asked for) before every library is taken whole. */
export const MAX_ROUNDS = 10_000;

interface FileState {
  path: string;
  blend: BlendFile;
  /** null: every block (the shot, or a library taken whole). */
  walk: BlendReachability | null;
  asked: Set<string>;
}

export async function planLinkedReads(scene: string, o: LinkedReadOptions): Promise<LinkedReadPlan> {
  const states = new Map<string, FileState>();
  const wholeLibraries: WholeLibrary[] = [];
  const pending: FileState[] = [];
  const whole = (state: FileState, reason: string) => {
    state.walk = null;
    wholeLibraries.push({ path: state.path, reason });
  };

  const shot: FileState = { path: scene, blend: await o.read(scene), walk: null, asked: new Set() };
  states.set(scene, shot);
  pending.push(shot);
  const tooMany = 'its libraries link each other too many times over';
  const maxRounds = o.maxRounds ?? MAX_ROUNDS;
  let rounds = 0;
  while (pending.length > 0) {
    const state = pending.shift()!;
    if (++rounds === maxRounds) {
      // From here on every library is whole: each is listed once more and the loop ends.
      for (const s of states.values()) {
        if (!s.walk) continue;
        whole(s, tooMany);
        if (s !== state && !pending.includes(s)) pending.push(s);
      }
    }
    const blocks = state.walk ? state.walk.reached : state.blend.blocks;
    const linked = linkedIdsIn(state.blend, blocks);
    // A library block with nothing linked from it (none is written so, but be safe): take the library whole.
    if (!state.walk) for (const b of state.blend.blocks) if (b.code === 'LI' && !linked.has(b)) linked.set(b, []);
    for (const [libraryBlock, names] of linked) {
      const written = namedPaths({ ...state.blend, blocks: [libraryBlock] }, basename(state.path)).find((n) => n.kind === 'library')?.written;
      if (written === undefined) continue; // packed into the file that links it
      const path = o.resolve(written, state.path);
      if (!(await o.isFile(path))) continue; // missing: the manifest says so
      let library = states.get(path);
      const firstRead = !library;
      if (!library) {
        library = { path, blend: await o.read(path), walk: null, asked: new Set() };
        library.walk = new BlendReachability(library.blend, o.maxWalkSteps ?? MAX_WALK_STEPS);
        states.set(path, library);
        if (rounds >= maxRounds) whole(library, tooMany);
      }
      if (!library.walk) {
        if (firstRead) pending.push(library);
        continue;
      }
      if (names.length === 0) {
        whole(library, `${basename(state.path)} names it but links nothing from it the reader can see`);
        if (!pending.includes(library)) pending.push(library);
        continue;
      }
      const fresh = names.filter((n) => !library!.asked.has(n));
      if (fresh.length === 0) continue;
      for (const n of fresh) library.asked.add(n);
      const undecided = library.walk.reach(fresh);
      if (undecided) whole(library, undecided);
      if (!pending.includes(library)) pending.push(library);
    }
  }
  const files = [...states.values()].map((s) => ({
    path: s.path,
    blend: s.blend,
    blocks: s.walk ? s.blend.blocks.filter((b) => s.walk!.reached.has(b)) : s.blend.blocks,
  }));
  return { files, wholeLibraries };
}
