import type { FarmStatus } from '../controller/api/contract.js';

/**
 * What the tray, the taskbar/dock progress and the tray menu show, decided from farm.status
 * alone. Plain functions, so they are tested without Electron.
 */

export type TrayState = 'idle' | 'rendering' | 'error' | 'no-agents';

/**
 * No agents first (nothing can render: the one thing to fix), then failed jobs (they stay
 * until retried or deleted), then rendering, else idle.
 */
export function trayStateFor(status: FarmStatus): TrayState {
  if (status.agents.online === 0) return 'no-agents';
  if (status.jobs.failed > 0) return 'error';
  if (status.jobs.running > 0) return 'rendering';
  return 'idle';
}

/** The icon file (assets/icons/<name>.png, @2x beside it): rendering shows progress in eighths. */
export function trayIconName(status: FarmStatus): string {
  const state = trayStateFor(status);
  if (state !== 'rendering') return `tray-${state}`;
  const eighths = Math.min(8, Math.max(0, Math.floor((status.progress ?? 0) * 8)));
  return `tray-rendering-${eighths}`;
}

/** Tooltip lines: the state with the overall percent, the jobs, the agents (Windows cuts tooltips at 127 characters: kept short). */
export function trayTooltip(status: FarmStatus): string {
  const { jobs, agents } = status;
  const percent = status.progress === null ? '' : ` ${Math.floor(status.progress * 100)}%`;
  const head = status.queuePaused ? `Farmhand: queue paused${percent}` : jobs.running > 0 ? `Farmhand: rendering${percent}` : 'Farmhand: idle';
  const jobLine = [`${jobs.running} running`, jobs.queued > 0 ? `${jobs.queued} waiting` : '', jobs.failed > 0 ? `${jobs.failed} failed` : ''].filter(Boolean).join(', ');
  const agentLine = agents.total === 0 ? 'no agents yet' : `${agents.online} of ${agents.total} agent${agents.total === 1 ? '' : 's'} online`;
  return `${head}\n${jobLine}\n${agentLine}`;
}

export type ProgressMode = 'none' | 'normal' | 'paused' | 'error';

/** For BrowserWindow.setProgressBar: -1 removes the bar; paused and error colour it where the platform can (Windows). */
export function taskbarProgress(status: FarmStatus): { value: number; mode: ProgressMode } {
  if (status.progress === null) return { value: -1, mode: 'none' };
  const value = Math.min(1, Math.max(0, status.progress));
  if (status.queuePaused) return { value, mode: 'paused' };
  if (status.jobs.failed > 0) return { value, mode: 'error' };
  return { value, mode: 'normal' };
}

export type TrayAction = 'show' | 'pause-queue' | 'resume-queue' | 'quit';

/** The tray menu's entries, in order. */
export function trayMenu(status: FarmStatus | null): { action: TrayAction; label: string }[] {
  const queue = status?.queuePaused ? { action: 'resume-queue' as const, label: 'Resume queue' } : { action: 'pause-queue' as const, label: 'Pause queue' };
  return [{ action: 'show', label: 'Show Farmhand' }, queue, { action: 'quit', label: 'Quit Farmhand' }];
}
