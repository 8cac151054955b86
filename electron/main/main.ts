import { app, dialog, type BrowserWindow } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineLogger } from '../farm/farm-logger.js';
import { startControllerService, type ControllerService } from '../farm/start-controller-service.js';
import { ApiEventBatcher } from '../controller/api/api-event-batcher.js';
import { ApiCommands } from '../controller/api/contract.js';
import { COMMANDS_ARGUMENT } from '../controller/api/desktop-bridge.js';
import { builtUiFolder } from '../controller/api/static-files.js';
import { APP_ID, appOptions } from './app-options.js';
import { AppTray } from './app-tray.js';
import { startIpcBridge } from './ipc-bridge.js';
import { startJobNotifier } from './job-notifier.js';
import { createMainWindow, registerAppScheme, secureSession, showWindow } from './main-window.js';
import { filesFromArgv, isOpenableFile, OpenFileQueue } from './open-files.js';
import { taskbarProgress, type TrayAction } from './tray-state.js';

/**
 * The desktop app's composition root: the controller service (the same one `farmhand
 * controller` runs) inside the main process, one window, the tray, notifications, and the
 * IPC bridge the window talks through. Everything the app shows comes from the service's
 * API; this file only wires.
 *
 * Bundled by scripts/bundle-electron.mjs into dist/electron-app/main.js, beside preload.cjs
 * and the tray icons; the UI is dist/renderer.
 */

const here = dirname(fileURLToPath(import.meta.url));
const paths = {
  preload: join(here, 'preload.cjs'),
  icons: join(here, 'icons'),
  appIcon: join(here, 'icons', 'app-icon.png'),
  ui: builtUiFolder(import.meta.url),
};
/** A shutdown that hangs (a stuck socket, a full disk) must not keep the app alive forever. */
const SHUTDOWN_LIMIT_MS = 15_000;
/** The tray and taskbar follow farm.status at most this often. */
const STATUS_INTERVAL_MS = 500;

const options = appOptions(process.argv, process.env);
const launchFiles = (argv: readonly string[], cwd: string) => filesFromArgv(argv, { cwd, defaultApp: process.defaultApp === true });

registerAppScheme();
// With FARMHAND_HOME given, Electron's own data (and so the single-instance lock) lives there
// too: one Farmhand per data folder, and test runs never meet the user's app.
if (process.env.FARMHAND_HOME) app.setPath('userData', resolve(process.env.FARMHAND_HOME, 'desktop-app'));
// Windows shows notifications only for an app with an AppUserModelID (the installer sets the same one).
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
if (!app.requestSingleInstanceLock()) {
  // Another Farmhand runs: it gets our files through 'second-instance' and comes forward.
  app.quit();
} else {
  run();
}

function run(): void {
  const openFiles = new OpenFileQueue();
  let win: BrowserWindow | null = null;
  let quitting = false;
  const bringForward = () => win && showWindow(win);
  const open = (files: string[]) => {
    for (const file of files) openFiles.open(file);
    if (files.length > 0) bringForward();
  };

  open(launchFiles(process.argv, process.cwd()));
  // macOS: a file dropped on the dock icon or opened through its association (may come before ready).
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (isOpenableFile(path)) open([path]);
  });
  app.on('second-instance', (_event, argv, cwd) => {
    open(launchFiles(argv, cwd));
    bringForward();
  });
  app.on('activate', bringForward);

  app.whenReady().then(async () => {
    secureSession(paths.ui);
    let running: ControllerService;
    try {
      // The farm's warnings and notices go to the log (stderr); the window shows its own from the API.
      const logger = lineLogger((line) => process.stderr.write(`${line}\n`));
      running = await startControllerService({ agent: [], discover: options.discover, localAgent: options.localAgent, logger });
    } catch (error) {
      dialog.showErrorBox('Farmhand could not start', `${(error as Error).message}\n\nFix that and start Farmhand again.`);
      app.exit(1);
      return;
    }
    const { service, farm } = running;
    const report = (text: string) => farm.controller.events.notice('info', text);

    const bridge = startIpcBridge({ api: service.api, onEvent: service.onEvent, page: () => win?.webContents ?? null, openFiles });
    win = createMainWindow({ preloadPath: paths.preload, iconPath: paths.appIcon, rendererArguments: [`${COMMANDS_ARGUMENT}${Object.keys(ApiCommands).join(',')}`] });
    // Closing the window leaves the farm running in the tray; a second launch or the tray brings it back.
    win.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      win?.hide();
    });

    const onTrayAction = (action: TrayAction) => {
      switch (action) {
        case 'show':
          return bringForward();
        case 'pause-queue':
          return void service.api['farm.pauseQueue']({});
        case 'resume-queue':
          return void service.api['farm.resumeQueue']({});
        case 'quit':
          return app.quit();
        default: {
          const never: never = action;
          return never;
        }
      }
    };
    const tray = new AppTray({ iconsDir: paths.icons, onAction: onTrayAction });
    const refreshStatus = async () => {
      const status = await service.api['farm.status']({});
      tray.update(status);
      const progress = taskbarProgress(status);
      if (win && !win.isDestroyed()) win.setProgressBar(progress.value, { mode: progress.mode });
    };
    const statusBatcher = new ApiEventBatcher({ intervalMs: STATUS_INTERVAL_MS, onBatch: () => void refreshStatus().catch((error: Error) => report(`The tray could not read the farm's status: ${error.message}`)) });
    const stopStatus = service.onEvent((event) => statusBatcher.push(event));
    await refreshStatus();

    const notifier = await startJobNotifier({ api: service.api, onEvent: service.onEvent, iconPath: paths.appIcon, showWindow: bringForward, report });

    if (options.testHooks) {
      // Read by test/electron through Playwright's electronApp.evaluate (main process).
      Object.assign(globalThis, { farmhandTestHooks: { tray: () => tray.describe(), openFile: (path: string) => open([path]) } });
    }

    app.on('before-quit', (event) => {
      if (quitting) return;
      quitting = true;
      event.preventDefault();
      const limit = setTimeout(() => app.exit(1), SHUTDOWN_LIMIT_MS);
      void (async () => {
        stopStatus();
        statusBatcher.close();
        notifier.close();
        bridge.close();
        tray.destroy();
        await running.close().catch(() => undefined);
        clearTimeout(limit);
        app.exit(0);
      })();
    });
  }).catch((error: Error) => {
    dialog.showErrorBox('Farmhand stopped', `${error.message}\n\nStart Farmhand again; if it keeps happening, run it from a terminal to see the log.`);
    app.exit(1);
  });
}
