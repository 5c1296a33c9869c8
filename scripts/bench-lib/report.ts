// Turns the two runs into the printed table (or one JSON object) with the ratios against the targets.
import type { RunResult } from './common.js';
import type { ProcessFigure } from './sampler.js';
import type { ProfileSummary } from './cpuprofile.js';
import { CLK_TCK } from './proc.js';
import { SAMPLE_INTERVAL_MS } from './sampler.js';

export const TARGETS = { cpuRatio: 1.1, nodeCorePct: 1, pssExtraMB: 50 } as const;

export interface BenchReport {
  seconds: number;
  encoders: string[];
  engine?: RunResult;
  /** The engine again, with the same encoders on the Liquidsoap backend (--liquidsoap). */
  liquidsoap?: RunResult;
  pipeline?: RunResult;
  profile?: { file: string; summary: ProfileSummary };
}

type Verdict = 'PASS' | 'MISS';

export interface Figures {
  cpuRatio: number | null;
  cpuVerdict: Verdict | null;
  node: ProcessFigure | null;
  nodeVerdict: Verdict | null;
  pssExtraMB: number | null;
  pssVerdict: Verdict | null;
}

const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');

export function figures(r: BenchReport): Figures {
  const e = r.engine?.tree;
  const p = r.pipeline?.tree;
  const node = e?.processes.find((x) => x.label === 'node (engine)') ?? null;
  const cpuRatio = e && p && p.cpuS > 0 ? e.cpuS / p.cpuS : null;
  const pssExtraMB = e && p ? e.peakPssMB - p.peakPssMB : null;
  return {
    cpuRatio,
    cpuVerdict: cpuRatio === null ? null : verdict(cpuRatio <= TARGETS.cpuRatio),
    node,
    nodeVerdict: node ? verdict(node.corePct <= TARGETS.nodeCorePct) : null,
    pssExtraMB,
    pssVerdict: pssExtraMB === null ? null : verdict(pssExtraMB <= TARGETS.pssExtraMB),
  };
}

export function methodLines(seconds: number): string[] {
  return [
    `method: each run is measured for ${seconds} s once its 3 streams are live on Icecast (+3 s settle). Every ${SAMPLE_INTERVAL_MS} ms the tree is read from /proc:`,
    `  engine = its Node pid + all descendants (by ppid), pipeline = arecord, tee, 3 ffmpeg. CPU = utime+stime (/proc/PID/stat, ${CLK_TCK} ticks/s) at the last`,
    '  sample minus the first, over processes alive in both; PSS = sum of Pss (/proc/PID/smaps_rollup) per sample, peak kept. pulseaudio, pacat, icecast2 serve both runs: not counted.',
  ];
}

export function toJson(r: BenchReport): string {
  const f = figures(r);
  return JSON.stringify(
    {
      bench: 'rackcast',
      seconds: r.seconds,
      format: { sample_rate: 48000, channels: 2, sample_format: 'S16_LE' },
      encoders: r.encoders,
      targets: TARGETS,
      engine: r.engine ?? null,
      liquidsoap: r.liquidsoap ?? null,
      pipeline: r.pipeline ?? null,
      result: {
        cpu_ratio: f.cpuRatio,
        cpu: f.cpuVerdict,
        node_cpu_s: f.node?.cpuS ?? null,
        node_core_pct: f.node?.corePct ?? null,
        node: f.nodeVerdict,
        pss_extra_mb: f.pssExtraMB,
        pss: f.pssVerdict,
      },
      profile: r.profile ?? null,
      method: methodLines(r.seconds).map((l) => l.trim()).join(' '),
    },
    null,
    2,
  );
}

const col = (text: string, width: number): string => text.padEnd(width);
const s = (n: number | undefined, digits = 2): string => (n === undefined ? '-' : `${n.toFixed(digits)} s`);
const mb = (n: number | undefined): string => (n === undefined ? '-' : `${n.toFixed(1)} MB`);

