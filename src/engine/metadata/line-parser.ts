// One text line (TCP, UDP, the now-playing file) → a track. The default format is
// "Artist - Title"; playout systems that write something else get a pattern with the named
// groups `title` and, optionally, `artist`. Patterns run on RE2 (the `re2` package), which matches
// in time linear in the line: an operator's pattern cannot backtrack its way into a stalled engine
// (`^(?<title>(\w+\s?)*)$` froze the JavaScript engine for 51 s on 31 bytes). What RE2 cannot do in
// linear time (backreferences, lookahead and lookbehind) is refused when the pattern is saved.
import { createRequire } from 'node:module';
import type RE2Class from 're2';
import { MAX_RAW_CHARS, cleanText, splitSong, type Checked } from './sanitize.js';
import type { Track } from './types.js';

export const MAX_PATTERN_CHARS = 500;

// RE2 (a native addon, about 3 MB resident) is loaded with the first pattern: most boxes take titles over
// HTTP or as "Artist - Title" lines and never compile one.
const require = createRequire(import.meta.url);
let re2: typeof RE2Class | null = null;
const loadRe2 = (): typeof RE2Class => (re2 ??= require('re2') as typeof RE2Class);

/** The part of a compiled pattern the parser uses (an RE2 object; a RegExp fits too). */
export interface LinePattern {
  exec(text: string): { groups?: Record<string, string | undefined> } | null;
}

function jsRegexError(source: string): string | null {
  try {
    new RegExp(source, 'u');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function re2Refusal(why: string): string {
  if (/repetition size|too large|too big/i.test(why)) return `is too large for the linear-time matcher: use smaller {n} counts (RE2: ${why})`;
  return `cannot be matched in linear time: backreferences (\\1, \\k<name>) and lookarounds ((?=, (?!, (?<=, (?<!) are not supported (RE2: ${why})`;
}

/** Compiles an operator's pattern with RE2; the message says what is wrong with it. */
export function compilePattern(source: string): { ok: true; regex: LinePattern } | { ok: false; message: string } {
  if (source.length > MAX_PATTERN_CHARS) return { ok: false, message: `must be at most ${MAX_PATTERN_CHARS} characters` };
  const jsError = jsRegexError(source);
  if (jsError !== null) return { ok: false, message: `is not a valid regular expression (${jsError})` };
  const RE2 = loadRe2();
  let regex: LinePattern;
  try {
    regex = new RE2(source, 'u');
  } catch (err) {
    // Valid JavaScript, but not something RE2 can match without backtracking (or too big for it).
    return { ok: false, message: re2Refusal((err as Error).message) };
  }
  // Named groups are visible in the source; an unused group name would be a typo worth reporting.
  if (!/\(\?<title>/.test(source)) return { ok: false, message: 'must have a named group (?<title>...)' };
  return { ok: true, regex };
}

/** The track in `line`, with `pattern` (compiled by compilePattern) or the "Artist - Title" default. */
export function parseLine(line: string, pattern: LinePattern | null): Checked<Track> {
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
