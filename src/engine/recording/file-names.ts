// Recording file names: the template ({date}, {time}, {datetime}, {station}, {bitrate}, {codec}) expanded in
// local time, made safe for FAT (the usual format of a USB stick) and never able to leave the recordings
// directory. Pure, except uniqueName's `exists` callback. (The page runs these too: no node:path here.)
import { codecInfo } from '../stream/codecs.js';
import type { Codec } from '../types.js';

export const TEMPLATE_FIELDS = ['date', 'time', 'datetime', 'station', 'bitrate', 'codec'] as const;
const AUDIO_EXTENSIONS = ['wav', 'flac', 'mp3', 'ogg', 'opus', 'aac'] as const;

const CONTROL = /[\u0000-\u001f\u007f]/;
// What FAT and Windows refuse in a name, plus control characters.
const UNSAFE = /[\u0000-\u001f\u007f<>:"\\|?*]/g;

/** Why a recording path (file_output_path, or a template) is unacceptable; null when it is fine. */
export function relativePathProblem(path: string): string | null {
  if (CONTROL.test(path)) return 'must not contain control characters';
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-z]:/i.test(path)) return 'must be relative to the recordings directory';
  if (path.split(/[/\\]/).includes('..')) return 'must not contain ".."';
  return null;
}

/** Why a file name template is unacceptable; null when it is fine. */
export function templateProblem(template: string): string | null {
  const pathProblem = relativePathProblem(template);
  if (pathProblem) return pathProblem;
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(m[1] ?? '')) {
      return `unknown placeholder {${m[1]}}; use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}`;
    }
  }
  if (template.endsWith('/')) return 'must end with a file name';
  return null;
}

export interface NameValues {
  wallMs: number;
  station: string;
  codec: Codec;
  /** As the name shows it: "128k", "V2", "lossless". */
  bitrate: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function localParts(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  return {
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    // Colons are not allowed on FAT.
    time: `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`,
  };
}

/** "2024-05-01 10:00:00" in local time, for people. */
export function localDateTime(ms: number): string {
  const { date, time } = localParts(ms);
  return `${date} ${time.replace(/-/g, ':')}`;
}

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
function clipBytes(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/** A name holds 255 bytes; the last one keeps room for "-12" and the extension. */
const NAME_BYTES = 255;
const STEM_BYTES = NAME_BYTES - 12;

function safeSegment(segment: string, maxBytes: number): string {
  // FAT also drops trailing dots and spaces, which would make two names collide.
  const cleaned = clipBytes(segment.replace(UNSAFE, '_'), maxBytes).replace(/[. ]+$/, '');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

/**
 * The file's path relative to the output directory, with the codec's extension: a known audio
 * extension in the template is replaced (the seed's default template ends in .mp3 whatever the codec).
 * Names are cut to what a filesystem holds (255 bytes) unless `clip` is false (validation measures them).
 */
export function expandTemplate(template: string, values: NameValues, clip = true): string {
  // To the nearest second: a file that starts a hair before 11:00 because of clock rounding is "11-00-00".
  const { date, time } = localParts(Math.round(values.wallMs / 1000) * 1000);
  const fields: Record<(typeof TEMPLATE_FIELDS)[number], string> = {
    date,
    time,
    datetime: `${date}_${time}`,
    station: values.station,
    bitrate: values.bitrate,
    codec: values.codec,
  };
  const segments = template.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  const filled = segments.map((segment) =>
    segment.replace(/\{([a-z]+)\}/g, (whole, key: string) => (key in fields ? fields[key as keyof typeof fields].replace(/[/\\]/g, '_') : whole)),
  );
  const last = filled.pop() ?? '_';
  const ext = codecInfo(values.codec).fileExtension;
  const stemBytes = clip ? STEM_BYTES : Infinity;
  const nameBytes = clip ? NAME_BYTES : Infinity;
  const stem = safeSegment(safeSegment(last, Infinity).replace(new RegExp(`\\.(${AUDIO_EXTENSIONS.join('|')})$`, 'i'), ''), stemBytes);
  return [...filled.map((s) => safeSegment(s, nameBytes)), `${stem}.${ext}`].join('/');
}

/**
 * `name`, or name-1, name-2 … before the extension: a recording never overwrites another. `exists`
 * says whether anything (a file, a directory, a link, even a dangling one) has that name.
 */
export async function uniqueName(name: string, exists: (name: string) => Promise<boolean>): Promise<string> {
  const free = async (candidate: string): Promise<boolean> => !(await exists(candidate)) && !(await exists(cueNameFor(candidate)));
  if (await free(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > name.lastIndexOf('/') ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 1; ; i++) {
    const candidate = `${stem}-${i}${ext}`;
    if (await free(candidate)) return candidate;
  }
}

/** The cue sheet that belongs beside an audio file. */
export function cueNameFor(audioPath: string): string {
  const dot = audioPath.lastIndexOf('.');
  return `${dot > audioPath.lastIndexOf('/') ? audioPath.slice(0, dot) : audioPath}.cue`;
}

export function isRecordingFile(name: string): boolean {
  return new RegExp(`\\.(${AUDIO_EXTENSIONS.join('|')})$`, 'i').test(name);
}
