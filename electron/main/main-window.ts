import { BrowserWindow, protocol, session, shell, type Session } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_INDEX_URL, APP_SCHEME, isAppUrl, resolveUiRequest } from './app-page.js';

/**
 * The app's one window, with Electron's security checklist applied: the page is the built UI
 * under `app://farmhand/` (never file://, never remote), sandboxed and context-isolated with no
 * Node, and it can neither navigate away, open windows, get permissions nor load anything
 * from the network. Links to the web go to the user's browser instead.
 */

/** Must run before the app is ready: the scheme is a secure, standard origin (module scripts, fetch and storage work as on https). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves the UI's files under app://farmhand/ and locks the session down. Call once, when ready. */
export function secureSession(uiFolder: string, ses: Session = session.defaultSession): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const found = await resolveUiRequest(uiFolder, request.url);
    if (found.status !== 200) return new Response(found.text, { status: found.status, headers: found.headers });
    // The UI's files are small (the bundle is a few hundred KiB): read whole, no stream to manage.
    return new Response(await readFile(found.path), { status: 200, headers: found.headers });
  });
  // No remote content: the page needs nothing but its own files (data: and blob: images included).
  ses.webRequest.onBeforeRequest((details, callback) => {
    const scheme = details.url.slice(0, details.url.indexOf(':') + 1);
    callback({ cancel: !(isAppUrl(details.url) || scheme === 'data:' || scheme === 'blob:' || scheme === 'devtools:') });
  });
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

export interface MainWindowOptions {
  preloadPath: string;
  iconPath: string;
  /** Extra arguments for the renderer process (the preload reads them: the contract's command names). */
  rendererArguments: string[];
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Farmhand',
    icon: o.iconPath,
    backgroundColor: '#1b1d21',
    webPreferences: {
      preload: o.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      additionalArguments: o.rendererArguments,
    },
  });
  const contents = win.webContents;
  // A dropped file must reach the page's drop handler, never replace the page.
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      openInBrowser(url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}

/** Only plain web links leave the app, and only to the user's browser. */
function openInBrowser(url: string): void {
  if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
}

/** Brings the window forward (a second launch, the tray's Show, a notification click). */
export function showWindow(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
