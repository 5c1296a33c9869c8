// The .cue sheet beside each recording: one TRACK per now-playing change from the metadata history,
// INDEX 01 relative to the file's first frame in mm:ss:ff (75 frames per second). The text is a pure
// function of the tracks; the file is replaced atomically (temp file, fsync, rename: SafeDir.writeAtomic),
// so a reader or a power cut only ever sees the old sheet or the new one.
import { basename } from 'node:path';
import type { Codec } from '../types.js';

export interface CueTrack {
  /** Frames from the start of the audio file. */
  offsetFrames: number;
  performer: string | null;
  title: string | null;
}

export interface CueSheet {
  /** The audio file's name (the sheet lies beside it). */
  audioFile: string;
  codec: Codec;
  /** Sheet-level TITLE and PERFORMER (the recording and the station). */
  title: string;
  performer: string;
  rate: number;
  tracks: readonly CueTrack[];
}

const CUE_FPS = 75;

/** mm:ss:ff for an offset in audio frames (minutes may exceed 99 in a daily file). */
export function cueTimestamp(offsetFrames: number, rate: number): string {
  const cueFrames = Math.floor((Math.max(0, offsetFrames) * CUE_FPS) / rate);
  const ff = cueFrames % CUE_FPS;
  const totalSeconds = Math.floor(cueFrames / CUE_FPS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(totalSeconds / 60))}:${pad(totalSeconds % 60)}:${pad(ff)}`;
}

/** Cue sheets have no escapes: double quotes become single ones, control characters spaces. */
function quoted(text: string): string {
  return `"${text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/"/g, "'").trim()}"`;
}

function fileType(codec: Codec): string {
  return codec === 'mp3' ? 'MP3' : 'WAVE';
}

/**
 * The sheet's text. Tracks are sorted; two changes within the same cue frame keep the later one; a file
 * whose first known track starts after 0:00 gets a first track for the part before it, so the sheet always
 * covers the whole file.
 */
export function buildCueSheet(sheet: CueSheet): string {
  const byTime = new Map<string, CueTrack>();
  for (const t of [...sheet.tracks].sort((a, b) => a.offsetFrames - b.offsetFrames)) byTime.set(cueTimestamp(t.offsetFrames, sheet.rate), t);
  const tracks = [...byTime.entries()];
  if (tracks.length === 0 || tracks[0]![0] !== '00:00:00') tracks.unshift(['00:00:00', { offsetFrames: 0, performer: null, title: null }]);
  const lines = [
    'REM GENERATOR "RackCast"',
    `PERFORMER ${quoted(sheet.performer)}`,
    `TITLE ${quoted(sheet.title)}`,
    `FILE ${quoted(sheet.audioFile)} ${fileType(sheet.codec)}`,
  ];
  tracks.forEach(([time, t], i) => {
    lines.push(`  TRACK ${String(i + 1).padStart(2, '0')} AUDIO`);
    lines.push(`    TITLE ${quoted(t.title ?? (t.performer ? '' : sheet.title))}`);
    lines.push(`    PERFORMER ${quoted(t.performer ?? (t.title ? '' : sheet.performer))}`);
    lines.push(`    INDEX 01 ${time}`);
  });
  return lines.join('\r\n') + '\r\n';
}

/** A history row placed on the recording's frame count. */
export interface PlacedTrack {
  frame: number;
  playedAtMs: number;
  performer: string | null;
  title: string | null;
}

/** The tracks of one recording file while it is written: which history rows belong to it, and where. */
export class CueTracker {
  private atStart: PlacedTrack | null = null;
  private inside: PlacedTrack[] = [];
  private endFrame: number | null = null;
  dirty = true;

  constructor(
    readonly startFrame: number,
    readonly audioPath: string,
    private readonly meta: Omit<CueSheet, 'audioFile' | 'tracks'>,
  ) {}

  /** The file got its last frame before `frame`. */
  end(frame: number): void {
    this.endFrame = frame;
  }

  /** Takes the row if it belongs to this file; false if it starts after the file's end. */
  place(track: PlacedTrack): boolean {
    if (this.endFrame !== null && track.frame >= this.endFrame) return false;
    if (track.frame <= this.startFrame) {
      if (this.atStart === null || track.playedAtMs >= this.atStart.playedAtMs) {
        this.atStart = track;
        this.dirty = true;
      }
      return true;
    }
    this.inside.push(track);
    this.dirty = true;
    return true;
  }

  render(): string {
    const tracks: CueTrack[] = [];
    if (this.atStart) tracks.push({ offsetFrames: 0, performer: this.atStart.performer, title: this.atStart.title });
    for (const t of this.inside) tracks.push({ offsetFrames: t.frame - this.startFrame, performer: t.performer, title: t.title });
    return buildCueSheet({ ...this.meta, audioFile: basename(this.audioPath), tracks });
  }
}
