import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { commandsFromArgv, createFarmhandBridge } from './farmhand-bridge.js';

/**
 * The preload of the app's window (sandboxed, context-isolated): exposes `window.farmhand`
 * (type: FarmhandBridge in electron/controller/api/desktop-bridge.ts) and nothing else.
 * Bundled into one CommonJS file by scripts/bundle-electron.mjs, since a sandboxed preload
 * can load no modules of its own.
 */
const bridge = createFarmhandBridge(
  {
    invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    send: (channel, ...args) => ipcRenderer.send(channel, ...args),
    on: (channel, listener) => void ipcRenderer.on(channel, listener),
    off: (channel, listener) => void ipcRenderer.off(channel, listener),
    getPathForFile: (file) => webUtils.getPathForFile(file),
  },
  commandsFromArgv(process.argv),
);
contextBridge.exposeInMainWorld('farmhand', bridge);
