// The alarm line: the engine's conditions in the fewest words an engineer reads across the rack
// ("NO INPUT", "SERVER DOWN Main MP3"). Pure: from the status the panel holds.
import type { PanelEncoder, PanelStatus } from './api-types.js';

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
  if (status.capture.state === 'no_input') out.push('NO INPUT');
  for (const e of status.encoders) {
    const a = encoderAlarm(e);
    if (a) out.push(a);
  }
  // Alarms of kinds this panel does not know yet (a newer engine) are shown as the engine words them.
  for (const a of status.alarms) {
    const known = /^no input/i.test(a) || status.encoders.some((e) => a.startsWith(`${e.name}:`));
    if (!known) out.push(a);
  }
  return out;
}
