// The developers' debug log, namespaced (DEBUG=rackcast:* to see it). Operators read the
// event log in the database instead (db/event-log.ts).
import createDebug from 'debug';

export function log(namespace: string): createDebug.Debugger {
  return createDebug(`rackcast:${namespace}`);
}
