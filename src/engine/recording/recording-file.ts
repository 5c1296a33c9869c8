// Opening one recording file: where it goes (below the recordings directory, never outside it), what it
// is called, how large it may grow, which writer writes it, and its cue sheet.
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { EncoderConfig, PcmFormat } from '../types.js';
import { codecInfo } from '../codecs.js';
import { expandTemplate, localDateTime, relativePathProblem, uniqueName } from './file-names.js';
import { CueTracker } from './cue-sheet.js';
import { StorageFault, storageFault, type Segment } from './segment.js';
import { WavSegment } from './wav-segment.js';
import { FfmpegSegment } from './ffmpeg-segment.js';
import { isLossless } from './recording-argv.js';
import { ensureDir, isFat } from './storage.js';
import { WAV_MAX_FILE_BYTES, wavMaxFrames } from './wav.js';

const MIB = 1024 * 1024;
/** ffmpeg files are measured, not computed: on FAT they rotate this far below 4 GiB. */
const FAT_MARGIN_BYTES = 16 * MIB;

export type SegmentFactory = (path: string, format: PcmFormat, config: EncoderConfig) => Promise<Segment>;

export const defaultSegmentFactory: SegmentFactory = async (path, format, config) =>
  config.codec === 'wav' ? WavSegment.create(path, format) : new FfmpegSegment(path, format, config);

export interface FileLimits {
  /** WAV: the exact number of frames a file may hold (size rotation, RIFF and FAT limits). */
  maxFrames: number | null;
  /** Other codecs: rotate once the file has reached this size. */
  maxBytes: number | null;
}

/** How large a file may grow, from the rotation setting and the filesystem. */
export function fileLimits(config: Pick<EncoderConfig, 'codec' | 'file_rotation' | 'file_max_size_mb'>, format: PcmFormat, fsType: string | null): FileLimits {
  const bySize = config.file_rotation === 'by_size' ? config.file_max_size_mb * MIB : null;
  if (config.codec === 'wav') return { maxFrames: wavMaxFrames(format, bySize ?? WAV_MAX_FILE_BYTES), maxBytes: null };
  const fatLimit = isFat(fsType) ? 2 ** 32 - FAT_MARGIN_BYTES : null;
  const limits = [bySize, fatLimit].filter((n): n is number => n !== null);
  return { maxFrames: null, maxBytes: limits.length ? Math.min(...limits) : null };
}

/** The PCM format the file is written from: lossless files keep the capture format. */
export function recordingFormat(config: EncoderConfig, capture: PcmFormat): { sample_rate: number; channels: number } {
  if (isLossless(config.codec)) return { sample_rate: capture.sampleRate, channels: capture.channels };
  return { sample_rate: config.codec === 'opus' ? 48000 : config.sample_rate, channels: config.channels };
}

function bitrateLabel(config: EncoderConfig): string {
  if (isLossless(config.codec)) return 'lossless';
  if (config.bitrate_kbps !== null) return `${config.bitrate_kbps}k`;
  if (config.quality !== null) return `q${config.quality}`;
  return `${codecInfo(config.codec).defaultBitrateKbps ?? 0}k`;
}

/** The output directory of an encoder, checked to be inside the recordings directory (symlinks included). */
export async function outputDir(root: string, config: EncoderConfig): Promise<string> {
  const sub = config.file_output_path ?? '.';
  const problem = relativePathProblem(sub);
  const dir = resolve(root, sub);
  const rel = relative(root, dir);
  if (problem || rel.startsWith('..') || isAbsolute(rel)) throw new StorageFault('failed', `file_output_path ${problem ?? 'leaves the recordings directory'}`);
  try {
    await ensureDir(dir);
  } catch (err) {
    throw storageFault(err, dir);
  }
  const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dir)]);
  const realRel = relative(realRoot, realDir);
  if (realRel.startsWith('..') || isAbsolute(realRel)) throw new StorageFault('failed', `${dir} leads outside the recordings directory`);
  return dir;
}

export interface OpenFileRequest {
  root: string;
  config: EncoderConfig;
  format: PcmFormat;
  station: string;
  startFrame: number;
  wallMs: number;
  createSegment: SegmentFactory;
  /** Called with the path before the file is created (the open-file registry for crash repair). */
  beforeCreate: (path: string) => void;
}

export interface OpenedFile {
  segment: Segment;
  cue: CueTracker;
  /** Relative to the recordings directory. */
  relPath: string;
}

export async function openRecordingFile(req: OpenFileRequest): Promise<OpenedFile> {
  const dir = await outputDir(req.root, req.config);
  const wanted = expandTemplate(req.config.file_name_template, {
    wallMs: req.wallMs,
    station: req.station,
    codec: req.config.codec,
    bitrate: bitrateLabel(req.config),
  });
  const name = uniqueName(dir, wanted, existsSync);
  const path = join(dir, name);
  await ensureDir(join(path, '..')).catch((err: unknown) => {
    throw storageFault(err, path);
  });
  req.beforeCreate(path);
  const segment = await req.createSegment(path, req.format, req.config);
  const cue = new CueTracker(req.startFrame, path, {
    codec: req.config.codec,
    title: `${req.config.name} ${localDateTime(req.wallMs)}`,
    performer: req.station,
    rate: req.format.sampleRate,
  });
  return { segment, cue, relPath: relative(req.root, path) };
}
