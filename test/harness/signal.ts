// Known test signals (S16LE interleaved, the format the capture path uses) and the measurements
// that tell whether they came through: dominant frequency for lossy paths, ramps for bit-exact ones.
import { spawnTracked, tailOf } from './util.js';
import { AdtsAligner } from '../../src/engine/live-listen/adts-align.js';
import { listenToMount, type MountListener } from '../../src/engine/live-listen/mount-listener.js';

export interface PcmFormat {
  rate: number;
  channels: number;
}

export interface SineOptions extends PcmFormat {
  freqHz: number;
  seconds: number;
  /** Peak as a fraction of full scale; 0.5 (-6 dBFS) leaves headroom for lossy codecs. */
  amplitude?: number;
}

/** The same sine on every channel. */
export function sinePcm({ freqHz, seconds, rate, channels, amplitude = 0.5 }: SineOptions): Buffer {
  const frames = Math.round(seconds * rate);
  const buf = Buffer.alloc(frames * channels * 2);
  const peak = Math.round(amplitude * 32767);
  for (let i = 0; i < frames; i++) {
    const value = Math.round(peak * Math.sin((2 * Math.PI * freqHz * i) / rate));
    for (let c = 0; c < channels; c++) buf.writeInt16LE(value, (i * channels + c) * 2);
  }
  return buf;
}

export interface RampOptions extends PcmFormat {
  seconds: number;
  /** Value of the first frame; wraps at 16 bits like every later one. */
  start?: number;
}

/** Frame i holds (start + i) wrapped to int16 on every channel: any dropped, repeated or altered sample breaks the run. */
export function rampPcm({ seconds, rate, channels, start = 0 }: RampOptions): Buffer {
  const frames = Math.round(seconds * rate);
  const buf = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const value = toInt16(start + i);
    for (let c = 0; c < channels; c++) buf.writeInt16LE(value, (i * channels + c) * 2);
  }
  return buf;
}

function toInt16(n: number): number {
  return ((n & 0xffff) << 16) >> 16;
}

/** One channel of S16LE interleaved PCM as samples. */
export function channelSamples(pcm: Buffer, channels: number, channel = 0): Int16Array {
  const frames = Math.floor(pcm.length / (channels * 2));
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) out[i] = pcm.readInt16LE((i * channels + channel) * 2);
  return out;
}

export interface RampRun {
  /** Frame index where the longest run starts. */
  startFrame: number;
  /** Number of frames in it (a lone frame counts as 1). */
  frames: number;
}

/** Longest stretch of frames where all channels are equal and each frame is the previous one + 1 (mod 2^16). */
export function longestRamp(pcm: Buffer, channels: number): RampRun {
  const frameCount = Math.floor(pcm.length / (channels * 2));
  let best: RampRun = { startFrame: 0, frames: 0 };
  let runStart = 0;
  let prev: number | null = null;
  for (let i = 0; i < frameCount; i++) {
    const value = pcm.readInt16LE(i * channels * 2);
    let same = true;
    for (let c = 1; c < channels; c++) same &&= pcm.readInt16LE((i * channels + c) * 2) === value;
    if (!same) {
      prev = null;
      continue;
    }
    if (prev === null || toInt16(prev + 1) !== value) runStart = i;
    prev = value;
    if (i - runStart + 1 > best.frames) best = { startFrame: runStart, frames: i - runStart + 1 };
  }
  return best;
}

/** Root mean square relative to full scale (0 = digital silence, ~0.707 = full-scale sine). */
export function rms(samples: Int16Array | Float32Array): number {
  if (samples.length === 0) return 0;
  const scale = samples instanceof Int16Array ? 32768 : 1;
  let sum = 0;
  for (const s of samples) sum += (s / scale) ** 2;
  return Math.sqrt(sum / samples.length);
}

/**
 * Frequency of the strongest spectral peak. Hann window, zero-padded FFT (≤0.4 Hz bins for ≥1 s at
 * 48 kHz) and parabolic interpolation of the log magnitude: well within ±1 Hz for a clean sine.
 */
