import type { GpuDeviceCache } from './gpu-device-cache.js';
import { runDeviceProbe } from './gpu-probe.js';
import type { BlenderInstall } from './protocol/messages.js';

/**
 * Fills in each Blender's `devices`: from the cache when that Blender (same file, same
 * version) was probed before, else by running the device probe with it (gpu-probe.ts). All
 * cached: the answer is there at once (a restart costs no Blender start). A probe that fails
 * leaves that Blender without GPUs (it renders on the CPU) and becomes a warning; it is not
 * cached, so the next start tries again.
 */
export interface DeviceProbeContext {
  cache: GpuDeviceCache;
  /** A throw-away HOME for the probe runs (made only when one runs). */
  scratchHome(): string;
  warnings: string[];
  /** Test hook: the probe to run (default: runDeviceProbe). */
  probe?: typeof runDeviceProbe;
}

export function attachDevices(installs: readonly BlenderInstall[], c: DeviceProbeContext): BlenderInstall[] | Promise<BlenderInstall[]> {
  const answers = installs.map((install) => {
    const cached = c.cache.get(install.path, install.version);
    if (cached) return { ...install, devices: cached };
    return (c.probe ?? runDeviceProbe)(install.path, c.scratchHome()).then((answer) => {
      c.cache.set(install.path, install.version, answer.devices);
      return { ...install, devices: answer.devices };
    }, (error: Error) => {
      c.warnings.push(`Cycles' device probe with Blender ${install.version} at ${install.path} failed (${error.message}); that Blender renders on the CPU only.`);
      return { ...install, devices: [] };
    });
  });
  if (!answers.some((a) => a instanceof Promise)) return answers as BlenderInstall[];
  return Promise.all(answers).then((all) => {
    c.cache.save();
    return all;
  });
}
