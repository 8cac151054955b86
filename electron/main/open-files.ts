import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which files the app opens (from its command line, a file association, a second launch or
 * macOS's open-file) into the submit flow: Blender scenes and the videos a transcode takes.
 * build/electron-builder.yml associates the same extensions (a unit test keeps them equal).
 */

export const SCENE_EXTENSIONS = ['blend'] as const;
export const VIDEO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mxf'] as const;
const OPENABLE = new Set<string>([...SCENE_EXTENSIONS, ...VIDEO_EXTENSIONS]);

export function isOpenableFile(path: string): boolean {
  return OPENABLE.has(extname(path).slice(1).toLowerCase());
}

export interface ArgvContext {
  /** Where relative paths are resolved (a second launch's own working directory). */
  cwd: string;
  /**
   * Electron started as `electron main.js …` (process.defaultApp) rather than packaged: the
   * script is the first plain argument, not a file to open.
   */
  defaultApp: boolean;
}

/**
 * The files to open among a launch's arguments: not the executable (nor the script in
 * development), no switches (Chromium adds its own to a second instance's argv), `file://`
 * URLs (Linux desktop files pass those) as paths, relative paths from `cwd`, each once.
 */
export function filesFromArgv(argv: readonly string[], o: ArgvContext): string[] {
  const files: string[] = [];
  // Chromium may put its switches anywhere, even before the script: skip the first plain argument, not argv[1].
  let scriptSkipped = !o.defaultApp;
  for (const arg of argv.slice(1)) {
    if (arg === '' || arg.startsWith('-')) continue;
    if (!scriptSkipped) {
      scriptSkipped = true;
      continue;
    }
    const path = toPath(arg, o.cwd);
    if (path && isOpenableFile(path) && !files.includes(path)) files.push(path);
  }
  return files;
}

function toPath(arg: string, cwd: string): string | null {
  if (/^file:\/\//i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return null; // another scheme (http:, farmhand:): not a file
  return isAbsolute(arg) ? resolve(arg) : resolve(cwd, arg);
}

/**
 * Opened files wait here until the window's page listens (a file given at launch arrives long
 * before React is up); after that they are delivered at once.
 */
export class OpenFileQueue {
  private waiting: string[] = [];
  private deliver: ((path: string) => void) | null = null;

  open(path: string): void {
    if (this.deliver) this.deliver(path);
    else if (!this.waiting.includes(path)) this.waiting.push(path);
  }

  /** The page listens (again, after a reload): from now on files go to `deliver`; those that waited go first. */
  ready(deliver: (path: string) => void): void {
    this.deliver = deliver;
    const waiting = this.waiting;
    this.waiting = [];
    for (const path of waiting) deliver(path);
  }

  /** The page went away (reload, crash): hold files again until it listens. */
  notReady(): void {
    this.deliver = null;
  }
}
