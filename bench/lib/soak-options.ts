/**
 * The soak's length (bench/ui-soak.ts): --minutes=N on run-all's command line, else
 * FARMHAND_SOAK_MINUTES, else 60. In its own file so run-all can size the soak's timeout
 * without loading the benchmark.
 */
export function soakMinutes(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): number {
  const arg = argv.find((a) => a.startsWith('--minutes='))?.slice('--minutes='.length) ?? env.FARMHAND_SOAK_MINUTES;
  const n = arg === undefined ? 60 : Number(arg);
  if (!Number.isFinite(n) || n < 1 || n > 24 * 60) throw new Error(`The soak's length "${arg}" is not a number of minutes from 1 to 1440; pass e.g. --minutes=60.`);
  return n;
}

/** The soak plus start-up and a margin: what run-all waits before calling it stuck. */
export function soakTimeoutMs(): number {
  try {
    return (soakMinutes() + 10) * 60_000;
  } catch {
    return 10 * 60_000; // the benchmark itself then says what is wrong with the length
  }
}
