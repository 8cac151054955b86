import type { FarmhandBridge } from '../../../electron/controller/api/desktop-bridge.js';

/**
 * The desktop app's native file helpers on `window.farmhand` (electron/preload): the path of
 * a dropped or picked file, files the app was asked to open, and opening a folder. Absent in
 * a browser, where a file has no path (it is uploaded instead) and no folder can be opened.
 * Each member is checked at run time before use, so a page works whatever the bridge carries;
 * the types are the bridge's own, so there is one definition of `window.farmhand`.
 */
export type DesktopFiles = Pick<FarmhandBridge, 'pathForFile' | 'onOpenFile'>;

/** Opens a folder in the system's file manager; resolves null when it opened, else why not (one sentence). */
export type FolderOpener = FarmhandBridge['openFolder'];

function bridge(): Partial<FarmhandBridge> | undefined {
  return (globalThis as { farmhand?: Partial<FarmhandBridge> }).farmhand;
}

export function desktopFiles(): DesktopFiles | null {
  const b = bridge();
  if (!b || typeof b.pathForFile !== 'function' || typeof b.onOpenFile !== 'function') return null;
  return b as DesktopFiles;
}

/** The desktop app's folder opener, or null in a browser. */
export function desktopFolderOpener(): FolderOpener | null {
  const b = bridge();
  return b && typeof b.openFolder === 'function' ? (path) => b.openFolder!(path) : null;
}
