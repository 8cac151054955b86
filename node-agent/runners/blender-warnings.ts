import { isAbsolute, relative } from 'node:path';

/**
 * Turns Blender's log lines about things that are wrong in a render into task warnings, so
 * they are shown to the user instead of staying in task logs nobody reads. Lines measured with
 * Blender 3.4.1 in background mode:
 *   `Warning: Path '/w/textures/wood.png' not found`                 from REPORT_MISSING_FILES (below)
 *   `Warning: Unable to open '/w/lib/props.blend': No such file or directory`     a linked library, at load
 *   `Info: LIB: Object: 'Cube' missing from '/w/lib/props.blend', parent '<direct>'`
 *   `Warning: 1 libraries and 1 linked data-blocks are missing (including 0 ObjectData and 0 Proxies), please check …`
 *   `ERROR (bke.modifier): ./source/…/modifier.cc:458 BKE_modifier_set_error: Object: "Cube", Modifier: "MC", No such file or directory`
 *   `\tBPY_driver_exec: restricted access disallows name '__import__', enable auto-execution to support`
 *   `Error in PyDriver: expression failed: frame * 0.1 + __import__("math").pi`
 *   `For target: (type=Object, name="Cube", property=location, property_index=0)`
 *   `scripts disabled for "/w/shot.blend", skipping 'rig_ui.py'`   a text block registered to run at load (`use_module`)
 *   `Warning: File written by newer Blender binary (3.4.99), expect loss of data! This agent's Blender reads 3.4.6.`  (REPORT_NEWER_FILE)
 * Blender 3.4 prints nothing when an image texture is missing (Cycles renders it magenta, Eevee
 * prints only `GPUTexture: Blender Texture Not Loaded!`), hence the report step.
 * Missing files and libraries are the ones that make every frame wrong; the rest may be.
 */

export type BlenderWarningKind = 'missing-file' | 'missing-library' | 'modifier' | 'driver' | 'newer-file' | 'step' | 'script';

export interface BlenderWarning {
  kind: BlenderWarningKind;
  /** The sentence shown to the user. */
  text: string;
  /** For a missing file or library: where the scene looked, relative to the scene's folder when inside it. */
  path?: string;
}

/**
 * The Python snippet (run after path mapping, before the render) that makes Blender list every
 * external file the scene names but that is not there: Blender's own File ▸ External Data ▸
 * Report Missing Files. It skips packed and generated images; of an image sequence or UDIM set
 * it checks the file the image names (the submit-time manifest checks the rest). Two kinds of
 * path it reports in 3.4.1 are never read by a render, and would fail every such scene: the
 * cache folder of an Ocean modifier that is not baked (`//../blender_…/cache_ocean` by
 * default) and a text block's file (its text is in the .blend). Those point at the scene's own
 * folder while the report runs, then are put back.
 */
export const REPORT_MISSING_FILES: string = `_held = []
def _hold(_b):
    try:
        if _b.filepath:
            _held.append((_b, _b.filepath))
            _b.filepath = '//'
    except Exception:
        pass
for _o in bpy.data.objects:
    for _m in _o.modifiers:
        if _m.type == 'OCEAN' and not _m.is_cached:
            _hold(_m)
for _t in bpy.data.texts:
    _hold(_t)
try:
    bpy.ops.file.report_missing_files()
finally:
    for _b, _p in _held:
        _b.filepath = _p`;

/**
 * Blender 3.4.1 in background mode says nothing about a scene saved by a newer Blender (the
 * `File written by newer Blender binary` report is the UI's; measured with a file whose version
 * is 3.4.99), so the agent's step compares the file's version with the one this Blender writes
 * and prints the report's sentence itself, with both versions.
 */
export const REPORT_NEWER_FILE: string = `if tuple(bpy.data.version) > tuple(bpy.app.version_file):
    print("Warning: File written by newer Blender binary (%d.%d.%d), expect loss of data! This agent's Blender reads %d.%d.%d." % (tuple(bpy.data.version) + tuple(bpy.app.version_file)), flush=True)`;

/** The snippets the runner adds last to the Python step, in order. */
export const WARNING_SNIPPETS: readonly string[] = [REPORT_NEWER_FILE, REPORT_MISSING_FILES];

/** The contract's bounds for task.done `warnings`. */
export const MAX_WARNINGS = 100;
export const MAX_WARNING_CHARS = 1000;

