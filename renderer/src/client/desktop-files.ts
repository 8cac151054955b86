/**
 * The desktop app's native file helpers on `window.farmhand` (electron/preload): the path of
 * a dropped or picked file, and files the app was asked to open. Absent in a browser, where a
 * file has no path and is uploaded instead. Only these two members are used here, checked at
 * run time, so this works whatever else the bridge carries.
 */
export interface DesktopFiles {
  /** '' when the file has no path on disk (e.g. dragged out of another app's memory). */
  pathForFile(file: File): string;
  onOpenFile(listener: (path: string) => void): () => void;
}

export function desktopFiles(): DesktopFiles | null {
  const bridge = (globalThis as { farmhand?: Partial<DesktopFiles> }).farmhand;
  if (!bridge || typeof bridge.pathForFile !== 'function' || typeof bridge.onOpenFile !== 'function') return null;
  return bridge as DesktopFiles;
}
