// scripts/bench-recording: what a recording costs. Prints figures; never fails on them.
//
//   scripts/bench-recording [--minutes N] [--latency-seconds S] [--dir DIR] [--json]
//   (also: scripts/bench --recording ...)
//
// 1. Cost per hour of audio, WAV and FLAC apart: the engine's own Recorder (fan-out queue, frame count,
//    schedule, WAV writer / one ffmpeg per FLAC file, fsync every 2 s of audio) is fed N minutes of 48 kHz
//    stereo programme-like audio as fast as it takes it, with a driven clock, and the CPU it used (Node,
//    and the ffmpeg children it reaped) is scaled to one hour of audio. Memory: peak RSS growth of Node
//    and the peak RSS of ffmpeg during the run.
// 2. Rotation latency, WAV and FLAC together at real-time pace (20 ms chunks on the wall clock), rotating
//    by size every few seconds: from the rotation decision to the first audio accepted by the new file
//    (the recorder's own measure), and from the rotation event to the first byte of the new file on disk
//    (stat polled every millisecond; for WAV the first byte after the header).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FanOut } from '../src/engine/audio/fanout.js';
import { Recorder } from '../src/engine/recording/recorder.js';
import { probeStorage } from '../src/engine/recording/storage.js';
import type { EncoderConfig, PcmFormat } from '../src/engine/types.js';

const FORMAT: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const FRAME_BYTES = 4;
const CLK_TCK = 100;

interface CostFigures {
  codec: string;
  audioMinutes: number;
  wallSecs: number;
  nodeCpuSecsPerHour: number;
  ffmpegCpuSecsPerHour: number;
  /** Share of one core while recording in real time. */
  corePct: number;
  nodeRssGrowthMB: number;
  ffmpegPeakRssMB: number;
  mbPerHour: number;
  droppedMs: number;
}

interface RealTimeFigures {
  seconds: number;
  /** Node's RSS growth and ffmpeg's RSS while WAV and FLAC record together in real time. */
  nodeRssGrowthMB: number;
  ffmpegPeakRssMB: number;
  latency: LatencyFigures[];
}

interface LatencyFigures {
  codec: string;
  rotations: number;
  firstWriteMs: { median: number; max: number };
  firstByteOnDiskMs: { median: number; max: number };
}

function config(codec: 'wav' | 'flac', over: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    id: codec === 'wav' ? 1 : 2, name: `bench ${codec}`, enabled: true, codec, bitrate_kbps: null, sample_rate: 48000, channels: 2,
    quality: null, output_type: 'file', server_host: null, server_port: null, server_username: 'source', mount_point: null,
    shoutcast_sid: null, stream_name: null, stream_genre: null, stream_url: null, stream_description: null, is_public: false,
    file_output_path: codec, file_rotation: 'hourly', file_max_size_mb: 500, file_name_template: '{datetime}', send_metadata: false,
    icy_metadata_interval: 8192, reconnect_delay_secs: 5, max_reconnect_attempts: 0, backend: 'ffmpeg', stats_admin_user: null,
    metadata_charset: 'UTF-8', on_silence: 'keep', created_at: '',
    ...over,
  };
}

/** Ten seconds of programme-like audio: a chord with vibrato over soft noise (FLAC gets real work). */
function programme(): Buffer {
  const frames = 10 * FORMAT.sampleRate;
  const b = Buffer.alloc(frames * FRAME_BYTES);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    const t = i / FORMAT.sampleRate;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = ((seed >>> 16) / 65536 - 0.5) * 0.05;
    const tone = 0.2 * Math.sin(2 * Math.PI * 220 * t + 3 * Math.sin(2 * Math.PI * 5 * t)) + 0.15 * Math.sin(2 * Math.PI * 277 * t) + 0.1 * Math.sin(2 * Math.PI * 330 * t);
    b.writeInt16LE(Math.round((tone + noise) * 32767), i * 4);
    b.writeInt16LE(Math.round((tone * 0.8 - noise) * 32767), i * 4 + 2);
  }
  return b;
}

/** CPU of this process's reaped children (cutime + cstime), in seconds. */
function childrenCpuSecs(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[16 - 3]) + Number(rest[17 - 3])) / CLK_TCK;
}

/** Peak RSS (MB) of this process's ffmpeg children right now. */
function ffmpegRssMB(): number {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid || !stat.includes('(ffmpeg)')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      total += Number(rss ?? 0) / 1024;
    } catch {
      continue;
    }
  }
  return total;
}