export interface BlenderWarningCollector {
  /** Reads one log line; returns a warning the first time it is seen, else null. */
  feed(line: string): BlenderWarning | null;
  /** Every distinct warning so far, in the order first seen. */
  all(): BlenderWarning[];
  /** The texts for task.done: at most MAX_WARNINGS of at most MAX_WARNING_CHARS each. */
  texts(): string[];
}

/** `(.+)`: Report Missing Files says `Path '' not found` for a point cache on its default `//blendcache_<name>/` path, which is no file. */
const MISSING_PATH = /^Warning: Path '(.+)' not found\s*$/;
const UNABLE_TO_OPEN = /^Warning: Unable to open '(.*)': (.*?)\s*$/;
const LIB_BLOCK_MISSING = /^(?:Info|Warning): LIB: (\w+): '(.*?)' missing from '(.*?)'(?:, parent|\s*$)/;
const LIBRARIES_MISSING = /^Warning: (\d+) libraries and (\d+) linked data-blocks are missing/;
const MODIFIER = /^ERROR \(bke\.modifier\):.*BKE_modifier_set_error: Object: "(.*)", Modifier: "(.*)", (.*?)\s*$/;
const DRIVER_RESTRICTED = /restricted access disallows name '(.*)'/;
const DRIVER_FAILED = /^Error in PyDriver: (.*?)\s*$/;
const DRIVER_TARGET = /^For target: \(type=(\w+), name="(.*)", property=(\w+), property_index=(-?\d+)\)/;
const DRIVER_SKIPPED = /^skipping driver '(.*)', automatic scripts are disabled/;
const TEXT_SKIPPED = /^scripts disabled for "(.*)", skipping '(.*)'\s*$/;
/** What the agent's own Python step prints before a sentence for the user (device-step.ts: a GPU scene rendered on the CPU). */
export const STEP_WARNING_PREFIX = 'farmhand warning: ';
const STEP_WARNING = new RegExp(`^${STEP_WARNING_PREFIX}(.+?)\\s*$`);
const NEWER_FILE = /File written by newer Blender binary \(([^)]*)\)(?:.*Blender reads (\d+(?:\.\d+)*))?/;

