// What a Liquidsoap encoder tells the engine, read from its stdout: the script's own event lines
// ("RACKCAST connected", "RACKCAST error <text>") and Liquidsoap's log lines, kept for the operator
// when it stops. Errors are put in the same words as the ffmpeg backend's source client, so
// "wrong password" and "mount in use" read the same whichever backend an encoder uses.
import { SourceError, type SourceErrorKind } from '../outputs/source-errors.js';

export type LiquidsoapEvent =
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'error'; error: SourceError }
  | { type: 'input_ended' }
  | { type: 'log'; text: string; severe: boolean };

const RULES: Array<{ test: RegExp; kind: SourceErrorKind; detail?: (m: RegExpMatchArray, text: string) => string }> = [
  { test: /^401\b|[Ii]nvalid password|Authentication Required/, kind: 'auth' },
  { test: /^403\b/, kind: 'mount_busy' },
  { test: /Connection refused/i, kind: 'unreachable', detail: () => 'connection refused' },
  { test: /No route to host|Host is unreachable/i, kind: 'unreachable', detail: () => 'no route to host' },
  { test: /Network is unreachable/i, kind: 'unreachable', detail: () => 'network unreachable' },
  // Liquidsoap (2.1.3 and 2.3.2 alike) says only "Not_found" (OCaml's exception) for a host name that does not resolve.
  { test: /[Cc]ould not resolve|Name or service not known|host not found|Unknown host|^Not_found$/i, kind: 'unreachable', detail: () => 'host name not found' },
  { test: /[Tt]imed? ?out/, kind: 'timeout' },
  { test: /Broken pipe|Connection reset|EPIPE|ECONNRESET/i, kind: 'closed' },
  { test: /^(\d{3}), ([^(]*)/, kind: 'rejected', detail: (m) => `${m[1]} ${m[2]!.trim()}` },
];

/** An error text from Liquidsoap's on_error, as a SourceError an operator can act on. */
export function classifyLiquidsoapError(text: string): SourceError {
  const t = text.trim();
  for (const rule of RULES) {
    const m = t.match(rule.test);
    if (m) return new SourceError(rule.kind, rule.detail ? rule.detail(m, t) : '');
  }
  return new SourceError('rejected', t.slice(0, 200));
}

const EVENT_LINE = /^RACKCAST (connected|disconnected|input_ended|error)(?: (.*))?$/;
// "2026/12/02 02:09:20 [/a.mp3:2] Connection failed: ..." (level 1 critical, 2 severe).
const LOG_LINE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[([^\]]*):(\d)\] (.*)$/;

export function parseLiquidsoapLine(line: string): LiquidsoapEvent | null {
  const event = line.match(EVENT_LINE);
  if (event) {
    switch (event[1]) {
      case 'connected':
        return { type: 'connected' };
      case 'disconnected':
        return { type: 'disconnected' };
      case 'input_ended':
        return { type: 'input_ended' };
      default:
        return { type: 'error', error: classifyLiquidsoapError(event[2] ?? '') };
    }
  }
  const logged = line.match(LOG_LINE);
  // 2.3 logs deprecations at level 2 ("[lang.deprecated:2] WARNING: ..."): not a reason an encoder failed.
  if (logged) return { type: 'log', text: `${logged[1]}: ${logged[3]}`, severe: Number(logged[2]) <= 2 && logged[1] !== 'lang.deprecated' };
  const text = line.trim();
  return text ? { type: 'log', text, severe: /error|failed|exception/i.test(text) } : null;
}