function makeRecorder(root: string, cfg: EncoderConfig, fanout: FanOut, now: () => number, onRotation: (newFile: string) => void): Recorder {
  return new Recorder(cfg, {
    fanout,
    captureFormat: () => FORMAT,
    root: () => root,
    probe: () => probeStorage({ dir: root, removable: false, systemDirs: ['/'] }),
    history: null,
    station: () => 'Bench',
    markOpen: () => undefined,
    markClosed: () => undefined,
    onStorageFull: () => undefined,
    onStorageBack: async () => undefined,
    onRotation: (_closed, newFile) => onRotation(newFile),
    onStateChange: () => undefined,
    logEvent: () => undefined,
    now,
  });
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  }
  return n;
}

async function cost(codec: 'wav' | 'flac', minutes: number, base: string): Promise<CostFigures> {
  const root = mkdtempSync(join(base, `cost-${codec}-`));
  const fanout = new FanOut(FORMAT);
  const clock = { ms: Date.parse('2024-05-01T10:00:00Z') };
  const recorder = makeRecorder(root, config(codec), fanout, () => clock.ms, () => undefined);
  const audio = programme();
  const chunkBytes = (FORMAT.sampleRate / 10) * FRAME_BYTES; // 100 ms, as the capture delivers
  const totalChunks = minutes * 60 * 10;
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let rssPeak = rss0;
  let ffmpegPeak = 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    ffmpegPeak = Math.max(ffmpegPeak, ffmpegRssMB());
  }, 100);
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuSecs();
  const t0 = performance.now();
  recorder.start();
  for (let i = 0; i < totalChunks; i++) {
    const at = (i * chunkBytes) % audio.length;
    clock.ms += 100;
    fanout.publish(audio.subarray(at, at + chunkBytes));
    if (i % 10 === 9) {
      await recorder.idle();
      if (i % 20 === 19) await recorder.tickNow(); // the fsync every 2 s of audio, as in real time
      await new Promise((r) => setImmediate(r));
    }
  }
  await recorder.stop();
  const wallSecs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const perHour = 60 / minutes;
  const nodeCpu = ((cpu.user + cpu.system) / 1e6) * perHour;
  const ffmpegCpu = (childrenCpuSecs() - children0) * perHour;
  const figures: CostFigures = {
    codec,
    audioMinutes: minutes,
    wallSecs: Math.round(wallSecs * 10) / 10,
    nodeCpuSecsPerHour: Math.round(nodeCpu * 10) / 10,
    ffmpegCpuSecsPerHour: Math.round(ffmpegCpu * 10) / 10,
    corePct: Math.round(((nodeCpu + ffmpegCpu) / 3600) * 10000) / 100,
    nodeRssGrowthMB: Math.round(((rssPeak - rss0) / 1048576) * 10) / 10,
    ffmpegPeakRssMB: Math.round(ffmpegPeak * 10) / 10,
    mbPerHour: Math.round((dirBytes(root) / 1e6) * perHour),
    droppedMs: Math.round((recorder.snapshot().droppedFrames / FORMAT.sampleRate) * 1000),
  };
  rmSync(root, { recursive: true, force: true });
  return figures;
}

function stats(values: number[]): { median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  return { median: round(s[Math.floor(s.length / 2)] ?? NaN), max: round(s.at(-1) ?? NaN) };
}

