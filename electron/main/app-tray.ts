import { Menu, Tray, nativeImage } from 'electron';
import { join } from 'node:path';
import type { FarmStatus } from '../controller/api/contract.js';
import { trayIconName, trayMenu, trayStateFor, trayTooltip, type TrayAction, type TrayState } from './tray-state.js';

/**
 * The tray icon: its picture, tooltip and menu follow farm.status (decided in tray-state.ts);
 * this class only hands them to Electron, and only when they change.
 */
export class AppTray {
  private readonly tray: Tray;
  private icon = '';
  private tooltip = '';
  private menuKey = '';
  private state: TrayState = 'idle';
  private menuLabels: string[] = [];

  constructor(private readonly o: { iconsDir: string; onAction(action: TrayAction): void }) {
    this.tray = new Tray(this.image('tray-idle'));
    this.tray.setToolTip('Farmhand: starting…');
    this.tray.on('click', () => o.onAction('show')); // Windows, macOS; Linux shows the menu
    this.setMenu(null);
  }

  update(status: FarmStatus): void {
    this.state = trayStateFor(status);
    const icon = trayIconName(status);
    if (icon !== this.icon) this.tray.setImage(this.image(icon));
    this.icon = icon;
    const tooltip = trayTooltip(status);
    if (tooltip !== this.tooltip) this.tray.setToolTip(tooltip);
    this.tooltip = tooltip;
    this.setMenu(status);
  }

  /** What the tray shows now (the Electron tests read it through the test hook). */
  describe(): { state: TrayState; icon: string; tooltip: string; menu: string[] } {
    return { state: this.state, icon: this.icon, tooltip: this.tooltip, menu: this.menuLabels };
  }

  destroy(): void {
    this.tray.destroy();
  }

  private setMenu(status: FarmStatus | null): void {
    const items = trayMenu(status);
    const key = items.map((i) => i.action).join();
    if (key === this.menuKey) return;
    this.menuKey = key;
    this.menuLabels = items.map((i) => i.label);
    this.tray.setContextMenu(Menu.buildFromTemplate(items.map((item) => ({ label: item.label, click: () => this.o.onAction(item.action) }))));
  }

  private image(name: string) {
    // Electron picks <name>@2x.png beside it on high-density screens.
    return nativeImage.createFromPath(join(this.o.iconsDir, `${name}.png`));
  }
}
