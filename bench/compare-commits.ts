import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/processes.js';
import { formatValue, type Row } from './lib/row.js';
import { median } from './lib/stats.js';

/**
 * Is a commit no slower than the one before it? Runs the same benchmarks on two commits in the
 * same session, each checked out in its own git worktree (sharing this tree's node_modules),
 * in alternating order over several rounds, and compares the medians. Old figures in
 * BENCHMARKS.md were measured on another day under another load; only a same-run comparison
 * says whether a change made things worse.
 *
 *   npm run bench:compare -- --base 848fc44 [--head HEAD] [--rounds 3] [dispatch throughput store]
 *
 * Writes bench/results/compare.json and the "Same-run comparison" part of BENCHMARKS.md.
 * Everything stays on loopback, as in run-all.ts.
 */

const DEFAULT_BENCHES = ['dispatch', 'throughput', 'store'];
/** Round-to-round noise on this 2-core VM is 5–15 % for these figures: a change is "worse" only past this band, or past the base's own spread if wider. */
const NOISE_BAND = 0.15;
const BEGIN = '<!-- BEGIN COMPARE by bench/compare-commits.ts: rewritten on every comparison -->';
const END = '<!-- END COMPARE -->';

/** The figures a reshaping must not make worse, and which way is better. */
const WATCHED: { bench: string; metric: RegExp; better: 'lower' | 'higher' }[] = [
  { bench: 'dispatch', metric: /^assign→succeeded p50 \(agent process\)$/, better: 'lower' },
  { bench: 'dispatch', metric: /^assign→succeeded p99 \(agent process\)$/, better: 'lower' },
  { bench: 'dispatch', metric: /^tasks\/s, 1 slot \(agent process\)$/, better: 'higher' },
  { bench: 'dispatch', metric: /^assign→succeeded p50 \(in-process agent\)$/, better: 'lower' },
  { bench: 'throughput', metric: /steady state/, better: 'higher' },
  { bench: 'throughput', metric: /in-process agents/, better: 'higher' },
  { bench: 'store', metric: /^JobStore\.open with 100,000 stored tasks/, better: 'lower' },
  { bench: 'store', metric: /^RSS after JobStore\.open/, better: 'lower' },
  { bench: 'store', metric: /^max event-loop stall.*tasks in order$/, better: 'lower' },
  { bench: 'store', metric: /^max event-loop stall.*tasks scattered$/, better: 'lower' },
];

interface Side {
  label: 'base' | 'head';
  rev: string;
  commit: string;
  dir: string;
  /** metric key → the figure of each round */
  figures: Map<string, number[]>;
  units: Map<string, Row['unit']>;
}

interface Comparison {
  bench: string;
  metric: string;
  unit: Row['unit'];
  better: 'lower' | 'higher';
  base: number[];
  head: number[];
  baseMedian: number;
  headMedian: number;
  /** head ÷ base, of the medians */
  ratio: number;
  /** The median of each round's head ÷ base: the two ran back to back, so a drift of the machine between rounds cancels. What the verdict is on. */
  pairedRatio: number;
  /** The band within which head counts as no worse: the larger of NOISE_BAND and the base's own spread. */
  band: number;
  noWorse: boolean;
}

function git(args: string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function parseArgs(argv: string[]): { base: string; head: string; rounds: number; benches: string[] } {
  let base = '';
  let head = 'HEAD';
  let rounds = 3;
  const benches: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--base') base = argv[++i] ?? '';
    else if (a === '--head') head = argv[++i] ?? '';
    else if (a === '--rounds') rounds = Number(argv[++i]);
    else benches.push(a);
  }
  if (!base) throw new Error('Name the commit to compare against with --base REV (for example --base HEAD~1).');
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9) throw new Error('--rounds takes a whole number from 1 to 9.');
  return { base, head, rounds, benches: benches.length ? benches : DEFAULT_BENCHES };
}

/** A detached worktree of `rev` with this tree's node_modules: the lock files must agree, or the comparison would measure different dependencies. */
function checkOut(label: Side['label'], rev: string, scratch: string): Side {
  const commit = git(['rev-parse', '--verify', `${rev}^{commit}`]);
  const lockDiff = git(['diff', '--stat', commit, '--', 'package-lock.json']);
  if (lockDiff) throw new Error(`${rev} has another package-lock.json than this tree; compare commits with the same dependencies, or run npm ci in a worktree of ${rev} yourself.`);
  const dir = join(scratch, label);
  git(['worktree', 'add', '--detach', '--force', dir, commit]);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { label, rev, commit: commit.slice(0, 7), dir, figures: new Map(), units: new Map() };
}

/** One run of run-all.ts in the side's worktree; its figures are read back from that worktree's latest.json. */
function runOnce(side: Side, benches: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run-all.ts', ...benches], {
      cwd: side.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FARMHAND_MDNS_INTERFACE: '127.0.0.1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`the ${side.label} run (${side.commit}) failed with exit ${code}:\n${output.slice(-2000)}`));
      const results = JSON.parse(readFileSync(join(side.dir, 'bench', 'results', 'latest.json'), 'utf8')) as { benches: Record<string, { rows: Row[] }> };
      for (const name of benches) {
        for (const row of results.benches[name]?.rows ?? []) {
          if (row.measured === null || !WATCHED.some((w) => w.bench === row.bench && w.metric.test(row.metric))) continue;
          const key = `${row.bench}\u0000${row.metric}`;
          side.figures.set(key, [...(side.figures.get(key) ?? []), row.measured]);
          side.units.set(key, row.unit);
        }
      }
      resolve();
    });
  });
}