export function dominantFrequency(samples: Int16Array | Float32Array, rate: number): number {
  const maxLen = 1 << 20;
  const n = Math.min(samples.length, maxLen);
  if (n < 16) throw new Error(`dominantFrequency: need at least 16 samples, got ${samples.length}`);
  let size = 1;
  while (size < 2 * n && size < maxLen) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i] ?? 0;
  mean /= n;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    re[i] = ((samples[i] ?? 0) - mean) * hann;
  }
  fftInPlace(re, im);
  const mag = (k: number): number => Math.log((re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2 + 1e-20);
  let peak = 1;
  for (let k = 2; k < size / 2; k++) if (mag(k) > mag(peak)) peak = k;
  const [a, b, c] = [mag(peak - 1), mag(peak), mag(peak + 1)];
  const denom = a - 2 * b + c;
  const offset = denom === 0 ? 0 : (0.5 * (a - c)) / denom;
  return ((peak + offset) * rate) / size;
}

/** Iterative radix-2 Cooley–Tukey; `re.length` must be a power of two. */
function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] ?? 0, re[i] ?? 0];
      [im[i], im[j]] = [im[j] ?? 0, im[i] ?? 0];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tRe = (re[b] ?? 0) * curRe - (im[b] ?? 0) * curIm;
        const tIm = (re[b] ?? 0) * curIm + (im[b] ?? 0) * curRe;
        re[b] = (re[a] ?? 0) - tRe;
        im[b] = (im[a] ?? 0) - tIm;
        re[a] = (re[a] ?? 0) + tRe;
        im[a] = (im[a] ?? 0) + tIm;
        const nextRe = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = nextRe;
      }
    }
  }
}

export interface DecodeOptions extends PcmFormat {
  seconds: number;
  /** Give up after this long (a live URL delivers in real time, minus the server's burst). */
  timeoutMs?: number;
  /**
   * The URL serves AAC in ADTS: the engine's own listener connection reads it and the aligner finds its
   * frames before ffmpeg sees a byte, as a player resyncs on joining. ffmpeg joining mid-frame can lock
   * onto a false header and give up ("Rematrix is needed between 27 channels and mono").
   */
  adts?: boolean;
}

/** Decodes the first `seconds` of a file or URL to S16LE interleaved PCM with ffmpeg. */
export async function decodeToPcm(urlOrFile: string, { seconds, rate, channels, timeoutMs, adts }: DecodeOptions): Promise<Buffer> {
  const input = adts ? ['-f', 'aac', '-i', 'pipe:0'] : ['-nostdin', '-i', urlOrFile];
  const args = ['-hide_banner', '-loglevel', 'error', '-t', String(seconds), ...input];
  args.push('-f', 's16le', '-ar', String(rate), '-ac', String(channels), 'pipe:1');
  const child = spawnTracked('ffmpeg', args, { stdio: [adts ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const mount = adts ? feedAligned(urlOrFile, child.stdin!) : null;
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const stderr = tailOf(child.stderr, 4096);
  const limitMs = timeoutMs ?? seconds * 1000 + 10_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  // 'close', not 'exit': stdout may still hold data when the process has already exited.
  const code = await new Promise<number | string>((resolve) => {
    child.once('close', (status, signal) => resolve(status ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(err.message));
  });
  clearTimeout(timer);
  mount?.stop();
  if (code !== 0) throw new Error(`ffmpeg decode of ${urlOrFile} failed (${code}): ${stderr().trim()}`);
  return Buffer.concat(chunks);
}

/** The mount's body, from its first whole ADTS frame, into `stdin`; ended when the server ends it. */
function feedAligned(url: string, stdin: NodeJS.WritableStream): MountListener {
  const aligner = new AdtsAligner();
  stdin.on('error', () => undefined); // ffmpeg stops reading after `seconds`
  return listenToMount(url, {
    onData: (chunk) => {
      const bytes = aligner.push(chunk);
      if (bytes.length) stdin.write(bytes);
      return true;
    },
    onEnd: () => stdin.end(),
  });
}
