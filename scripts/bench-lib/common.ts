// What both benchmark runs share: the three encoders, the PCM format, and a precise reading of
// how many bytes Icecast received per mount (its counters only move every 5 s, so a reading
// waits for the next move and notes when it happened).
import { performance } from 'node:perf_hooks';
import type { IcecastServer } from '../../test/harness/icecast.js';
import type { PulseServer } from '../../test/harness/pulse.js';
import { httpGet, sleep } from '../../test/harness/util.js';
import { codecInfo } from '../../src/engine/stream/codecs.js';
import type { Codec, PcmFormat } from '../../src/engine/types.js';
import type { TreeFigures } from './sampler.js';
import type { ProcessDetail } from './thread-figures.js';

export const FORMAT: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };

export interface BenchEncoder {
  title: string;
  codec: Extract<Codec, 'mp3' | 'ogg'>;
  bitrateKbps: number;
}

export const ENCODERS: readonly BenchEncoder[] = [
  { title: 'MP3 128k', codec: 'mp3', bitrateKbps: 128 },
  { title: 'Vorbis 64k', codec: 'ogg', bitrateKbps: 64 },
  { title: 'MP3 320k', codec: 'mp3', bitrateKbps: 320 },
];

/**
 * The engine with ffmpeg encoders, the engine with Liquidsoap encoders, the pipeline with the engine's ffmpeg
 * flags; and for --peers: the bare-tools floor (plain ffmpeg flags), Darkice, and Liquidsoap on its own.
 */
export type RunName = 'engine' | 'liquidsoap' | 'pipeline' | 'floor' | 'darkice' | 'liquidsoap-alone' | 'engine-base';

const MOUNT_PREFIX: Record<RunName, string> = { engine: 'e', liquidsoap: 'l', pipeline: 'p', floor: 'f', darkice: 'd', 'liquidsoap-alone': 's', 'engine-base': 'b' };

/** /e128.mp3 for the engine, /l128.mp3 for the engine on Liquidsoap, /p128.mp3 for the pipeline, and so on. */
export function mountFor(run: RunName, e: BenchEncoder): string {
  return `/${MOUNT_PREFIX[run]}${e.bitrateKbps}.${codecInfo(e.codec).fileExtension}`;
}

export function contentTypeOf(e: BenchEncoder): string {
  return codecInfo(e.codec).contentType ?? 'application/octet-stream';
}

export interface RunContext {
  pulse: PulseServer;
  ice: IcecastServer;
  seconds: number;
  /** pulseaudio, pacat, icecast2: used by both runs, measured apart from the trees. */
  sharedPids: number[];
  /** Run the engine's Node with --cpu-prof, writing the profile here. */
  cpuProfDir?: string;
  /** Node flags for this tree's engine after the deployed ones, not for engine-base (scripts/bench --engine-node-flags: V8 settings against the same build). */
  engineNodeArgs?: string[];
  /** Another build's bin/rackcast.js, run as the system "engine-base" beside this tree's (scripts/bench --peers --base-bin). */
  baseBin?: string;
  log: (message: string) => void;
  /** After the measured window, while the streams are still on air: the capture-to-listener latency of `mount`. */
  latency?: (mount: string) => Promise<LatencyFigures>;
}

export interface LatencyFigures {
  /** Median of (a click heard in the listener's decoded stream) − (the same click read from the capture). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Clicks matched. */
  clicks: number;
  problem?: string;
}

export interface MountRate {
  mount: string;
  /** Average rate Icecast read from the source between the two readings. */
  kbps: number;
}

export interface RunResult {
  run: RunName;
  tree: TreeFigures;
  /** Processes outside the tree that both runs share (pulseaudio, pacat, icecast2). */
  shared: TreeFigures;
  mounts: MountRate[];
  /** Plain-words checks that no audio was lost, e.g. "queue drops 0 ms". */
  checks: string[];
  problems: string[];
  /** The engine's Node process thread by thread, its wake-ups and the bytes through it (engine runs only). */
  nodeDetail?: ProcessDetail;
  /** Capture-to-listener latency of the MP3 128k stream (only when RunContext.latency is set). */
  latency?: LatencyFigures;
  /** The measured window in ms after the engine process was spawned (to cut its CPU profile). */
  windowFromSpawn?: { startMs: number; endMs: number };
}

export interface CounterReading {
  atMs: number;
  bytes: number;
}

async function readCounters(ice: IcecastServer, mounts: readonly string[]): Promise<Map<string, number>> {
  const auth = 'Basic ' + Buffer.from(`admin:${ice.adminPassword}`).toString('base64');
  const res = await httpGet(`${ice.baseUrl}/admin/stats`, 2000, { authorization: auth });
  if (res.status !== 200) throw new Error(`icecast /admin/stats: HTTP ${res.status}`);
  const out = new Map<string, number>();
  for (const m of res.body.matchAll(/<source mount="([^"]+)">([\s\S]*?)<\/source>/g)) {
    const bytes = /<total_bytes_read>(\d+)<\/total_bytes_read>/.exec(m[2] ?? '');
    if (m[1] && mounts.includes(m[1]) && bytes) out.set(m[1], Number(bytes[1]));
  }
  return out;
}

/** Waits (at most 7 s) until each mount's total_bytes_read moves, and returns when and to what. */
export async function nextCounterTick(ice: IcecastServer, mounts: readonly string[]): Promise<Map<string, CounterReading>> {
  const before = await readCounters(ice, mounts);
  const ticks = new Map<string, CounterReading>();
  const deadline = performance.now() + 7000;
  while (ticks.size < mounts.length && performance.now() < deadline) {
    await sleep(100);
    const now = performance.now();
    const current = await readCounters(ice, mounts);
    for (const mount of mounts) {
      const bytes = current.get(mount);
      if (!ticks.has(mount) && bytes !== undefined && bytes !== before.get(mount)) ticks.set(mount, { atMs: now, bytes });
    }
  }
  return ticks;
}

export function mountRates(mounts: readonly string[], start: Map<string, CounterReading>, end: Map<string, CounterReading>): MountRate[] {
  return mounts.map((mount) => {
    const a = start.get(mount);
    const b = end.get(mount);
    const kbps = a && b && b.atMs > a.atMs ? ((b.bytes - a.bytes) * 8) / (b.atMs - a.atMs) : NaN;
    return { mount, kbps };
  });
}
