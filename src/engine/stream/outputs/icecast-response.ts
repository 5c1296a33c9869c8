// Reads what an Icecast-style server says to a source client (PROTOCOLS.md 1.5, 1.7, 3.1).
// Pure: the socket code feeds it the text received so far and acts on the verdict. Servers
// differ a lot here: IC-2.4.4 sends 100 then 200, IC-2.5 only 100 or nothing, icecast-kh sends
// 100 then an error in the same read, DNAS2 answers with bare lines and a stray NUL.
import { SourceError } from './source-errors.js';

export interface StatusLine {
  code: number;
  reason: string;
}

export type IcecastVerdict = 'accepted' | 'pending' | 'retry_with_source' | SourceError;

// ICE/1.0 is what some servers echo to `SOURCE … ICE/1.0`; "ICY 200 OK" is SHOUTcast's own.
const STATUS_LINE = /^(?:HTTP\/\d+(?:\.\d+)?|ICE\/\d+(?:\.\d+)?|ICY)[ \t]+(\d{3})(?:[ \t]+(.*))?$/;

/** Every status line in the buffer, in order, whatever the line endings and stray NULs. */
export function parseStatusLines(buf: string): StatusLine[] {
  const lines: StatusLine[] = [];
  for (const raw of buf.split('\n')) {
    const line = raw.replace(/\0/g, '').replace(/\r+$/, '').trim();
    const match = STATUS_LINE.exec(line);
    if (match) lines.push({ code: Number(match[1]), reason: (match[2] ?? '').trim() });
  }
  return lines;
}

/**
 * DNAS2 answers HTTP-style and v1 sources with bare lines instead of status codes
 * (`global.cpp` MSG_*), and DNAS1 with a lower-case `invalid password`.
 */
export function classifyBareLine(text: string): SourceError | null {
  if (/invalid password/i.test(text)) return new SourceError('auth', 'Invalid Password');
  if (/stream in use/i.test(text)) return new SourceError('mount_busy', 'Stream In Use');
  if (/bad stream id/i.test(text)) return new SourceError('rejected', 'Bad Stream ID');
  if (/stream moved/i.test(text)) return new SourceError('rejected', 'Stream Moved');
  return null;
}

/** A short printable excerpt of an unexpected reply, for the operator and the log. */
export function excerpt(text: string, maxChars = 80): string {
  const printable = text
    .replace(/\0/g, '')
    .replace(/[\r\n]+/g, ' | ')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?')
    .trim()
    .replace(/^\|\s*|\s*\|$/g, '');
  return printable.length > maxChars ? `${printable.slice(0, maxChars)}…` : printable;
}

/**
 * The first line of the body that follows the status line with `code`. IC-2.4.4 says
 * "403 Forbidden" in the status line and the actual reason ("Mountpoint in use",
 * "No Content-type given") only in the body.
 */
function bodyOf(text: string, code: number): string {
  const start = new RegExp(`(?:HTTP|ICE)/[\\d.]+[ \\t]+${code}\\b`).exec(text);
  if (!start) return '';
  const rest = text.slice(start.index);
  const headEnd = /\r?\n\r?\n/.exec(rest);
  if (!headEnd) return '';
  const firstLine = rest.slice(headEnd.index + headEnd[0].length).split('\n').find((l) => l.trim() !== '');
  return firstLine ? excerpt(firstLine) : '';
}

function classifyFailure(line: StatusLine, text: string, method: 'PUT' | 'SOURCE'): IcecastVerdict {
  const words = `${line.reason}\n${text}`;
  const body = bodyOf(text, line.code);
  const status = `${line.code} ${line.reason}`.trim();
  const said = body && !status.toLowerCase().includes(body.toLowerCase()) ? `${status}: ${body}` : status;
  if (line.code === 401) return new SourceError('auth', said);
  // IC-2.5 uses 409 for nothing but a busy mount, so it needs no "in use" text.
  if (line.code === 409 || (line.code === 403 && /in use/i.test(words))) {
    return new SourceError('mount_busy', said);
  }
  if (line.code === 503 || (line.code === 403 && /too many sources|connection limit/i.test(words))) {
    return new SourceError('server_full', said);
  }
  // Servers that do not know PUT (IC < 2.4, AIS, some proxies) say so with one of these.
  if (method === 'PUT' && (line.code === 400 || line.code === 404 || line.code === 405)) {
    return 'retry_with_source';
  }
  return new SourceError('rejected', said);
}

/**
 * The verdict on everything received so far after sending the request head (PROTOCOLS 1.7
 * steps 2-3). Any error status wins over an earlier 100/200 in the same buffer, because
 * icecast-kh sends `100 Continue` before checking the mount. `bodyText` is the whole text
 * received: Icecast puts the reason ("Mountpoint in use") in the body, after "403 Forbidden".
 */
export function classifyIcecastReply(
  lines: StatusLine[],
  bodyText: string,
  method: 'PUT' | 'SOURCE' = 'PUT',
): IcecastVerdict {
  const failure = lines.find((l) => l.code >= 400);
  if (failure) return classifyFailure(failure, bodyText, method);
  if (lines.some((l) => l.code === 100 || (l.code >= 200 && l.code < 300))) return 'accepted';
  const redirect = lines.find((l) => l.code >= 300);
  // A source cannot follow a redirect: the body it would have to resend is the live stream.
  if (redirect) return new SourceError('rejected', `${redirect.code} ${redirect.reason}`.trim());
  if (lines.length > 0) return 'pending'; // some other 1xx: the real answer is still coming

  const bare = classifyBareLine(bodyText);
  if (bare) return bare;
  // A whole line that is none of the above is not a server we can talk to; a partial one
  // (no newline yet) may still become a status line with the next read.
  const meaningful = bodyText.replace(/\0/g, '');
  if (meaningful.includes('\n') && meaningful.trim() !== '') {
    return new SourceError('protocol', excerpt(meaningful));
  }
  return 'pending';
}

/**
 * After acceptance the server only ever speaks again to say goodbye: a late HTTP error
 * (icecast-kh after 100, Icecast's ICY-compat 403 after OK2) or a DNAS2 bare line. Anything
 * else (the 200 that follows a 100, the rest of `OK2\r\nicy-caps:11`) is ignored. Bare lines
 * count only once complete, or at EOF, so a split read cannot misfire.
 */
export function detectLateFailure(text: string, ended: boolean): SourceError | null {
  const failure = parseStatusLines(text).find((l) => l.code >= 400);
  if (failure) {
    const verdict = classifyFailure(failure, text, 'SOURCE');
    return verdict instanceof SourceError ? verdict : null;
  }
  const complete = ended ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return classifyBareLine(complete);
}