/** Milliseconds until `path` holds more than `minBytes` (polled every millisecond), or NaN. */
async function firstByte(path: string, minBytes: number, since: number): Promise<number> {
  for (;;) {
    const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    if (size > minBytes) return performance.now() - since;
    if (performance.now() - since > 5000) return NaN;
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function realTime(seconds: number, base: string): Promise<RealTimeFigures> {
  const root = mkdtempSync(join(base, 'latency-'));
  const fanout = new FanOut(FORMAT);
  const results = new Map<string, { writes: number[]; disk: Promise<number>[] }>();
  const recorders = (['wav', 'flac'] as const).map((codec) => {
    const r = { writes: [] as number[], disk: [] as Promise<number>[] };
    results.set(codec, r);
    const rec: Recorder = makeRecorder(root, config(codec, { file_rotation: 'by_size', file_max_size_mb: 1 }), fanout, Date.now, (newFile) => {
      // The recorder fills in first_write_ms once the new file has taken its first audio.
      setTimeout(() => {
        const last = rec.snapshot().lastRotation;
        if (last?.new_file === newFile && last.first_write_ms != null) r.writes.push(last.first_write_ms);
      }, 500);
      r.disk.push(firstByte(join(root, newFile), codec === 'wav' ? 44 : 0, performance.now()));
    });
    return { rec, r };
  });
  // Noise, so that FLAC files fill up as fast as WAV ones do (roughly).
  const noise = Buffer.alloc(FORMAT.sampleRate * FRAME_BYTES);
  for (let i = 0, x = 7; i < noise.length; i += 2) noise.writeInt16LE(((x = (x * 1103515245 + 12345) >>> 0) >>> 16) - 32768, i);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let rssPeak = rss0;
  let ffmpegPeak = 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    ffmpegPeak = Math.max(ffmpegPeak, ffmpegRssMB());
  }, 250);
  for (const { rec } of recorders) rec.start();
  const chunkBytes = (FORMAT.sampleRate / 50) * FRAME_BYTES;
  const start = performance.now();
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    const due = start + i * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const at = (i * chunkBytes) % noise.length;
    fanout.publish(noise.subarray(at, at + chunkBytes));
  }
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 600));
  for (const { rec } of recorders) await rec.stop();
  const out: LatencyFigures[] = [];
  for (const [codec, r] of results) {
    const disk = (await Promise.all(r.disk)).filter((n) => Number.isFinite(n));
    out.push({ codec, rotations: r.disk.length, firstWriteMs: stats(r.writes), firstByteOnDiskMs: stats(disk) });
  }
  rmSync(root, { recursive: true, force: true });
  return { seconds, nodeRssGrowthMB: Math.round(((rssPeak - rss0) / 1048576) * 10) / 10, ffmpegPeakRssMB: Math.round(ffmpegPeak * 10) / 10, latency: out };
}

function toText(costs: CostFigures[], rt: RealTimeFigures): string {
  const lines = ['Recording cost per hour of audio (48 kHz stereo S16, programme-like signal; fed faster than real time)', ''];
  lines.push('codec  audio  wall    Node CPU/h  ffmpeg CPU/h  = % of a core  Node RSS +  ffmpeg RSS  MB/h   dropped');
  for (const c of costs) {
    lines.push(
      `${c.codec.padEnd(6)} ${`${c.audioMinutes}m`.padEnd(6)} ${`${c.wallSecs}s`.padEnd(7)} ${`${c.nodeCpuSecsPerHour}s`.padEnd(11)} ` +
        `${`${c.ffmpegCpuSecsPerHour}s`.padEnd(13)} ${`${c.corePct}%`.padEnd(14)} ${`${c.nodeRssGrowthMB} MB`.padEnd(11)} ` +
        `${`${c.ffmpegPeakRssMB} MB`.padEnd(11)} ${String(c.mbPerHour).padEnd(6)} ${c.droppedMs} ms`,
    );
  }
  lines.push('(RSS while fed faster than real time includes the queued audio; at real time see below.)');
  lines.push('', `Real time, ${rt.seconds} s, WAV and FLAC recording at once, rotating by size (1 MiB files):`);
  lines.push(`  Node RSS growth ${rt.nodeRssGrowthMB} MB, ffmpeg RSS peak ${rt.ffmpegPeakRssMB} MB (summed; two ffmpegs overlap during a FLAC rotation)`, '');
  lines.push('codec  rotations  decision → first audio written (median / max)  event → first byte on disk (median / max)');
  for (const l of rt.latency) {
    lines.push(`${l.codec.padEnd(6)} ${String(l.rotations).padEnd(10)} ${`${l.firstWriteMs.median} / ${l.firstWriteMs.max} ms`.padEnd(46)} ${l.firstByteOnDiskMs.median} / ${l.firstByteOnDiskMs.max} ms`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      minutes: { type: 'string', default: '60' },
      'latency-seconds': { type: 'string', default: '40' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const minutes = Number(values.minutes);
  const latencySecs = Number(values['latency-seconds']);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 600) throw new Error('--minutes must be a whole number from 1 to 600');
  if (!Number.isFinite(latencySecs) || latencySecs < 5 || latencySecs > 600) throw new Error('--latency-seconds must be from 5 to 600');
  const base = mkdtempSync(join(values.dir ?? tmpdir(), 'rackcast-bench-recording-'));
  process.on('exit', () => rmSync(base, { recursive: true, force: true }));
  const log = (m: string): void => void process.stderr.write(`bench-recording: ${m}\n`);
  const costs: CostFigures[] = [];
  for (const codec of ['wav', 'flac'] as const) {
    log(`${codec}: ${minutes} min of audio as fast as the recorder takes it`);
    costs.push(await cost(codec, minutes, base));
  }
  log(`rotation latency: ${latencySecs} s at real-time pace`);
  const rt = await realTime(latencySecs, base);
  console.log(values.json ? JSON.stringify({ costs, realTime: rt }, null, 2) : toText(costs, rt));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench-recording: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
