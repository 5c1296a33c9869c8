// The table of scripts/bench --peers: each system's CPU, ratio to the floor, peak PSS and latency, every round
// shown beside the median so drift on a shared machine is visible; then where the engine's share goes, its
// start-up, the scale run and the goals.
import type { RunResult } from './common.js';
import type { ScaleResult } from './scale-run.js';
import type { StartupFigures } from './startup-run.js';
import { ENCODERS } from './common.js';
import { TARGETS } from './report.js';

/** The issue's latency goal: what the engine adds to the floor's capture-to-listener latency, MP3 128k. */
export const LATENCY_TARGET_MS = 250;
/** Icecast's default <burst-size> (Debian's icecast.xml and the test harness). */
export const DEFAULT_BURST_BYTES = 65535;

export interface PeerRun {
  system: string;
  round: number;
  result?: RunResult;
  error?: string;
  loadBefore: string;
  loadAfter: string;
}

export interface PeersReport {
  seconds: number;
  rounds: number;
  machine: { cores: number; cpu: string; loadBefore: string; loadAfter: string };
  engineNodeArgs: string[];
  runs: PeerRun[];
  startup?: StartupFigures;
  /** The same for the --base-bin build. */
  baseStartup?: StartupFigures;
  scale?: ScaleResult;
  scaleLoad?: { before: string; after: string };
}

export interface SystemRow {
  system: string;
  /** CPU s per 60 s of each round (in round order), and their median. */
  cpuPer60: number[];
  cpu: number | null;
  /** Median over rounds of this round's CPU / the same round's floor CPU. */
  ratio: number | null;
  ratios: number[];
  peakPssMB: number[];
  pss: number | null;
  pssOverFloorMB: number | null;
  latencyMs: number[];
  latency: number | null;
  /** Median over rounds of this round's latency − the floor's. */
  addedLatencyMs: number | null;
  errors: string[];
}

export function median(xs: readonly number[]): number | null {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

const per60 = (r: RunResult): number => (r.tree.wallS > 0 ? (r.tree.cpuS * 60) / r.tree.wallS : NaN);

export function systemRows(report: PeersReport): SystemRow[] {
  const systems = [...new Set(report.runs.map((r) => r.system))];
  const floorOf = (round: number): RunResult | undefined => report.runs.find((r) => r.system === 'floor' && r.round === round)?.result;
  return systems.map((system) => {
    const runs = report.runs.filter((r) => r.system === system).sort((a, b) => a.round - b.round);
    const ok = runs.filter((r): r is PeerRun & { result: RunResult } => r.result !== undefined);
    const cpuPer60 = ok.map((r) => per60(r.result));
    const ratios: number[] = [];
    const pssOver: number[] = [];
    const added: number[] = [];
    for (const r of ok) {
      const f = floorOf(r.round);
      if (!f) continue;
      ratios.push(per60(r.result) / per60(f));
      pssOver.push(r.result.tree.peakPssMB - f.tree.peakPssMB);
      const a = r.result.latency?.medianMs;
      const b = f.latency?.medianMs;
      if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b)) added.push(a - b);
    }
    const latencyMs = ok.map((r) => r.result.latency?.medianMs ?? NaN);
    return {
      system,
      cpuPer60,
      cpu: median(cpuPer60),
      ratio: median(ratios),
      ratios,
      peakPssMB: ok.map((r) => r.result.tree.peakPssMB),
      pss: median(ok.map((r) => r.result.tree.peakPssMB)),
      pssOverFloorMB: median(pssOver),
      latencyMs,
      latency: median(latencyMs),
      addedLatencyMs: median(added),
      errors: runs.filter((r) => r.error).map((r) => `round ${r.round + 1}: ${r.error}`),
    };
  });
}

