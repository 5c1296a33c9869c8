// Opening one recording file: where it goes (below the recordings directory, never outside it, never
// through a link: safe-dir.ts), what it is called, how large it may grow, which writer writes it, and its
// cue sheet.
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { EncoderConfig, PcmFormat } from '../types.js';
import { codecInfo } from '../stream/codecs.js';
import { expandTemplate, localDateTime, relativePathProblem, uniqueName } from './file-names.js';
import { CueTracker } from './cue-sheet.js';
import { StorageFault, type Segment } from './segment.js';
import { WavSegment } from './wav-segment.js';
import { FfmpegSegment } from './ffmpeg-segment.js';
import { isLossless } from './recording-argv.js';
import { isFat } from './storage.js';
import { pathComponents, SafeDir } from './safe-dir.js';
import { WAV_MAX_FILE_BYTES, wavMaxFrames } from './wav.js';

const MIB = 1024 * 1024;
/** ffmpeg files are measured, not computed: on FAT they rotate this far below 4 GiB. */
const FAT_MARGIN_BYTES = 16 * MIB;

/**
 * Makes the writer of a new file. `file` is the file, just created empty at `path`; the segment owns it
 * (and must close it) from then on.
 */
export type SegmentFactory = (path: string, format: PcmFormat, config: EncoderConfig, file: FileHandle) => Promise<Segment>;

export const defaultSegmentFactory: SegmentFactory = async (path, format, config, file) =>
  config.codec === 'wav' ? WavSegment.create(path, format, file) : new FfmpegSegment(path, format, config, file);

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

/**
 * Opens the directory a file goes to: the recordings directory, then file_output_path and the template's
 * subdirectories, one component at a time, each created if missing and refused if it is a link or not a
 * directory.
 */
export async function openFileDir(root: string, config: EncoderConfig, subdirs: readonly string[]): Promise<SafeDir> {
  const sub = config.file_output_path ?? '.';
  const problem = relativePathProblem(sub);
  if (problem) throw new StorageFault('failed', `file_output_path ${problem}`);
  const components = [...pathComponents(sub), ...subdirs];
  const top = await SafeDir.openRoot(root);
  if (components.length === 0) return top;
  try {
    return await top.walk(components, true);
  } finally {
    await top.close();
  }
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
  /** Called with that path if the file could not be created after all. */
  createFailed?: (path: string) => void;
}

export interface OpenedFile {
  segment: Segment;
  cue: CueTracker;
  /** The directory it is in, open, for its cue sheet; closed when the file is finished. */
  dir: SafeDir;
  /** Relative to the recordings directory. */
  relPath: string;
}

export async function openRecordingFile(req: OpenFileRequest): Promise<OpenedFile> {
  const wanted = expandTemplate(req.config.file_name_template, {
    wallMs: req.wallMs,
    station: req.station,
    codec: req.config.codec,
    bitrate: bitrateLabel(req.config),
  });
  const subdirs = wanted.split('/');
  const wantedName = subdirs.pop()!;
  const dir = await openFileDir(req.root, req.config, subdirs);
  let file: FileHandle | null = null;
  let path: string | null = null;
  try {
    // Anything at a name, even a dangling link, makes it taken: the next name is used instead.
    const name = await uniqueName(wantedName, async (n) => (await dir.entry(n)) !== null);
    path = posix.join(dir.path, name);
    req.beforeCreate(path);
    file = await dir.createFile(name);
    const segment = await req.createSegment(path, req.format, req.config, file);
    const cue = new CueTracker(req.startFrame, path, {
      codec: req.config.codec,
      title: `${req.config.name} ${localDateTime(req.wallMs)}`,
      performer: req.station,
      rate: req.format.sampleRate,
    });
    return { segment, cue, dir, relPath: dir.rel ? `${dir.rel}/${name}` : name };
  } catch (err) {
    await file?.close().catch(() => undefined);
    if (path !== null && file === null) req.createFailed?.(path);
    await dir.close();
    throw err;
  }
}
