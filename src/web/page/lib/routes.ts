// Hash routes, so the engine serves one file and the back button works:
//   #/             overview: status cards, listener graph, now playing, recordings
//   #/encoders     the encoder list
//   #/encoders/new and #/encoders/ID   the editor
//   #/alarms       alarms now and before, the silence sensor, the fallback and the notifications
//   #/log          the event log, live, with its filters
//   #/box          the box: capture, station, access, intake, stats and storage, system, backup
export type Route = { view: 'overview' } | { view: 'encoders' } | { view: 'editor'; id: number | null } | { view: 'alarms' } | { view: 'log' } | { view: 'box' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/encoders') return { view: 'encoders' };
  if (path === '/alarms') return { view: 'alarms' };
  if (path === '/log') return { view: 'log' };
  if (path === '/box') return { view: 'box' };
  if (path === '/encoders/new') return { view: 'editor', id: null };
  const m = /^\/encoders\/(\d+)$/.exec(path);
  if (m) return { view: 'editor', id: Number(m[1]) };
  return { view: 'overview' };
}

export function hrefFor(route: Route): string {
  if (route.view === 'encoders') return '#/encoders';
  if (route.view === 'alarms') return '#/alarms';
  if (route.view === 'log') return '#/log';
  if (route.view === 'box') return '#/box';
  if (route.view === 'editor') return route.id === null ? '#/encoders/new' : `#/encoders/${route.id}`;
  return '#/';
}
