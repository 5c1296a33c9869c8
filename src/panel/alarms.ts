// The alarm line: the engine's conditions in the fewest words an engineer reads across the rack
// ("SILENCE", "FALLBACK HELD", "NO INPUT", "SERVER DOWN Main MP3"). Pure: from the status the panel holds.
import type { PanelAlarm, PanelEncoder, PanelStatus } from './api-types.js';

/** Kinds the panel words from the capture and encoder states itself (with the server's reason). */
const FROM_STATES = new Set(['no_input', 'encoder_retrying', 'encoder_failed']);

function kindAlarm(a: PanelAlarm): string | null {
  switch (a.kind) {
    case 'silence':
      return 'SILENCE';
    case 'channel_lost':
      return `${a.subject.toUpperCase()} CH LOST`;
    case 'clipping':
      return 'CLIPPING';
    case 'storage_full':
      return `DISK FULL ${a.subject}`;
    case 'storage_missing':
      return `NO DISK ${a.subject}`;
    case 'recording_error':
      return `REC ERROR ${a.subject}`;
    case 'fallback_unavailable':
      return 'NO FALLBACK';
    default:
      return null;
  }
}

function encoderAlarm(e: PanelEncoder): string | null {
  if (e.state !== 'retrying' && e.state !== 'failed') return null;
  const err = e.last_error ?? '';
  if (/unreachable|did not answer|closed the connection|refused|timed out/i.test(err)) return `SERVER DOWN ${e.name}`;
  if (/password/i.test(err)) return `BAD PASSWORD ${e.name}`;
  if (/mount in use/i.test(err)) return `MOUNT BUSY ${e.name}`;
  if (/server full/i.test(err)) return `SERVER FULL ${e.name}`;
  return e.state === 'failed' ? `FAILED ${e.name}` : `RETRYING ${e.name}`;
}

export function panelAlarms(status: PanelStatus): string[] {
  const out: string[] = [];
  // Dead air first: it is what listeners hear; then whether the fallback covers it, or is held on air.
  for (const a of status.alarms) if (a.kind === 'silence') out.push('SILENCE');
  if (status.fallback?.held) out.push('FALLBACK HELD');
  else if (status.fallback?.active) out.push('FALLBACK ON AIR');
  if (status.capture.state === 'no_input') out.push('NO INPUT');
  for (const e of status.encoders) {
    const a = encoderAlarm(e);
    if (a) out.push(a);
  }
  for (const a of status.alarms) {
    if (a.kind === 'silence' || FROM_STATES.has(a.kind)) continue;
    const short = kindAlarm(a);
    if (short) {
      out.push(short);
      continue;
    }
    // An older engine's words, or a kind this panel does not know yet (a newer engine): as the engine words it.
    const known = a.kind === '' && (/^no input/i.test(a.text) || status.encoders.some((e) => a.text.startsWith(`${e.name}:`)));
    if (!known) out.push(a.text);
  }
  return out;
}
