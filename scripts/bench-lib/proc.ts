// /proc readers for the benchmark: the process table (ppid, CPU ticks), a process tree, PSS from
// smaps_rollup, argv, and the pipe inodes a process has open. Linux only, read-only.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in clock ticks (all threads). */
  ticks: number;
  /** Start time after boot in clock ticks: tells a reused pid from the original. */
  startTime: number;
}

/** Clock ticks per second (`getconf CLK_TCK`, 100 on every Linux we run on). */
export const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** Parses /proc/<pid>/stat; comm may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Fields from 3 (state) on; field n of proc(5) is rest[n - 3].
  const rest = text.slice(close + 2).split(' ');
  const num = (field: number): number => Number(rest[field - 3] ?? NaN);
  const stat = { pid, ppid: num(4), comm: text.slice(open + 1, close), ticks: num(14) + num(15), startTime: num(22) };
  return Number.isFinite(stat.ppid) && Number.isFinite(stat.ticks) ? stat : null;
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // gone between readdir and read
  }
}

/** Every process on the machine, by pid. */
export function readProcTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) table.set(stat.pid, stat);
  }
  return table;
}

/** `roots` (those still alive) and all their descendants. */
export function treeOf(table: Map<number, ProcStat>, roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const s of table.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: number[] = [];
  const todo = roots.filter((pid) => table.has(pid));
  const seen = new Set<number>();
  while (todo.length) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Descendants of `pid` (not itself), from a fresh scan. */
export function descendantsOf(pid: number): number[] {
  return treeOf(readProcTable(), [pid]).filter((p) => p !== pid);
}

export interface Pss {
  /** Proportional set size in kB (0 when the process is gone or unreadable). */
  totalKb: number;
  /** Its anonymous part (heap, stacks): private to the process, unlike shared library pages. */
  anonKb: number;
  /** Resident set: every resident page counted in full, shared or not. */
  rssKb: number;
}

export function readPss(pid: number): Pss {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { totalKb: field('Pss'), anonKb: field('Pss_Anon'), rssKb: field('Rss') };
  } catch {
    return { totalKb: 0, anonKb: 0, rssKb: 0 };
  }
}

export function readArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}

/**
 * What the given fds of `pid` (all of them when omitted) point at, for pipes and sockets only:
 * "pipe:[123]" or "socket:[456]". (libuv's stdio "pipes" are AF_UNIX socketpairs.)
 */
export function streamLinks(pid: number | 'self', fds?: readonly number[]): Set<string> {
  const out = new Set<string>();
  let names: string[];
  try {
    names = fds ? fds.map(String) : readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of names) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (/^(pipe|socket):\[\d+\]$/.test(link)) out.add(link);
    } catch {
      /* fd closed meanwhile */
    }
  }
  return out;
}

/** Direct children of `pid` whose command name is one of `comms`. */
export function childrenNamed(pid: number, comms: readonly string[]): number[] {
  return [...readProcTable().values()].filter((s) => s.ppid === pid && comms.includes(s.comm)).map((s) => s.pid);
}