const f1 = (n: number | null | undefined, d = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
const list = (xs: number[], d = 2): string => xs.map((x) => f1(x, d)).join(' ');
const col = (text: string, width: number): string => text.padEnd(width);

export interface Goal {
  what: string;
  value: string;
  met: boolean | null;
}

export function goals(report: PeersReport): Goal[] {
  const rows = systemRows(report);
  const engine = rows.find((r) => r.system === 'engine');
  const nodePcts = report.runs.filter((r) => r.system === 'engine' && r.result).map((r) => r.result!.tree.processes.find((p) => p.label === 'node (engine)')?.corePct ?? NaN);
  const nodePct = median(nodePcts);
  const s = report.scale;
  const judged = (v: number | null | undefined, ok: (v: number) => boolean): boolean | null => (v === null || v === undefined ? null : ok(v));
  return [
    { what: `engine tree CPU <= ${TARGETS.cpuRatio.toFixed(2)}x the floor`, value: `${f1(engine?.ratio)}x`, met: judged(engine?.ratio, (v) => v <= TARGETS.cpuRatio) },
    { what: `engine peak PSS <= floor + ${TARGETS.pssExtraMB} MB`, value: `+${f1(engine?.pssOverFloorMB, 1)} MB`, met: judged(engine?.pssOverFloorMB, (v) => v <= TARGETS.pssExtraMB) },
    { what: `Node's own CPU <= ${TARGETS.nodeCorePct} % of a core`, value: `${f1(nodePct)} % (${list(nodePcts)})`, met: judged(nodePct, (v) => v <= TARGETS.nodeCorePct) },
    { what: `added latency, MP3 128k, <= ${LATENCY_TARGET_MS} ms`, value: `${f1(engine?.addedLatencyMs, 0)} ms`, met: judged(engine?.addedLatencyMs, (v) => v <= LATENCY_TARGET_MS) },
    {
      what: `scale: ${s ? `${s.seconds} s` : 'not run'}, no overrun, no drop, every mount on air`,
      value: s ? `${s.captureOverruns} overruns, ${s.queueDropMs} ms dropped, ${s.offAir.length} off-air checks of ${s.checks}` : '-',
      met: s ? s.problems.length === 0 : null,
    },
  ];
}

export function peersText(report: PeersReport): string {
  const rows = systemRows(report);
  const lines: string[] = [];
  const m = report.machine;
  lines.push(`RackCast peers bench, W3: ${ENCODERS.map((e) => e.title).join(', ')} to a local Icecast 2.4.4, 48 kHz stereo S16 from a real-time ALSA PCM`);
  lines.push(`${report.seconds} s per system and round, ${report.rounds} rounds in rotated order; ${m.cores} cores (${m.cpu}); load average ${m.loadBefore} before, ${m.loadAfter} after`);
  if (report.engineNodeArgs.length) lines.push(`engine's extra Node flags: ${report.engineNodeArgs.join(' ')}`);
  lines.push('');
  const head = [col('system', 18), col('CPU s/60 s', 11), col('(rounds)', 14), col('x floor', 8), col('(rounds)', 12), col('peak PSS', 10), col('vs floor', 10), col('latency', 9), col('(rounds)', 11), 'added'];
  lines.push(head.join(''));
  for (const r of rows) {
    lines.push([
      col(r.system, 18), col(f1(r.cpu), 11), col(list(r.cpuPer60), 14), col(f1(r.ratio), 8), col(list(r.ratios), 12),
      col(`${f1(r.pss, 1)} MB`, 10), col(r.system === 'floor' ? '' : `${r.pssOverFloorMB !== null && r.pssOverFloorMB >= 0 ? '+' : ''}${f1(r.pssOverFloorMB, 1)}`, 10),
      col(`${f1(r.latency, 0)} ms`, 9), col(list(r.latencyMs, 0), 11), r.system === 'floor' ? '' : `${f1(r.addedLatencyMs, 0)} ms`,
    ].join(''));
    for (const e of r.errors) lines.push(`  FAILED ${e}`);
  }
  lines.push('');
  lines.push('CPU = user+sys of the whole process tree over the window, per 60 s; PSS = the tree\'s peak (median of the rounds);');
  lines.push('latency = a click played into the capture, read by a reference arecord on the same PCM, then heard by a listener decoding');
  lines.push(`the MP3 128k mount (median of about 4 clicks); "added" = minus the floor's in the same round. Icecast runs with burst-size 0:`);
  const burst = ENCODERS.map((e) => `${e.title} ${((DEFAULT_BURST_BYTES * 8) / (e.bitrateKbps * 1000)).toFixed(1)} s`).join(', ');
  lines.push(`its default burst (${DEFAULT_BURST_BYTES} bytes) adds, for a listener, the burst's length in audio on top: ${burst} (at the nominal rate).`);

  lines.push('');
  lines.push('per round, load average before -> after each run:');
  for (const r of report.runs) lines.push(`  round ${r.round + 1} ${col(r.system, 18)} ${r.loadBefore} -> ${r.loadAfter}`);

  const engineRuns = report.runs.filter((r) => (r.system === 'engine' || r.system === 'engine-base' || r.system === 'liquidsoap') && r.result);
  lines.push('');
  lines.push('per process (last round)                           CPU s   % core   peak PSS (anon)');
  const lastRound = Math.max(...report.runs.map((r) => r.round));
  for (const run of report.runs.filter((r) => r.round === lastRound && r.result)) {
    for (const p of run.result!.tree.processes) {
      lines.push(`  ${col(run.system, 17)}${col(p.label, 33)}${p.cpuS.toFixed(2).padStart(6)}  ${p.corePct.toFixed(2).padStart(6)}  ${`${p.peakPssMB.toFixed(1)} MB`.padStart(9)} (${p.peakAnonMB.toFixed(1)} MB)`);
    }
  }
  for (const run of engineRuns.filter((r) => r.result!.nodeDetail)) {
    const d = run.result!.nodeDetail!;
    lines.push(`  ${run.system} round ${run.round + 1}, the engine's Node: ${d.wakeupsPerS.toFixed(0)} wake-ups/s; read ${d.readKBps.toFixed(0)} kB/s in ${d.readsPerS.toFixed(0)} reads/s, wrote ${d.writtenKBps.toFixed(0)} kB/s in ${d.writesPerS.toFixed(0)} writes/s`);
    for (const t of d.threads.filter((t) => t.cpuS > 0 || t.wakeupsPerS >= 1)) {
      lines.push(`      ${col(t.name, 30)}${t.cpuS.toFixed(2).padStart(6)} s  ${t.corePct.toFixed(2).padStart(5)} % of a core  ${t.wakeupsPerS.toFixed(0).padStart(5)} wake-ups/s`);
    }
  }
  for (const [which, st] of [['engine', report.startup], ['engine-base', report.baseStartup]] as const) {
    if (!st) continue;
    lines.push('');
    lines.push(`${which} start-up: /api/health after ${st.healthMs.toFixed(0)} ms; idle (no encoder) Node PSS ${st.idlePssMB.toFixed(1)} MB, RSS ${st.idleRssMB.toFixed(1)} MB;`);
    for (const t of st.threads) {
      lines.push(`  ${t.thread}: ${t.modules} modules loaded 3 s after start: ${t.bySource.slice(0, 14).map((s) => `${s.source} ${s.count}`).join(', ')}${t.bySource.length > 14 ? ', …' : ''}`);
    }
  }
  const s = report.scale;
  if (s) {
    lines.push('');
    lines.push(`scale run: ${s.seconds} s, 16 encoders (4 each MP3, AAC, Vorbis, Opus) + a WAV recording; load average ${report.scaleLoad?.before} -> ${report.scaleLoad?.after}`);
    const node = s.tree.processes.find((p) => p.label === 'node (engine)');
    lines.push(`  tree CPU ${s.tree.cpuS.toFixed(1)} s = ${((100 * s.tree.cpuS) / Math.max(s.tree.wallS, 1)).toFixed(1)} % of a core; Node ${node ? `${node.corePct.toFixed(2)} %` : '-'}; peak PSS ${s.tree.peakPssMB.toFixed(0)} MB`);
    lines.push(`  capture overruns ${s.captureOverruns}, capture restarts ${s.captureRestarts}, queue drops ${s.queueDropMs} ms, encoder restarts ${s.processRestarts}, mounts checked ${s.checks} times: ${s.offAir.length === 0 ? 'all 16 on air every time' : `off air: ${s.offAir.slice(0, 6).join(', ')}`}`);
    lines.push(`  WAV recording wrote ${s.recordingRatio === null ? '?' : s.recordingRatio.toFixed(4)}x the audio the capture delivered in the window`);
  }
  lines.push('');
  lines.push('goals:');
  for (const g of goals(report)) lines.push(`  ${g.met === null ? 'n/a ' : g.met ? 'MET ' : 'MISS'}  ${col(g.what, 58)}${g.value}`);
  const problems = [...report.runs.flatMap((r) => r.result?.problems ?? []), ...(report.scale?.problems ?? [])];
  for (const p of problems) lines.push(`WARNING: ${p}`);
  return lines.join('\n');
}

export function peersJson(report: PeersReport): string {
  return JSON.stringify({ bench: 'rackcast-peers', ...report, rows: systemRows(report), goals: goals(report) }, null, 2);
}
