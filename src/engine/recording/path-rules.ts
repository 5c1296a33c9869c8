// Paths that can never be written on the recordings drive are refused when they are saved, not found
// out at recording time: a name segment over 255 bytes (every Linux filesystem's limit), a whole path
// over 4096 bytes (PATH_MAX), and on FAT and exFAT (what USB sticks come formatted with) the names and
// characters FAT cannot hold. Pure (the page runs it too); what the drive is comes in as PathRules.
import type { Codec } from '../types.js';
import { expandTemplate, relativePathProblem } from './file-names.js';

/** What the recordings drive allows; the defaults are what every Linux filesystem allows. */
export interface PathRules {
  /** FAT or exFAT: no reserved device names, none of <>:"\|?*, no trailing dot or space. */
  fatNames: boolean;
  /** Bytes of the recordings directory's own path (the rest of the path is added to it). */
  rootBytes: number;
  /** The station name ({station}); its length counts. */
  station?: string;
}

export const DEFAULT_PATH_RULES: PathRules = { fatNames: false, rootBytes: 0 };

export const NAME_MAX_BYTES = 255;
export const PATH_MAX_BYTES = 4096;
/** Room a name keeps for the "-12" that makes it unique. */
const UNIQUE_SUFFIX_BYTES = 4;

const FAT_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$/i;
const FAT_CHARS = /[<>:"|?*\\]/;

const bytes = (s: string): number => new TextEncoder().encode(s).length;

/** Splits on / and \ (which FAT and the templates treat as a separator); drops "" and ".". */
function components(path: string): string[] {
  return path.split(/[/\\]/).filter((c) => c !== '' && c !== '.');
}

/** Why FAT cannot hold the name `segment`; null if it can. */
export function fatNameProblem(segment: string): string | null {
  if (FAT_RESERVED.test(segment)) return `"${segment}" is a reserved name on FAT (CON, PRN, AUX, NUL, COM1…, LPT1…)`;
  const bad = FAT_CHARS.exec(segment);
  if (bad) return `"${segment}" contains ${bad[0]}, which FAT does not allow (none of < > : " | ? * \\)`;
  if (/[. ]$/.test(segment)) return `"${segment}" ends in a dot or a space, which FAT drops`;
  return null;
}

function segmentProblem(segment: string): string | null {
  const n = bytes(segment);
  return n > NAME_MAX_BYTES ? `has a name of ${n} bytes ("${segment.slice(0, 20)}…"); a name holds at most ${NAME_MAX_BYTES}` : null;
}

/** Why file_output_path cannot be written on this drive; null if it can. */
export function outputPathProblem(path: string, rules: PathRules = DEFAULT_PATH_RULES): string | null {
  const relative = relativePathProblem(path);
  if (relative) return relative;
  for (const c of components(path)) {
    const problem = segmentProblem(c) ?? (rules.fatNames ? fatNameProblem(c) : null);
    if (problem) return problem;
  }
  return null;
}

/** Why the file names a template makes cannot be written on this drive; null if they can. */
export function templateStorageProblem(template: string, codec: Codec, rules: PathRules = DEFAULT_PATH_RULES): string | null {
  // Characters FAT refuses are replaced when the name is made (file-names.ts); names and lengths are not.
  const name = expandTemplate(template, { wallMs: Date.UTC(2024, 11, 31, 23, 59, 59), station: rules.station ?? 'RackCast', codec, bitrate: 'lossless' }, false);
  const segments = name.split('/');
  for (const [i, s] of segments.entries()) {
    const n = bytes(s) + (i === segments.length - 1 ? UNIQUE_SUFFIX_BYTES : 0);
    if (n > NAME_MAX_BYTES) return `makes a name of ${n} bytes ("${s.slice(0, 20)}…"); a name holds at most ${NAME_MAX_BYTES}`;
    if (rules.fatNames && FAT_RESERVED.test(s)) return `makes the name "${s}", which is reserved on FAT (CON, PRN, AUX, NUL, COM1…, LPT1…)`;
  }
  return null;
}

/** Why recordings_dir/file_output_path/name is too long a path; null if it fits. */
export function totalPathProblem(outputPath: string, template: string, codec: Codec, rules: PathRules = DEFAULT_PATH_RULES): string | null {
  const name = expandTemplate(template, { wallMs: Date.UTC(2024, 11, 31, 23, 59, 59), station: rules.station ?? 'RackCast', codec, bitrate: 'lossless' }, false);
  const total = rules.rootBytes + 1 + bytes(components(outputPath).join('/')) + 1 + bytes(name) + UNIQUE_SUFFIX_BYTES + 1;
  return total >= PATH_MAX_BYTES ? `makes a path of ${total} bytes with the recordings directory; a path holds at most ${PATH_MAX_BYTES - 1}` : null;
}

export interface PathFieldError {
  field: 'file_output_path' | 'file_name_template';
  message: string;
}

/** Every storage problem of a file encoder's paths, naming the field. */
export function filePathErrors(config: { file_output_path: string | null; file_name_template: string; codec: Codec }, rules: PathRules = DEFAULT_PATH_RULES): PathFieldError[] {
  const out: PathFieldError[] = [];
  const dir = config.file_output_path ?? '.';
  const dirProblem = outputPathProblem(dir, rules);
  if (dirProblem) out.push({ field: 'file_output_path', message: dirProblem });
  const nameProblem = templateStorageProblem(config.file_name_template, config.codec, rules);
  if (nameProblem) out.push({ field: 'file_name_template', message: nameProblem });
  if (out.length === 0) {
    const total = totalPathProblem(dir, config.file_name_template, config.codec, rules);
    if (total) out.push({ field: bytes(dir) > bytes(config.file_name_template) ? 'file_output_path' : 'file_name_template', message: total });
  }
  return out;
}
