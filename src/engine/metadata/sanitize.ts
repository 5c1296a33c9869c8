// Every title that enters the box passes through here, whatever door it used. Pure functions:
// the result is plain, valid, single-line Unicode of bounded length, fit to be stored, shown and
// sent to a server. Titles never reach a shell or a file path, so nothing here escapes for those.
import type { DropReason, Track } from './types.js';

/** Per field (artist, title): about what a player's display or a stats page shows. */
export const MAX_FIELD_CHARS = 255;
/** Input longer than this is refused rather than cut: it is not a title, and cutting hides the fault. */
export const MAX_RAW_CHARS = 4096;

export type Checked<T = string> = { ok: true; value: T } | { ok: false; reason: DropReason; message: string };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// C0 and C1 controls, DEL, the byte-order mark and the bidi embedding/override/isolate controls
// (which could make a title display as something else on the page).
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\ufeff\u202a-\u202e\u2066-\u2069]/g;

/** Cuts to `max` code points, never inside a surrogate pair. */
export function capChars(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('').trimEnd();
}

/** Valid Unicode (NFC), one line, no control characters, single spaces, trimmed, at most `max` characters. */
export function cleanText(raw: string, max = MAX_FIELD_CHARS): string {
  const text = raw
    .replace(LONE_SURROGATE, '')
    .normalize('NFC')
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return capChars(text, max);
}

/**
 * One text field from a client (JSON or query string). NUL or U+FFFD (what a decoder makes of
 * bytes that were not UTF-8) mean binary, not a title; those are refused, not cleaned.
 */
export function checkField(raw: unknown, field: string, max = MAX_FIELD_CHARS): Checked {
  if (raw === undefined || raw === null) return { ok: true, value: '' };
  if (typeof raw !== 'string') return { ok: false, reason: 'binary', message: `${field} must be text` };
  if (raw.length > MAX_RAW_CHARS) return { ok: false, reason: 'too_long', message: `${field} is longer than ${MAX_RAW_CHARS} characters` };
  if (/[\u0000\ufffd]/.test(raw)) return { ok: false, reason: 'binary', message: `${field} contains binary data or is not valid UTF-8` };
  return { ok: true, value: cleanText(raw, max) };
}

/** "Artist - Title" → both parts; without the separator the whole text is the title. */
export function splitSong(song: string): Track {
  const at = song.indexOf(' - ');
  if (at <= 0) return { artist: '', title: song };
  const artist = song.slice(0, at).trim();
  const title = song.slice(at + 3).trim();
  return title ? { artist, title } : { artist: '', title: song };
}

/** The one-line form servers and players show. */
export function songOf(track: Track): string {
  return track.artist ? `${track.artist} - ${track.title}` : track.title;
}

/** Builds a cleaned track from {artist, title} or {song}; song wins when both are given. */
export function trackFrom(input: { artist?: unknown; title?: unknown; song?: unknown }): Checked<Track> {
  const song = checkField(input.song, 'song', MAX_RAW_CHARS);
  if (!song.ok) return song;
  if (song.value) {
    const split = splitSong(song.value);
    return { ok: true, value: { artist: cleanText(split.artist), title: cleanText(split.title) } };
  }
  const artist = checkField(input.artist, 'artist');
  if (!artist.ok) return artist;
  const title = checkField(input.title, 'title');
  if (!title.ok) return title;
  if (!title.value) return { ok: false, reason: 'empty', message: 'title (or song) is required and must not be empty' };
  return { ok: true, value: { artist: artist.value, title: title.value } };
}

/**
 * ICY has no escaping: players end StreamTitle at the first `';` (VLC, Icecast's own stats), so
 * that pair is broken up; a lone apostrophe is harmless and stays. In Unicode charsets the quote
 * becomes U+2019 (which looks the same); Latin-1 has no such character, so a space goes between.
 */
export function icySafe(song: string, unicode: boolean): string {
  return song.replace(/';/g, unicode ? '\u2019;' : "' ;");
}

// Bytes below 0x20 other than TAB/LF/CR, and DEL: a line containing them is not text.
function looksBinary(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return true;
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
// 0x80–0x9F of Windows-1252 (0 = undefined there). Spelled out because Node 20's TextDecoder
// decodes 'windows-1252' as plain Latin-1, turning ’ “ ” € into invisible C1 controls.
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

export function decodeCp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] || 0xfffd : b);
  return out;
}

/**
 * Text from a line or file: UTF-8, or (when the bytes are not valid UTF-8) Windows-1252, which is
 * what Windows playout software writes and a superset of Latin-1's printable range.
 */
export function decodeText(bytes: Uint8Array, maxBytes = MAX_RAW_CHARS): Checked {
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_long', message: `longer than ${maxBytes} bytes` };
  if (looksBinary(bytes)) return { ok: false, reason: 'binary', message: 'contains control bytes (binary data)' };
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return { ok: true, value: decodeCp1252(bytes) };
  }
}