function compare(base: Side, head: Side): Comparison[] {
  const out: Comparison[] = [];
  for (const [key, baseFigures] of base.figures) {
    const headFigures = head.figures.get(key);
    if (!headFigures) continue;
    const [bench, metric] = key.split('\u0000') as [string, string];
    const better = WATCHED.find((w) => w.bench === bench && w.metric.test(metric))!.better;
    const baseMedian = median(baseFigures);
    const headMedian = median(headFigures);
    const ratio = headMedian / baseMedian;
    const pairedRatio = median(baseFigures.map((b, i) => headFigures[i]! / b));
    const spread = baseFigures.length > 1 ? (Math.max(...baseFigures) - Math.min(...baseFigures)) / baseMedian : 0;
    const band = Math.max(NOISE_BAND, spread);
    const noWorse = better === 'lower' ? pairedRatio <= 1 + band : pairedRatio >= 1 - band;
    out.push({ bench, metric, unit: base.units.get(key)!, better, base: baseFigures, head: headFigures, baseMedian, headMedian, ratio, pairedRatio, band, noWorse });
  }
  return out;
}

function report(base: Side, head: Side, rounds: number, rows: Comparison[]): string {
  const fmt = (v: number, unit: Row['unit']) => formatValue(v, unit);
  const lines = [
    BEGIN,
    '',
    `## Same-run comparison: ${head.commit} (${head.rev}) against ${base.commit} (${base.rev})`,
    '',
    `\`npm run bench:compare\` (bench/compare-commits.ts), ${new Date().toISOString()}: ${rounds} rounds, base and head alternating, each in its own worktree, same machine and session (load average ${loadavg()[0]!.toFixed(2)} at the end). "Paired" = the median over rounds of head ÷ base, each round's two runs back to back (a drift of the machine between rounds cancels). "No worse" = the paired ratio within the noise band (${Math.round(NOISE_BAND * 100)} %, or the base's own round-to-round spread when wider), in the direction that matters.`,
    '',
    `**No worse: ${rows.filter((r) => r.noWorse).length} of ${rows.length}.**`,
    '',
    '| Benchmark | Metric | Base median | Head median | Head ÷ base (medians) | Paired | Better | Band | Result | Rounds (base / head) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.bench} | ${r.metric.replace(/\|/g, '\\|')} | ${fmt(r.baseMedian, r.unit)} | ${fmt(r.headMedian, r.unit)} | ${r.ratio.toFixed(3)} | ${r.pairedRatio.toFixed(3)} | ${r.better} | ±${Math.round(r.band * 100)} % | ${r.noWorse ? '✅ no worse' : '❌ worse'} | ${r.base.map((v) => fmt(v, r.unit)).join(', ')} / ${r.head.map((v) => fmt(v, r.unit)).join(', ')} |`),
    '',
    END,
  ];
  return lines.join('\n');
}

async function writeSection(section: string): Promise<void> {
  const path = join(ROOT, 'BENCHMARKS.md');
  const existing = existsSync(path) ? await readFile(path, 'utf8') : '# Farmhand benchmarks\n';
  const begin = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  // The comparison goes right after the generated table (or replaces the last one).
  let text: string;
  if (begin !== -1 && end > begin) text = existing.slice(0, begin) + section + existing.slice(end + END.length);
  else {
    const anchor = existing.indexOf('<!-- END GENERATED -->');
    const at = anchor === -1 ? existing.length : anchor + '<!-- END GENERATED -->'.length;
    text = `${existing.slice(0, at)}\n\n${section}\n${existing.slice(at)}`;
  }
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

async function main(): Promise<number> {
  const { base: baseRev, head: headRev, rounds, benches } = parseArgs(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), 'farmhand-compare-'));
  const sides: Side[] = [];
  try {
    sides.push(checkOut('base', baseRev, scratch), checkOut('head', headRev, scratch));
    const [base, head] = sides as [Side, Side];
    console.log(`Comparing ${head.commit} (${headRev}) against ${base.commit} (${baseRev}): ${benches.join(', ')}, ${rounds} round(s).`);
    for (let round = 1; round <= rounds; round++) {
      // Alternate who goes first, so a slow drift of the machine favours neither.
      const order = round % 2 === 1 ? [base, head] : [head, base];
      for (const side of order) {
        process.stdout.write(`round ${round}: ${side.label} ${side.commit} … `);
        const t0 = performance.now();
        await runOnce(side, benches);
        console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
    const rows = compare(base, head);
    for (const r of rows) console.log(`${r.noWorse ? 'no worse' : 'WORSE   '}  ${r.bench}: ${r.metric}: ${formatValue(r.baseMedian, r.unit)} → ${formatValue(r.headMedian, r.unit)} (medians ${r.ratio.toFixed(3)}, paired ${r.pairedRatio.toFixed(3)}, ${r.better} is better, band ±${Math.round(r.band * 100)} %)`);
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(join(ROOT, 'bench', 'results', 'compare.json'), `${JSON.stringify({ at: new Date().toISOString(), base: { rev: baseRev, commit: base.commit }, head: { rev: headRev, commit: head.commit }, rounds, rows }, null, 2)}\n`);
    await writeSection(report(base, head, rounds, rows));
    console.log('Wrote bench/results/compare.json and the comparison in BENCHMARKS.md.');
    return rows.length > 0 && rows.every((r) => r.noWorse) ? 0 : 1;
  } finally {
    for (const side of sides) {
      try {
        git(['worktree', 'remove', '--force', side.dir]);
      } catch {
        /* removed with the scratch folder below; `git worktree prune` forgets it */
      }
    }
    rmSync(scratch, { recursive: true, force: true });
    git(['worktree', 'prune']);
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