export function toText(r: BenchReport): string {
  const f = figures(r);
  const e = r.engine;
  const p = r.pipeline;
  const lines: string[] = [];
  lines.push(`RackCast bench: 3 encoders (${r.encoders.join(', ')}), 48 kHz stereo, ${r.seconds} s each`);
  lines.push(`${col('', 25)}${col('engine', 14)}${col('pipeline', 14)}ratio/target`);
  const cpuJudged = f.cpuRatio === null ? 'n/a' : `${f.cpuRatio.toFixed(2)}x (<= ${TARGETS.cpuRatio.toFixed(2)}x)  ${f.cpuVerdict}`;
  lines.push(`${col('CPU s (tree)', 25)}${col(s(e?.tree.cpuS), 14)}${col(s(p?.tree.cpuS), 14)}${cpuJudged}`);
  const nodeText = f.node ? `${f.node.cpuS.toFixed(2)} s = ${f.node.corePct.toFixed(2)} % of a core` : '-';
  lines.push(`${col('Node CPU', 25)}${col(nodeText, 28)}(<= ${TARGETS.nodeCorePct} %)  ${f.nodeVerdict ?? 'n/a'}`);
  const pssJudged = f.pssExtraMB === null ? 'n/a' : `${f.pssExtraMB >= 0 ? '+' : ''}${f.pssExtraMB.toFixed(1)} MB (<= +${TARGETS.pssExtraMB} MB)  ${f.pssVerdict}`;
  lines.push(`${col('peak PSS (tree)', 25)}${col(mb(e?.tree.peakPssMB), 14)}${col(mb(p?.tree.peakPssMB), 14)}${pssJudged}`);
  lines.push(`${col('peak PSS (Node alone)', 25)}${mb(f.node?.peakPssMB)} (anon ${mb(f.node?.peakAnonMB)}, RSS ${mb(f.node?.peakRssMB)})`);
  lines.push(`${' '.repeat(25)}(PSS splits the node binary's file pages with every other node process, the bench's own included)`);
  const l = r.liquidsoap;
  if (l) {
    const vsPipeline = p && p.tree.cpuS > 0 ? `${(l.tree.cpuS / p.tree.cpuS).toFixed(2)}x the pipeline` : '';
    const vsEngine = e && e.tree.cpuS > 0 ? `${(l.tree.cpuS / e.tree.cpuS).toFixed(2)}x the ffmpeg engine` : '';
    lines.push(`${col('Liquidsoap backend', 25)}CPU ${s(l.tree.cpuS)} (${[vsPipeline, vsEngine].filter(Boolean).join(', ')}), peak PSS ${mb(l.tree.peakPssMB)}`);
  }
  lines.push(`${col('window (wall)', 25)}${col(s(e?.tree.wallS, 1), 14)}${col(s(p?.tree.wallS, 1), 14)}${e?.tree.samples ?? 0} / ${p?.tree.samples ?? 0} samples`);
  lines.push('');
  lines.push(`per process${' '.repeat(38)}CPU s   % core   peak PSS (anon)`);
  for (const run of [e, l, p]) {
    for (const x of run?.tree.processes ?? []) {
      lines.push(`  ${col(run?.run ?? '', 11)}${col(x.label, 36)}${x.cpuS.toFixed(2).padStart(6)}  ${x.corePct.toFixed(2).padStart(6)}  ${mb(x.peakPssMB).padStart(9)} (${mb(x.peakAnonMB)})`);
    }
  }
  const sharedNames = [...new Set([...(e?.shared.processes ?? []), ...(p?.shared.processes ?? [])].map((x) => x.label))];
  const sharedCpu = (run: RunResult | undefined, name: string): string =>
    run ? run.shared.processes.filter((x) => x.label === name).reduce((t, x) => t + x.cpuS, 0).toFixed(2) : '-';
  lines.push(`  not counted, serving both runs (CPU s engine run / pipeline run): ${sharedNames.map((n) => `${n} ${sharedCpu(e, n)} / ${sharedCpu(p, n)}`).join(', ')}`);
  lines.push('');
  const rates = [...(e?.mounts ?? []), ...(l?.mounts ?? []), ...(p?.mounts ?? [])].map((m) => `${m.mount} ${Number.isNaN(m.kbps) ? '?' : m.kbps.toFixed(1)}`);
  lines.push(`into Icecast (kbit/s, from its total_bytes_read): ${rates.join('  ')}`);
  for (const run of [e, l, p]) for (const c of run?.checks ?? []) lines.push(`${run?.run}: ${c}`);
  const problems = [...(e?.problems ?? []), ...(l?.problems ?? []), ...(p?.problems ?? [])];
  for (const x of problems) lines.push(`WARNING: ${x}`);
  if (r.profile) {
    const { summary, file } = r.profile;
    const entry = (t: { corePct: number; busyPct: number; ms: number; name: string }): string =>
      `  ${t.corePct.toFixed(2).padStart(5)} % of a core  ${t.busyPct.toFixed(1).padStart(5)} % of busy  ${t.ms.toFixed(0).padStart(5)} ms  ${t.name}`;
    lines.push('');
    lines.push(`engine CPU profile ${file}: main thread only, the measured window only; the profiler's own cost is in the figures above`);
    lines.push(`  main thread busy ${summary.busyMs.toFixed(0)} ms of ${summary.windowMs.toFixed(0)} ms = ${((100 * summary.busyMs) / summary.windowMs).toFixed(2)} % of a core. Top self time:`);
    for (const t of summary.selfTop) lines.push(entry(t));
    lines.push('  by innermost engine function on the stack (its callees, native writes included):');
    for (const t of summary.byEngineFunction) lines.push(entry(t));
  }
  lines.push('');
  lines.push(...methodLines(r.seconds));
  return lines.join('\n');
}
