// One text line (TCP, UDP, the now-playing file) → a track. The default format is
// "Artist - Title"; playout systems that write something else get a pattern with the named
// groups `title` and, optionally, `artist`.
import { MAX_RAW_CHARS, cleanText, splitSong, type Checked } from './sanitize.js';
import type { Track } from './types.js';

export const MAX_PATTERN_CHARS = 500;

/** Compiles an operator's pattern; the message names what is wrong with it. */
export function compilePattern(source: string): { ok: true; regex: RegExp } | { ok: false; message: string } {
  if (source.length > MAX_PATTERN_CHARS) return { ok: false, message: `must be at most ${MAX_PATTERN_CHARS} characters` };
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (err) {
    return { ok: false, message: `is not a valid regular expression (${(err as Error).message})` };
  }
  // Named groups are visible in the source; an unused group name would be a typo worth reporting.
  if (!/\(\?<title>/.test(source)) return { ok: false, message: 'must have a named group (?<title>...)' };
  return { ok: true, regex };
}

/** The track in `line`, with `pattern` (compiled by compilePattern) or the "Artist - Title" default. */
export function parseLine(line: string, pattern: RegExp | null): Checked<Track> {
  const text = line.replace(/^\uFEFF/, '').replace(/\r$/, '');
  let track: Track;
  if (pattern) {
    const groups = pattern.exec(text)?.groups;
    if (!groups) return { ok: false, reason: 'no_match', message: 'line does not match the pattern' };
    track = { artist: cleanText(groups.artist ?? ''), title: cleanText(groups.title ?? '') };
  } else {
    const split = splitSong(cleanText(text, MAX_RAW_CHARS));
    track = { artist: cleanText(split.artist), title: cleanText(split.title) };
  }
  if (!track.title) return { ok: false, reason: 'empty', message: 'no title in the line' };
  return { ok: true, value: track };
}
