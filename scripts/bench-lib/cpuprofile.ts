// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the main thread spent its time inside a
// window: by function (self time), and by the innermost engine function (dist/) on the stack, which
// charges native work (writes, GC triggered there) to the engine code path that caused it.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface TimeEntry {
  name: string;
  ms: number;
  /** Percent of the window's wall time (of one core). */
  corePct: number;
  /** Percent of the busy (non-idle) main-thread time. */
  busyPct: number;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  selfTop: TimeEntry[];
  byEngineFunction: TimeEntry[];
}

/** Offsets from the start of the profile (≈ the process start). */
export interface ProfileWindow {
  startMs: number;
  endMs: number;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist|src)\//, '$1/');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

export function summarizeProfile(path: string, window: ProfileWindow | null, limit = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const engineFrame = (id: number): string => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n && n.callFrame.url.includes('/dist/')) return frameName(n);
    }
    return '(no engine frame: node internals, GC, event loop)';
  };
  const self = new Map<string, number>();
  const engine = new Map<string, number>();
  let busyUs = 0;
  let atUs = 0;
  const fromUs = (window?.startMs ?? 0) * 1000;
  const toUs = window ? window.endMs * 1000 : Infinity;
  profile.samples.forEach((id, i) => {
    atUs += profile.timeDeltas[i] ?? 0;
    // The interval up to the next sample belongs to this one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id);
    if (!node || atUs < fromUs || atUs >= toUs || node.callFrame.functionName === '(idle)') return;
    busyUs += us;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + us);
    const owner = engineFrame(id);
    engine.set(owner, (engine.get(owner) ?? 0) + us);
  });
  const windowUs = Math.min(toUs, profile.endTime - profile.startTime) - fromUs;
  const top = (m: Map<string, number>): TimeEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: us / 1000, corePct: (100 * us) / windowUs, busyPct: busyUs > 0 ? (100 * us) / busyUs : 0 }));
  return { windowMs: windowUs / 1000, busyMs: busyUs / 1000, selfTop: top(self), byEngineFunction: top(engine) };
}
