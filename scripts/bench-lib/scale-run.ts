// The scale run of scripts/bench --peers: one engine with 16 stream encoders (4 each of MP3, AAC, Ogg Vorbis
// and Opus) and a WAV recording, from the real-time ALSA PCM, for N seconds. What it must show: no capture
// overrun, no queue drop, every mount on air at every check (every 5 s), and the recording growing at the
// capture's rate. It prints the tree's CPU and peak PSS too.
import type { Codec } from '../../src/engine/types.js';
import { sleep, stopChild, waitFor } from '../../test/harness/util.js';
import { apiCall, engineStatus, launchEngine } from './engine-run.js';
import type { RunContext } from './common.js';
import { TreeSampler, describeProcess, type TreeFigures } from './sampler.js';

export interface ScaleEncoder {
  codec: Extract<Codec, 'mp3' | 'aac' | 'ogg' | 'opus'>;
  bitrateKbps: number;
  mount: string;
}

export const SCALE_ENCODERS: readonly ScaleEncoder[] = (
  [
    ['mp3', [64, 128, 192, 320]],
    ['aac', [64, 96, 128, 192]],
    ['ogg', [64, 96, 128, 160]],
    ['opus', [32, 64, 96, 128]],
  ] as const
).flatMap(([codec, rates]) => rates.map((bitrateKbps) => ({ codec, bitrateKbps, mount: `/scale-${codec}-${bitrateKbps}` })));

export interface ScaleResult {
  seconds: number;
  tree: TreeFigures;
  /** Times every mount was checked live on Icecast, and the checks at which one was not. */
  checks: number;
  offAir: string[];
  captureOverruns: number;
  captureRestarts: number;
  queueDropMs: number;
  processRestarts: number;
  /** WAV bytes written in the window against what the capture delivered in it (should be 1.00). */
  recordingRatio: number | null;
  problems: string[];
}

interface RecordingBody {
  state: string;
  bytes: number;
}

export async function runScale(ctx: RunContext, seconds: number): Promise<ScaleResult> {
  const { pid, port, child, why } = await launchEngine(ctx);
  try {
    const ids: number[] = [];
    for (const e of SCALE_ENCODERS) {
      const r = await apiCall(port, 'POST', '/api/encoders', {
        name: `Scale ${e.codec} ${e.bitrateKbps}k`, codec: e.codec, bitrate_kbps: e.bitrateKbps, output_type: 'icecast',
        server_host: '127.0.0.1', server_port: ctx.ice.port, server_password: ctx.ice.sourcePassword,
        mount_point: e.mount, sample_rate: 48000, channels: 2,
      });
      const id = (r.body as { id?: unknown } | null)?.id;
      if (r.status !== 201 || typeof id !== 'number') throw new Error(`POST /api/encoders (${e.mount}): ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(id);
    }
    const rec = await apiCall(port, 'POST', '/api/encoders', {
      name: 'Scale WAV recording', codec: 'wav', output_type: 'file', file_output_path: 'scale', file_rotation: 'none', file_name_template: '{datetime}-{codec}',
    });
    const recId = (rec.body as { id?: unknown } | null)?.id;
    if (rec.status !== 201 || typeof recId !== 'number') throw new Error(`POST /api/encoders (WAV): ${rec.status} ${JSON.stringify(rec.body)}`);
    const started = await apiCall(port, 'POST', '/api/encoders/start-all');
    if (started.status !== 200) throw new Error(`start-all: ${started.status} ${JSON.stringify(started.body)}`);
    await waitFor(
      async () => (await engineStatus(port)).encoders.filter((e) => ids.includes(e.id)).every((e) => e.state === 'streaming'),
      { timeoutMs: 60_000, intervalMs: 500, what: '16 encoders streaming' },
    ).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${why()}`)));
    ctx.log(`scale: 16 encoders streaming and a WAV recording; settling 3 s, then ${seconds} s`);
    await sleep(3000);

    const before = await engineStatus(port);
    const recBefore = (await apiCall(port, 'GET', `/api/encoders/${recId}/recording`)).body as RecordingBody;
    const tree = new TreeSampler(() => [pid], (p, comm, a) => (p === pid ? 'node (engine)' : describeProcess(comm, a)));
    tree.start();
    const offAir: string[] = [];
    let checks = 0;
    const endAt = Date.now() + seconds * 1000;
    while (Date.now() < endAt) {
      await sleep(Math.min(5000, Math.max(0, endAt - Date.now())));
      checks++;
      for (const e of SCALE_ENCODERS) if (!(await ctx.ice.mountIsLive(e.mount))) offAir.push(`${e.mount} at check ${checks}`);
    }
    const figures = tree.stop();
    const after = await engineStatus(port);
    const recAfter = (await apiCall(port, 'GET', `/api/encoders/${recId}/recording`)).body as RecordingBody;

    const sum = (f: (e: (typeof after.encoders)[number]) => number): number =>
      after.encoders.reduce((t, e) => t + f(e) - f(before.encoders.find((b) => b.id === e.id) ?? e), 0);
    const queueDropMs = sum((e) => e.queue.dropped_ms);
    const processRestarts = sum((e) => e.process.restarts);
    const captureOverruns = (after.capture.overruns ?? 0) - (before.capture.overruns ?? 0);
    const captureRestarts = after.capture.restarts - before.capture.restarts;
    const framesDelivered = (after.capture.frames ?? 0) - (before.capture.frames ?? 0);
    const recordingRatio = framesDelivered > 0 ? (recAfter.bytes - recBefore.bytes) / (framesDelivered * 4) : null;
    const problems: string[] = [];
    if (offAir.length) problems.push(`scale: off air: ${offAir.slice(0, 10).join(', ')}${offAir.length > 10 ? ' …' : ''}`);
    if (captureOverruns > 0) problems.push(`scale: ${captureOverruns} capture overruns`);
    if (captureRestarts > 0) problems.push(`scale: ${captureRestarts} capture restarts`);
    if (queueDropMs > 0) problems.push(`scale: ${queueDropMs} ms dropped from encoder queues`);
    if (processRestarts > 0) problems.push(`scale: ${processRestarts} encoder process restarts`);
    if (recAfter.state !== 'recording') problems.push(`scale: the recording is ${recAfter.state}`);
    // The two counters are read a moment apart and the recorder writes in blocks: up to 2 s either way is timing.
    const gapS = Math.abs(recAfter.bytes - recBefore.bytes - framesDelivered * 4) / (48000 * 4);
    if (recordingRatio === null || gapS > 2) problems.push(`scale: the recording wrote ${recordingRatio?.toFixed(3) ?? '?'}× the captured audio (${gapS.toFixed(1)} s apart)`);
    for (const n of figures.notCounted) problems.push(`scale process not alive for the whole window: ${n}`);
    return { seconds, tree: figures, checks, offAir, captureOverruns, captureRestarts, queueDropMs, processRestarts, recordingRatio, problems };
  } finally {
    await stopChild(child, 15_000);
  }
}
