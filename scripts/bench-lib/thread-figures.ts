// Where one process's CPU goes, thread by thread, and how often it wakes and how many bytes pass through
// it: read from /proc at the start and the end of a window. For the engine's Node: its main thread ("node"),
// the audio worker, libuv's pool and V8's GC/compiler threads each get their line.
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CLK_TCK, parseStat } from './proc.js';

interface ThreadReading {
  comm: string;
  ticks: number;
  /** voluntary + nonvoluntary context switches: each voluntary one is a sleep that ended in a wake-up. */
  switches: number;
  voluntary: number;
}

export interface ProcessReading {
  pid: number;
  atMs: number;
  threads: Map<number, ThreadReading>;
  /** /proc/PID/io: bytes through read()/write() (and send/recv), any fd. */
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
}

export interface ThreadFigure {
  /** The thread's name, with its tid when several share it. */
  name: string;
  cpuS: number;
  corePct: number;
  wakeupsPerS: number;
}

export interface ProcessDetail {
  threads: ThreadFigure[];
  wakeupsPerS: number;
  readKBps: number;
  writtenKBps: number;
  readsPerS: number;
  writesPerS: number;
}

function field(text: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

export function readProcess(pid: number): ProcessReading | null {
  const threads = new Map<number, ThreadReading>();
  let io = '';
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
        const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        if (!stat) continue;
        const voluntary = field(status, 'voluntary_ctxt_switches');
        threads.set(Number(tid), { comm: stat.comm, ticks: stat.ticks, voluntary, switches: voluntary + field(status, 'nonvoluntary_ctxt_switches') });
      } catch {
        /* the thread ended */
      }
    }
    io = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return null;
  }
  return { pid, atMs: performance.now(), threads, rchar: field(io, 'rchar'), wchar: field(io, 'wchar'), syscr: field(io, 'syscr'), syscw: field(io, 'syscw') };
}

/** Threads alive at both readings; a thread's wake-ups are its voluntary switches (each ends a sleep). */
export function processDetail(a: ProcessReading, b: ProcessReading): ProcessDetail {
  const wallS = (b.atMs - a.atMs) / 1000;
  const per = (n: number): number => (wallS > 0 ? n / wallS : 0);
  const names = new Map<string, number>();
  for (const t of b.threads.values()) names.set(t.comm, (names.get(t.comm) ?? 0) + 1);
  const threads: ThreadFigure[] = [];
  let wakeups = 0;
  for (const [tid, end] of b.threads) {
    const start = a.threads.get(tid);
    if (!start) continue;
    const cpuS = (end.ticks - start.ticks) / CLK_TCK;
    const w = end.voluntary - start.voluntary;
    wakeups += w;
    const name = tid === b.pid ? `${end.comm} main thread` : (names.get(end.comm) ?? 0) > 1 ? `${end.comm} (tid ${tid})` : end.comm;
    threads.push({ name, cpuS, corePct: wallS > 0 ? (100 * cpuS) / wallS : 0, wakeupsPerS: per(w) });
  }
  threads.sort((x, y) => y.cpuS - x.cpuS || y.wakeupsPerS - x.wakeupsPerS);
  return {
    threads,
    wakeupsPerS: per(wakeups),
    readKBps: per(b.rchar - a.rchar) / 1000,
    writtenKBps: per(b.wchar - a.wchar) / 1000,
    readsPerS: per(b.syscr - a.syscr),
    writesPerS: per(b.syscw - a.syscw),
  };
}
