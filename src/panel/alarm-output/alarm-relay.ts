// When the alarm relay (or LED) on the panel's GPIO output closes: whenever the panel shows an alarm, and
// whenever it cannot reach the engine, because an engine that is not running is the loudest alarm of all
// (a rack silence sensor's relay also fails to "alarm"). Pure.
import type { LinkState } from '../engine-link.js';
import type { PanelStatus } from '../api-types.js';
import { panelAlarms } from '../alarms.js';

export function alarmRelayOn(link: LinkState, status: PanelStatus | null): boolean {
  if (link.kind === 'connecting') return false;
  if (link.kind !== 'up' || status === null) return true;
  return panelAlarms(status).length > 0;
}
