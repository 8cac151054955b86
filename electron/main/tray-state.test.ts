import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FarmStatus } from '../controller/api/contract.js';
import { existsSync } from 'node:fs';
import { taskbarProgress, trayIconName, trayMenu, trayStateFor, trayTooltip } from './tray-state.js';

const status = (o: { running?: number; queued?: number; failed?: number; online?: number; total?: number; progress?: number | null; queuePaused?: boolean } = {}): FarmStatus => ({
  jobs: { total: (o.running ?? 0) + (o.queued ?? 0) + (o.failed ?? 0), running: o.running ?? 0, queued: o.queued ?? 0, failed: o.failed ?? 0 },
  agents: { total: o.total ?? o.online ?? 1, online: o.online ?? 1, busySlots: 0, slots: o.online ?? 1 },
  progress: o.progress ?? null,
  queuePaused: o.queuePaused ?? false,
});

test('tray state: no agents beats failed beats rendering beats idle', () => {
  assert.equal(trayStateFor(status()), 'idle');
  assert.equal(trayStateFor(status({ running: 1, progress: 0.5 })), 'rendering');
  assert.equal(trayStateFor(status({ running: 1, failed: 1 })), 'error');
  assert.equal(trayStateFor(status({ running: 1, failed: 1, online: 0, total: 2 })), 'no-agents');
  assert.equal(trayStateFor(status({ online: 0, total: 0 })), 'no-agents');
});

test('tooltip: state with overall percent, jobs, agents', () => {
  assert.equal(trayTooltip(status({ running: 2, queued: 1, progress: 0.437, online: 3, total: 4 })), 'Farmhand: rendering 43%\n2 running, 1 waiting\n3 of 4 agents online');
  assert.equal(trayTooltip(status({ online: 0, total: 0 })), 'Farmhand: idle\n0 running\nno agents yet');
  assert.equal(trayTooltip(status({ queued: 1, failed: 2, progress: 0, queuePaused: true })), 'Farmhand: queue paused 0%\n0 running, 1 waiting, 2 failed\n1 of 1 agent online');
  assert.ok(trayTooltip(status({ running: 9999, queued: 9999, failed: 9999, progress: 0.999, online: 999, total: 1000 })).length < 127);
});

test('taskbar progress: removed when nothing is unfinished, paused and error modes', () => {
  assert.deepEqual(taskbarProgress(status()), { value: -1, mode: 'none' });
  assert.deepEqual(taskbarProgress(status({ running: 1, progress: 0.25 })), { value: 0.25, mode: 'normal' });
  assert.deepEqual(taskbarProgress(status({ running: 1, progress: 0.25, queuePaused: true })), { value: 0.25, mode: 'paused' });
  assert.deepEqual(taskbarProgress(status({ running: 1, failed: 1, progress: 1.2 })), { value: 1, mode: 'error' });
});

test('tray menu offers the queue action that applies now', () => {
  assert.deepEqual(trayMenu(status()).map((i) => i.action), ['show', 'pause-queue', 'quit']);
  assert.deepEqual(trayMenu(status({ queuePaused: true })).map((i) => i.label), ['Show Farmhand', 'Resume queue', 'Quit Farmhand']);
  assert.equal(trayMenu(null)[1]!.action, 'pause-queue');
});

test('tray icon: one per state, rendering in eighths; every name has its PNG and @2x in assets/icons', () => {
  assert.equal(trayIconName(status()), 'tray-idle');
  assert.equal(trayIconName(status({ running: 1, progress: 0 })), 'tray-rendering-0');
  assert.equal(trayIconName(status({ running: 1, progress: 0.49 })), 'tray-rendering-3');
  assert.equal(trayIconName(status({ running: 1, progress: 1 })), 'tray-rendering-8');
  assert.equal(trayIconName(status({ failed: 1 })), 'tray-error');
  assert.equal(trayIconName(status({ online: 0 })), 'tray-no-agents');
  const names = ['tray-idle', 'tray-error', 'tray-no-agents', ...Array.from({ length: 9 }, (_, i) => `tray-rendering-${i}`)];
  for (const name of names) {
    for (const file of [`${name}.png`, `${name}@2x.png`]) assert.ok(existsSync(new URL(`../../assets/icons/${file}`, import.meta.url)), `${file} is missing: run node assets/icons/make-icons.mjs`);
  }
});