/** `sceneDir`: the folder of the scene, so paths are shown as the artist wrote them (`textures/wood.png`). */
export function createBlenderWarningCollector(sceneDir: string): BlenderWarningCollector {
  const seen = new Map<string, BlenderWarning>();
  /** Libraries Blender could not open while loading, with its reason. */
  const unopened = new Map<string, string>();
  let libraryBlocks = 0;
  let restrictedName: string | null = null;
  let pendingDriver: string | null = null;

  const shown = (path: string): string => {
    const rel = relative(sceneDir, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
  const add = (key: string, w: BlenderWarning): BlenderWarning | null => {
    if (seen.has(key)) return null;
    seen.set(key, w);
    return w;
  };
  const driverWarning = (target: string | null): BlenderWarning | null => {
    const what = pendingDriver!;
    pendingDriver = null;
    const why = restrictedName ? ` (auto-run scripts are off on the farm, and '${restrictedName}' needs them)` : '';
    restrictedName = null;
    const on = target ? ` on ${target}` : '';
    return add(`driver:${what}:${target}`, { kind: 'driver', text: `A Python driver${on} was not evaluated, so frames may be wrong: ${what}${why}.` });
  };

  return {
    feed(line) {
      if (pendingDriver !== null) {
        const target = DRIVER_TARGET.exec(line);
        if (target) return driverWarning(`${target[1]} "${target[2]}" ${target[3]}[${target[4]}]`);
        driverWarning(null); // a driver error without its target line: kept, and this line is read as usual
      }
      let m = MISSING_PATH.exec(line);
      if (m) {
        const path = m[1]!;
        const reason = unopened.get(path);
        if (reason !== undefined) {
          return add(`missing:${path}`, { kind: 'missing-library', path: shown(path), text: `The linked library ${shown(path)} is missing (${reason}).` });
        }
        return add(`missing:${path}`, { kind: 'missing-file', path: shown(path), text: `The file ${shown(path)} is missing.` });
      }
      m = UNABLE_TO_OPEN.exec(line);
      if (m) {
        // Printed while loading, before the path map may point the library elsewhere: the
        // report run after the map (`Path … not found`) decides whether it is missing.
        unopened.set(m[1]!, m[2]!);
        return null;
      }
      m = LIB_BLOCK_MISSING.exec(line);
      if (m) {
        const path = m[3]!;
        if (unopened.has(path)) return null;
        libraryBlocks++;
        return add(`lib-block:${path}:${m[1]}:${m[2]}`, {
          kind: 'missing-library', path: shown(path), text: `The linked library ${shown(path)} has no ${m[1]} "${m[2]}".`,
        });
      }
      m = LIBRARIES_MISSING.exec(line);
      if (m) {
        if (unopened.size > 0 || libraryBlocks > 0) return null; // said better by the lines above
        return add('libraries-missing', { kind: 'missing-library', text: `${m[1]} linked libraries and ${m[2]} linked data-blocks are missing.` });
      }
      m = MODIFIER.exec(line);
      if (m) return add(`modifier:${m[1]}:${m[2]}:${m[3]}`, { kind: 'modifier', text: `The modifier "${m[2]}" on object "${m[1]}" failed: ${m[3]}.` });
      m = TEXT_SKIPPED.exec(line);
      if (m) {
        return add(`text-skipped:${m[2]}`, {
          kind: 'script',
          text: `The text block "${m[2]}" registered to run when the scene loads was skipped because auto-run scripts are off on the farm, so frames may be wrong; submit with --trust-scripts to run it on agents started with --allow-scripts.`,
        });
      }
      m = DRIVER_RESTRICTED.exec(line);
      if (m) {
        restrictedName = m[1]!;
        return null;
      }
      m = DRIVER_FAILED.exec(line);
      if (m) {
        pendingDriver = m[1]!;
        return null;
      }
      m = DRIVER_SKIPPED.exec(line);
      if (m) {
        return add(`driver-skipped:${m[1]}`, {
          kind: 'driver', text: `A Python driver was skipped because auto-run scripts are off on the farm, so frames may be wrong: ${m[1]}.`,
        });
      }
      m = STEP_WARNING.exec(line);
      if (m) return add(`step:${m[1]}`, { kind: 'step', text: m[1]! });
      m = NEWER_FILE.exec(line);
      if (m) {
        return add('newer-file', {
          kind: 'newer-file',
          text: `The scene was saved by a newer Blender (file version ${m[1]}) than this agent's${m[2] ? ` (${m[2]})` : ''}; data may be lost, so render with the same Blender version.`,
        });
      }
      return null;
    },
    all() {
      if (pendingDriver !== null) driverWarning(null);
      return [...seen.values()];
    },
    texts() {
      return boundWarnings(this.all().map((w) => w.text));
    },
  };
}

/** At most MAX_WARNINGS texts of at most MAX_WARNING_CHARS; the last one says how many were left out. */
export function boundWarnings(texts: readonly string[]): string[] {
  const cut = (t: string) => (t.length <= MAX_WARNING_CHARS ? t : `${t.slice(0, MAX_WARNING_CHARS - 1)}…`);
  if (texts.length <= MAX_WARNINGS) return texts.map(cut);
  const kept = texts.slice(0, MAX_WARNINGS - 1).map(cut);
  return [...kept, `…and ${texts.length - kept.length} more warnings.`];
}

/** Missing files and libraries: each makes the frames wrong (a magenta texture, a missing prop). */
export function isMissingWarning(w: BlenderWarning): boolean {
  return w.kind === 'missing-file' || w.kind === 'missing-library';
}

/**
 * The one sentence that fails an attempt over missing files: what is missing and the fix.
 * `sceneName` is the scene's file name.
 */
export function missingFilesSentence(sceneName: string, missing: readonly BlenderWarning[]): string {
  const names = missing.map((w) => w.path ?? w.text.replace(/\.$/, ''));
  const listed = names.length === 1 ? names[0]!
    : `${names.length} files (${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''})`;
  const verb = names.length === 1 ? 'is' : 'are';
  return `The scene "${sceneName}" needs ${listed}, which ${verb} missing on this agent; put the file${names.length === 1 ? '' : 's'} where the scene expects ${names.length === 1 ? 'it' : 'them'} and resubmit, or submit with --allow-missing to render without ${names.length === 1 ? 'it' : 'them'}.`;
}
