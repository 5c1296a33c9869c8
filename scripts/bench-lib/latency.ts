// Capture-to-listener latency for scripts/bench --peers. The signal playing into the capture is a quiet
// sine with a loud 20 ms click every CLICK_PERIOD_S; a reference arecord on the same ALSA PCM (10 ms
// periods) sees each click as the system under test's capture does, and a listener (ffmpeg decoding
// the mount over HTTP, flushing every decoded frame) hears it later. Latency = heard − captured, per
// click. The listener's own decoding delay is in every figure alike; the peers table subtracts the
// floor's figure, so what is left is what each system adds between capture and Icecast.
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { sleep, spawnTracked, stopChild, tailOf } from '../../test/harness/util.js';
import type { LatencyFigures } from './common.js';

export const CLICK_PERIOD_S = 3;
const CLICK_MS = 20;
const BACKGROUND_AMPLITUDE = 0.1;
const CLICK_AMPLITUDE = 0.8;
/** Half way between the background and the click: the first sample above it is the click's onset. */
const THRESHOLD = Math.round(0.45 * 32767);

/** One period of the bench's signal: the click at frame 0, then the sine (S16LE interleaved). */
export function clickSignal(rate: number, channels: number, periodS = CLICK_PERIOD_S): Buffer {
  const frames = Math.round(rate * periodS);
  const clickFrames = Math.round((rate * CLICK_MS) / 1000);
  const out = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    // The click is a 1 kHz square wave: it starts at full height, so its onset stays sharp through any codec.
    const v = i < clickFrames ? (Math.sin((2 * Math.PI * 1000 * (i + 0.5)) / rate) >= 0 ? CLICK_AMPLITUDE : -CLICK_AMPLITUDE) : BACKGROUND_AMPLITUDE * Math.sin((2 * Math.PI * 440 * i) / rate);
    const sample = Math.round(v * 32767);
    for (let c = 0; c < channels; c++) out.writeInt16LE(sample, (i * channels + c) * 2);
  }
  return out;
}

/**
 * Finds click onsets in an S16LE stream fed chunk by chunk with each chunk's arrival time: the onset's time is the
 * arrival time less the audio that came after it in the chunk. After an onset it is deaf for a second (the click's
 * own samples, a codec's ringing). Pure apart from the times it is given.
 */
export class ClickDetector {
  readonly onsetsMs: number[] = [];
  private deafFrames = 0;
  private carry = Buffer.alloc(0);

  constructor(
    private readonly rate: number,
    private readonly channels: number,
  ) {}

  feed(chunk: Buffer, arrivedAtMs: number): void {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const frameBytes = this.channels * 2;
    const frames = Math.floor(data.length / frameBytes);
    for (let f = 0; f < frames; f++) {
      if (this.deafFrames > 0) {
        this.deafFrames--;
        continue;
      }
      if (Math.abs(data.readInt16LE(f * frameBytes)) >= THRESHOLD) {
        this.onsetsMs.push(arrivedAtMs - ((frames - f) * 1000) / this.rate);
        this.deafFrames = this.rate;
      }
    }
    this.carry = Buffer.from(data.subarray(frames * frameBytes));
  }
}

/** Each heard click against the last captured one before it (within a period): the latencies in ms. */
export function matchClicks(capturedMs: readonly number[], heardMs: readonly number[], periodMs = CLICK_PERIOD_S * 1000): number[] {
  const out: number[] = [];
  for (const h of heardMs) {
    const before = capturedMs.filter((c) => c <= h && h - c < periodMs);
    const c = before[before.length - 1];
    if (c !== undefined) out.push(h - c);
  }
  return out;
}

export function latencyFigures(latencies: number[], problem?: string): LatencyFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted.length ? (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2 : NaN;
  return { medianMs: median, minMs: sorted[0] ?? NaN, maxMs: sorted[sorted.length - 1] ?? NaN, clicks: sorted.length, ...(problem ? { problem } : {}) };
}

function timedReader(child: ChildProcess, detector: ClickDetector): void {
  child.stdout?.on('data', (chunk: Buffer) => detector.feed(chunk, performance.now()));
}

export interface LatencySetup {
  pcm: string;
  env: Record<string, string>;
  rate: number;
  channels: number;
  /** http://127.0.0.1:<port> */
  iceBaseUrl: string;
  log: (message: string) => void;
}

/** Listens to `mount` for `seconds` beside a reference capture and returns the latencies found. */
export async function measureLatency(s: LatencySetup, mount: string, seconds = 3 * CLICK_PERIOD_S + 3): Promise<LatencyFigures> {
  const captured = new ClickDetector(s.rate, s.channels);
  const heard = new ClickDetector(s.rate, s.channels);
  const reference = spawnTracked(
    'arecord',
    ['-q', '-D', s.pcm, '-t', 'raw', '-f', 'S16_LE', '-r', String(s.rate), '-c', String(s.channels), '--period-time=10000', '--buffer-time=200000'],
    { env: { ...process.env, ...s.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const listener = spawnTracked(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-fflags', 'nobuffer', '-probesize', '32768', '-analyzeduration', '0', '-f', 'mp3', '-i', `${s.iceBaseUrl}${mount}`,
      '-f', 's16le', '-ac', String(s.channels), '-ar', String(s.rate), '-flush_packets', '1', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const listenerErr = tailOf(listener.stderr, 2048);
  const referenceErr = tailOf(reference.stderr, 2048);
  timedReader(reference, captured);
  timedReader(listener, heard);
  try {
    await sleep(seconds * 1000);
  } finally {
    await stopChild(listener, 2000);
    await stopChild(reference, 2000);
  }
  // The listener's first second is its probing and any burst Icecast sent: skip clicks heard then.
  const firstHeard = heard.onsetsMs.filter((t) => t > (captured.onsetsMs[0] ?? Infinity));
  const latencies = matchClicks(captured.onsetsMs, firstHeard);
  const problem = latencies.length === 0
    ? `no click matched on ${mount} (captured ${captured.onsetsMs.length}, heard ${heard.onsetsMs.length}; listener: ${listenerErr().trim() || 'no error'}; reference: ${referenceErr().trim() || 'no error'})`
    : undefined;
  if (problem) s.log(problem);
  return latencyFigures(latencies, problem);
}
