// How numbers and times read on the page. Pure: every function takes what it shows (and `now` when
// it is relative), so they are tested with plain values.
import type { EncoderStatus } from './types.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Bytes in decimal units, as disk and network sizes are sold: "0 B", "950 B", "1.5 kB", "57.6 MB", "1.20 GB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}

/** A duration for an operator: "0 s", "45 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". */
export function formatDuration(totalSecs: number | null | undefined): string {
  if (totalSecs === null || totalSecs === undefined || !Number.isFinite(totalSecs) || totalSecs < 0) return '—';
  const s = Math.floor(totalSecs);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Local wall-clock time "14:03:20"; with the day ("3 May 14:03") when it is not today. */
export function formatClock(at: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (at === null || at === undefined) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '—';
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return time;
  const month = d.toLocaleString('en-GB', { month: 'short' });
  return `${d.getDate()} ${month} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "just now", "12 s ago", "4 min ago", "2 h ago", or the clock time beyond a day. */
export function formatAgo(at: string | null | undefined, now: number): string {
  if (!at) return '—';
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) return '—';
  const secs = Math.round((now - t) / 1000);
  if (secs < 2) return 'just now';
  if (secs < 60) return `${secs} s ago`;
  if (secs < 3600) return `${Math.floor(secs / 60)} min ago`;
  if (secs < 86400) return `${Math.floor(secs / 3600)} h ago`;
  return formatClock(at, now);
}

/** Seconds until `at`, never negative; null when there is no time. */
export function secondsUntil(at: string | null | undefined, now: number): number | null {
  if (!at) return null;
  const t = new Date(at).getTime();
  return Number.isNaN(t) ? null : Math.max(0, Math.ceil((t - now) / 1000));
}

/** Uptime of an encoder on air, counted from `connected_since` so it ticks between status updates. */
export function liveUptimeSecs(status: Pick<EncoderStatus, 'state' | 'connected_since' | 'uptime_secs'>, now: number): number | null {
  if (status.state !== 'streaming') return null;
  if (!status.connected_since) return status.uptime_secs;
  const since = new Date(status.connected_since).getTime();
  return Number.isNaN(since) ? status.uptime_secs : Math.max(0, Math.floor((now - since) / 1000));
}

/** What a listener count reads as: "3 listeners", "1 listener", "—" when not measured. */
export function listenersText(count: number | null | undefined): string {
  if (count === null || count === undefined) return '—';
  return `${count} listener${count === 1 ? '' : 's'}`;
}

/** A count that may be an average over a graph bucket: "3", "2.5". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A time-axis label: "14:30", or the date ("3 May") at midnight, where the day changes. */
export function formatAxisTime(ms: number): string {
  const d = new Date(ms);
  if (d.getHours() === 0 && d.getMinutes() === 0) return `${d.getDate()} ${d.toLocaleString('en-GB', { month: 'short' })}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
