// Shared by the recorder tests: a recorder on a real fan-out, fed synthetic PCM by a driven clock
// (hours of audio in seconds), with a real SQLite metadata history and real files in a temp dir.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FanOut } from '../../../src/engine/audio/fanout.js';
import { openDatabase, type Database } from '../../../src/engine/db/database.js';
import type { NewEvent } from '../../../src/engine/db/event-log.js';
import type { EncoderConfig, PcmFormat } from '../../../src/engine/types.js';
import { Recorder } from '../../../src/engine/recording/recorder.js';
import { probeStorage } from '../../../src/engine/recording/storage.js';
import { sqliteMetadataHistory } from '../../../src/engine/recording/metadata-history.js';
import type { RotationEvent } from '../../../src/engine/recording/recording-types.js';
import type { SegmentFactory } from '../../../src/engine/recording/recording-file.js';
import { parseWavLayout } from '../../../src/engine/recording/wav.js';
import { removeOnExit } from '../../harness/util.js';

export const STEREO: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
export const MONO: PcmFormat = { sampleRate: 48000, channels: 1, sampleFormat: 'S16_LE' };

export function fileEncoder(over: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    id: 7, name: 'Archive', enabled: true, codec: 'wav', bitrate_kbps: null, sample_rate: 48000, channels: 2, quality: null,
    output_type: 'file', server_host: null, server_port: null, server_username: 'source', mount_point: null, shoutcast_sid: null,
    stream_name: null, stream_genre: null, stream_url: null, stream_description: null, is_public: false,
    file_output_path: 'archive', file_rotation: 'hourly', file_max_size_mb: 500, file_name_template: '{date}/{time}-{station}',
    send_metadata: true, icy_metadata_interval: 8192, reconnect_delay_secs: 5, max_reconnect_attempts: 0, backend: 'ffmpeg',
    stats_admin_user: null, metadata_charset: 'UTF-8', on_silence: 'keep', created_at: '2024-05-01T00:00:00Z',
    ...over,
  };
}

export interface FeedOptions {
  chunkFrames?: number;
  /** Sound card rate error in parts per million (positive: the card runs fast). */
  ppm?: number;
  /** Value of frame n (default: a counter ramp); null feeds silence quickly (for hours of audio). */
  signal?: ((frame: number) => number) | null;
}

export interface Rig {
  root: string;
  db: Database;
  recorder: Recorder;
  fanout: FanOut;
  rotations: RotationEvent[];
  events: NewEvent[];
  open: Set<string>;
  /** The driven wall clock. */
  clock: { ms: number };
  /** Feeds `seconds` of audio: each chunk advances the clock by its duration on a card `ppm` off. */
  feed(seconds: number, opts?: FeedOptions): Promise<void>;
  /** Frames fed so far. */
  readonly fed: number;
  addTrack(artist: string, title: string, atMs?: number): void;
}

export function makeRig(opts: { format?: PcmFormat; config?: Partial<EncoderConfig>; startIso: string; createSegment?: SegmentFactory; root?: string }): Rig {
  const format = opts.format ?? STEREO;
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'rackcast-rec-'));
  removeOnExit(root);
  const db = openDatabase(':memory:');
  const fanout = new FanOut(format);
  const rotations: RotationEvent[] = [];
  const events: NewEvent[] = [];
  const open = new Set<string>();
  const clock = { ms: Date.parse(opts.startIso) };
  const config = fileEncoder(opts.config);
  const recorder = new Recorder(config, {
    fanout,
    captureFormat: () => format,
    root: () => root,
    probe: () => probeStorage({ dir: root, removable: false, systemDirs: ['/'] }),
    history: sqliteMetadataHistory(db),
    station: () => 'Radio Test',
    markOpen: (p) => open.add(p),
    markClosed: (p) => open.delete(p),
    onStorageFull: () => undefined,
    onStorageBack: async () => undefined,
    onRotation: (closedFile, newFile) => rotations.push({ encoderId: config.id, closedFile, newFile }),
    onStateChange: () => undefined,
    logEvent: (e) => events.push(e),
    now: () => clock.ms,
    createSegment: opts.createSegment,
    syncIntervalMs: 3_600_000,
  });
  let fed = 0;
  return {
    root, db, recorder, fanout, rotations, events, open, clock,
    get fed() {
      return fed;
    },
    async feed(seconds, { chunkFrames = 2400, ppm = 0, signal = (f: number) => f }: FeedOptions = {}) {
      const frameBytes = format.channels * 2;
      const total = Math.round(seconds * format.sampleRate);
      const cardRate = format.sampleRate * (1 + ppm / 1e6);
      let sinceIdle = 0;
      for (let done = 0; done < total; done += chunkFrames) {
        const n = Math.min(chunkFrames, total - done);
        const chunk = signal === null ? Buffer.alloc(n * frameBytes) : Buffer.allocUnsafe(n * frameBytes);
        for (let i = 0; signal !== null && i < n; i++) {
          const v = ((signal(fed + i) & 0xffff) << 16) >> 16;
          for (let c = 0; c < format.channels; c++) chunk.writeInt16LE(v, (i * format.channels + c) * 2);
        }
        clock.ms += (n * 1000) / cardRate;
        fed += n;
        fanout.publish(chunk);
        if ((sinceIdle += n) >= format.sampleRate) {
          sinceIdle = 0;
          await recorder.idle();
        }
      }
      await recorder.idle();
    },
    addTrack(artist, title, atMs = clock.ms) {
      db.prepare('INSERT INTO metadata_history (played_at, artist, title, source) VALUES (?, ?, ?, ?)').run(new Date(atMs).toISOString(), artist, title, 'http');
    },
  };
}

/** Every file below `dir` with the given extension, sorted by name (names sort by time). */
export function filesIn(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(ext)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/** The PCM of a WAV file, after checking that the header's sizes match the file. */
export function wavData(path: string): Buffer {
  const file = readFileSync(path);
  const layout = parseWavLayout(file);
  if (!layout) throw new Error(`${path} is not a WAV file`);
  if (file.readUInt32LE(4) !== file.length - 8) throw new Error(`${path}: RIFF size ${file.readUInt32LE(4)} for a ${file.length}-byte file`);
  if (layout.dataOffset + layout.dataBytes !== file.length) throw new Error(`${path}: data size ${layout.dataBytes} does not match the file`);
  return file.subarray(layout.dataOffset);
}

/** Index of the first frame where channel 0 is not `expected(i)` (16-bit wrapped), or -1. */
export function firstMismatch(pcm: Buffer, channels: number, expected: (frame: number) => number, from = 0): number {
  const frames = pcm.length / (channels * 2);
  for (let i = 0; i < frames; i++) {
    const want = ((expected(from + i) & 0xffff) << 16) >> 16;
    for (let c = 0; c < channels; c++) if (pcm.readInt16LE((i * channels + c) * 2) !== want) return i;
  }
  return -1;
}
