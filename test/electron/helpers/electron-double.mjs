// Electron's main-process API as a test double, for main-wiring.test.ts: just enough of app,
// ipcMain, BrowserWindow, session, protocol, Tray, Menu, Notification, shell and dialog for
// dist/electron-app/main.js to run under plain Node, recording what it was asked to do. It
// stands in for Electron only where Electron cannot run; app.test.ts drives the real one.
import { EventEmitter } from 'node:events';

/** Every call worth checking, in order: [what, ...details]. */
export const log = [];
const record = (...entry) => log.push(entry);

/** Handlers main.js installed on the session and the window. */
export const handlers = {};

class App extends EventEmitter {
  defaultApp = true;
  exitCode = undefined;
  requestSingleInstanceLock() {
    record('lock');
    return true;
  }
  setPath(name, path) {
    record('setPath', name, path);
  }
  whenReady() {
    return Promise.resolve();
  }
  quit() {
    record('quit');
    this.emit('before-quit', { preventDefault: () => record('before-quit prevented') });
  }
  exit(code) {
    record('exit', code);
    this.exitCode = code;
  }
}
export const app = new App();

export const dialog = { showErrorBox: (title, message) => record('errorBox', title, message) };

export const protocol = { registerSchemesAsPrivileged: (schemes) => record('schemes', schemes) };

export const session = {
  defaultSession: {
    protocol: { handle: (scheme, handler) => (handlers.protocol = handler) },
    webRequest: { onBeforeRequest: (handler) => (handlers.beforeRequest = handler) },
    setPermissionRequestHandler: (handler) => (handlers.permission = handler),
    setPermissionCheckHandler: (handler) => (handlers.permissionCheck = handler),
  },
};

let nextId = 1;
class WebContents extends EventEmitter {
  id = nextId++;
  /** [channel, ...args] of every webContents.send. */
  sent = [];
  send(channel, ...args) {
    this.sent.push([channel, ...args]);
  }
  setWindowOpenHandler(handler) {
    handlers.windowOpen = handler;
  }
  isDestroyed() {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    BrowserWindow.all.push(this);
  }
  loadURL(url) {
    record('loadURL', url);
    return Promise.resolve();
  }
  setProgressBar(value, options) {
    record('progress', value, options?.mode);
  }
  isMinimized() {
    return false;
  }
  restore() {}
  show() {
    record('show');
  }
  focus() {}
  hide() {
    record('hide');
  }
  isDestroyed() {
    return false;
  }
}

export const shell = {
  openExternal: (url) => record('openExternal', url),
  openPath: async (path) => {
    record('openPath', path);
    return '';
  },
};

class IpcMain extends EventEmitter {
  invokeHandlers = new Map();
  handle(channel, handler) {
    if (this.invokeHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.invokeHandlers.set(channel, handler);
  }
  removeHandler(channel) {
    this.invokeHandlers.delete(channel);
  }
}
export const ipcMain = new IpcMain();

export const Menu = { buildFromTemplate: (items) => ({ items }) };

export class Tray extends EventEmitter {
  static last = null;
  constructor(image) {
    super();
    this.image = image;
    Tray.last = this;
  }
  setImage(image) {
    this.image = image;
  }
  setToolTip(text) {
    this.tooltip = text;
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
  destroy() {
    record('tray.destroy');
  }
}

export const nativeImage = { createFromPath: (path) => ({ path }) };

export class Notification extends EventEmitter {
  static shown = [];
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
  }
  show() {
    Notification.shown.push(this);
  }
}
