// Samples a set of process trees every 500 ms: CPU ticks per pid and PSS per pid and in total.
// CPU of a process = its utime+stime at the last sample minus at the first (pids alive in both);
// PSS = sum of smaps_rollup Pss over the tree at each sample, the peak kept.
import { performance } from 'node:perf_hooks';
import { CLK_TCK, readArgv, readProcTable, readPss, treeOf } from './proc.js';

export const SAMPLE_INTERVAL_MS = 500;

export interface ProcessFigure {
  pid: number;
  label: string;
  cpuS: number;
  /** Share of one core over the window, in percent. */
  corePct: number;
  peakPssMB: number;
  /** Peak of the anonymous part of its PSS (heap and stacks, no shared library pages). */
  peakAnonMB: number;
  peakRssMB: number;
}

export interface TreeFigures {
  wallS: number;
  samples: number;
  cpuS: number;
  peakPssMB: number;
  /** Processes alive at the first and the last sample (these make up cpuS). */
  processes: ProcessFigure[];
  /** Processes that started or ended inside the window: listed, not counted in cpuS. */
  notCounted: string[];
}

interface Seen {
  label: string;
  startTime: number;
  firstTicks: number;
  lastTicks: number;
  firstSample: number;
  lastSample: number;
  peakPssKb: number;
  peakAnonKb: number;
  peakRssKb: number;
}

export type Labeller = (pid: number, comm: string, argv: string[]) => string;

const MB = 1024;

export class TreeSampler {
  private seen = new Map<number, Seen>();
  private timer: NodeJS.Timeout | null = null;
  private count = 0;
  private firstAt = 0;
  private lastAt = 0;
  private peakTreeKb = 0;

  /** `roots` is re-evaluated at every sample; descendants are found through ppid. */
  constructor(
    private readonly roots: () => readonly number[],
    private readonly label: Labeller,
    private readonly withDescendants = true,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
  }

  /** Takes a last sample and returns the figures. */
  stop(): TreeFigures {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const processes: ProcessFigure[] = [];
    const notCounted: string[] = [];
    const wallS = (this.lastAt - this.firstAt) / 1000;
    const last = this.count - 1;
    for (const [pid, s] of this.seen) {
      const cpuS = (s.lastTicks - s.firstTicks) / CLK_TCK;
      if (s.firstSample === 0 && s.lastSample === last) {
        processes.push({ pid, label: s.label, cpuS, corePct: wallS > 0 ? (100 * cpuS) / wallS : 0, peakPssMB: s.peakPssKb / MB, peakAnonMB: s.peakAnonKb / MB, peakRssMB: s.peakRssKb / MB });
      } else {
        notCounted.push(`${s.label} (pid ${pid}, samples ${s.firstSample}-${s.lastSample} of 0-${last}, ${cpuS.toFixed(2)} s)`);
      }
    }
    const cpuS = processes.reduce((sum, p) => sum + p.cpuS, 0);
    return { wallS, samples: this.count, cpuS, peakPssMB: this.peakTreeKb / MB, processes, notCounted };
  }

  private sample(): void {
    const at = performance.now();
    const table = readProcTable();
    const roots = this.roots();
    const pids = this.withDescendants ? treeOf(table, roots) : roots.filter((p) => table.has(p));
    const index = this.count++;
    if (index === 0) this.firstAt = at;
    this.lastAt = at;
    let treeKb = 0;
    for (const pid of pids) {
      const stat = table.get(pid)!;
      const pss = readPss(pid);
      treeKb += pss.totalKb;
      let s = this.seen.get(pid);
      if (s && s.startTime !== stat.startTime) {
        // The pid was reused: keep the old one under a key of its own.
        this.seen.set(-pid * 1000 - index, s);
        s = undefined;
      }
      if (!s) {
        s = { label: this.label(pid, stat.comm, readArgv(pid)), startTime: stat.startTime, firstTicks: stat.ticks, lastTicks: stat.ticks, firstSample: index, lastSample: index, peakPssKb: 0, peakAnonKb: 0, peakRssKb: 0 };
        this.seen.set(pid, s);
      }
      s.lastTicks = stat.ticks;
      s.lastSample = index;
      s.peakPssKb = Math.max(s.peakPssKb, pss.totalKb);
      s.peakAnonKb = Math.max(s.peakAnonKb, pss.anonKb);
      s.peakRssKb = Math.max(s.peakRssKb, pss.rssKb);
    }
    this.peakTreeKb = Math.max(this.peakTreeKb, treeKb);
  }
}

/** "ffmpeg libmp3lame 128k", "arecord", "node"; an ffmpeg writing to Icecast gets " -> /mount". */
export function describeProcess(comm: string, argv: string[]): string {
  if (comm !== 'ffmpeg') return comm;
  const after = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = argv[argv.length - 1] ?? '';
  const where = out.startsWith('icecast://') ? ` -> ${new URL(out).pathname}` : '';
  return `ffmpeg ${after('-c:a') ?? '?'} ${after('-b:a') ?? after('-q:a') ?? ''}${where}`.trim();
}
