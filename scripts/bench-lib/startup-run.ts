// The start-up figures of scripts/bench --peers: how long the engine takes to answer /api/health, what its
// Node holds then with no encoder, and which modules it has loaded by then (module-count.mjs, preloaded in
// this run only: its hooks thread would be in the figures of a measured run).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep, stopChild } from '../../test/harness/util.js';
import { launchEngine } from './engine-run.js';
import type { RunContext } from './common.js';
import { readPss } from './proc.js';

export interface StartupFigures {
  healthMs: number;
  /** Node's PSS and RSS 3 s after it answered, with no encoder (the next run's figures, not this one's: see below). */
  idlePssMB: number;
  idleRssMB: number;
  /** Per thread (the main thread, then the audio worker): modules loaded, and by where they come from. */
  threads: Array<{ thread: string; modules: number; bySource: Array<{ source: string; count: number }> }>;
}

function sourceOf(url: string): string {
  if (url.startsWith('node:')) return 'node: built-ins';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes('/dist/')) return 'dist (RackCast)';
  return url.startsWith('file:') ? 'other files' : url;
}

/** `bin`: another build's bin/rackcast.js (the --base-bin build) instead of this tree's. */
export async function runStartup(ctx: RunContext, bin?: string): Promise<StartupFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-bench-startup-'));
  const file = join(dir, 'modules.txt');
  const hook = new URL('./module-count.mjs', import.meta.url).pathname;
  const t0 = performance.now();
  // The idle memory is read from a plain start (no hooks thread), the modules from a second one.
  const plain = await launchEngine(ctx, { bin });
  const healthMs = performance.now() - t0;
  await sleep(3000);
  const pss = readPss(plain.pid);
  await stopChild(plain.child, 10_000);
  const counted = await launchEngine(ctx, { bin, nodeArgs: ['--import', hook], env: { RACKCAST_BENCH_MODULES: file } });
  await sleep(3000);
  await stopChild(counted.child, 10_000);
  const threads: StartupFigures['threads'] = [];
  // One list per thread id: 0 is the main thread; the loader hooks' own thread is 1, so the audio worker is 2.
  const lists = readdirSync(dir).filter((f) => f.startsWith('modules.txt.')).map((f) => Number(f.slice('modules.txt.'.length))).sort((a, b) => a - b);
  if (!lists.length) ctx.log(`startup: no module list written to ${dir}`);
  for (const id of lists) {
    const thread = id === 0 ? 'main thread' : `worker thread ${id} (the audio worker)`;
    const urls = readFileSync(`${file}.${id}`, 'utf8').split('\n').filter(Boolean);
    const counts = new Map<string, number>();
    for (const u of urls) counts.set(sourceOf(u), (counts.get(sourceOf(u)) ?? 0) + 1);
    const bySource = [...counts.entries()].map(([source, count]) => ({ source, count })).sort((a, b) => b.count - a.count);
    threads.push({ thread, modules: urls.length, bySource });
  }
  return { healthMs, idlePssMB: pss.totalKb / 1024, idleRssMB: pss.rssKb / 1024, threads };
}
