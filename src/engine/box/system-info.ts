// GET /api/system: the box itself. Version, uptimes, host name and addresses, whether the clock is
// synchronised (the Pi has no RTC: until NTP has synced after boot, hourly rotation and cue times follow
// a wrong clock), CPU load and temperature where the board has a sensor, memory, and the data
// directory's disk. Each reading that cannot be made is null, never an error: a box without a thermal
// zone or without systemd still answers.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

export type ClockState = 'synchronized' | 'unsynchronized' | 'unknown';

export interface SystemInfo {
  version: string;
  hostname: string;
  addresses: { interface: string; family: 'IPv4' | 'IPv6'; address: string }[];
  engine_uptime_secs: number;
  os_uptime_secs: number;
  clock: { state: ClockState; now: string; source: string | null };
  cpu: { count: number; load_1m: number; load_5m: number; load_15m: number };
  temperatures_c: { zone: string; type: string; celsius: number }[];
  memory: { total_bytes: number; available_bytes: number };
  data_disk: { path: string; total_bytes: number; free_bytes: number } | null;
}

/** /sys/class/thermal/thermal_zone*: millidegrees in `temp`, the sensor's name in `type`. Pure over the reader. */
export function readThermalZones(root: string, read: (path: string) => string | null): SystemInfo['temperatures_c'] {
  let zones: string[];
  try {
    zones = readdirSync(root).filter((z) => /^thermal_zone\d+$/.test(z)).sort((a, b) => Number(a.slice(12)) - Number(b.slice(12)));
  } catch {
    return [];
  }
  const out: SystemInfo['temperatures_c'] = [];
  for (const zone of zones) {
    const text = read(join(root, zone, 'temp'));
    const milli = Number(text?.trim());
    // A sensor that is asleep or broken answers with an error or nothing: left out.
    if (text === null || text.trim() === '' || !Number.isFinite(milli)) continue;
    out.push({ zone, type: read(join(root, zone, 'type'))?.trim() ?? zone, celsius: Math.round(milli / 100) / 10 });
  }
  return out;
}

/** MemAvailable from /proc/meminfo (kB), which counts reclaimable cache, unlike os.freemem(). Pure. */
export function memAvailableBytes(meminfo: string): number | null {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : null;
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * systemd-timesyncd touches this file once the clock is synchronised; otherwise timedatectl (chrony, ntpd)
 * is asked. RACKCAST_TIMEDATECTL names another timedatectl (tests), as RACKCAST_ARECORD does for arecord.
 */
export async function clockState(syncFile = '/run/systemd/timesync/synchronized'): Promise<SystemInfo['clock']> {
  const now = new Date().toISOString();
  if (existsSync(syncFile)) return { state: 'synchronized', now, source: 'systemd-timesyncd' };
  const answer = await new Promise<string | null>((resolve) => {
    execFile(process.env.RACKCAST_TIMEDATECTL || 'timedatectl', ['show', '--property=NTPSynchronized', '--value'], { timeout: 2000 }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
  if (answer === 'yes') return { state: 'synchronized', now, source: 'timedatectl' };
  if (answer === 'no') return { state: 'unsynchronized', now, source: 'timedatectl' };
  return { state: 'unknown', now, source: null };
}

let cachedVersion: string | null = null;
function version(): string {
  if (cachedVersion) return cachedVersion;
  const text = readText(new URL('../../../package.json', import.meta.url).pathname);
  try {
    cachedVersion = text ? String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown') : 'unknown';
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}

export async function systemInfo(opts: { dataDir: string; engineStartedAt: number; thermalRoot?: string }): Promise<SystemInfo> {
  const addresses: SystemInfo['addresses'] = [];
  for (const [name, list] of Object.entries(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) addresses.push({ interface: name, family: a.family as 'IPv4' | 'IPv6', address: a.address });
  }
  const [l1, l5, l15] = os.loadavg() as [number, number, number];
  const disk = await statfs(opts.dataDir).catch(() => null);
  return {
    version: version(),
    hostname: os.hostname(),
    addresses,
    engine_uptime_secs: Math.floor((Date.now() - opts.engineStartedAt) / 1000),
    os_uptime_secs: Math.floor(os.uptime()),
    clock: await clockState(),
    cpu: { count: os.cpus().length, load_1m: round2(l1), load_5m: round2(l5), load_15m: round2(l15) },
    temperatures_c: readThermalZones(opts.thermalRoot ?? '/sys/class/thermal', readText),
    memory: { total_bytes: os.totalmem(), available_bytes: memAvailableBytes(readText('/proc/meminfo') ?? '') ?? os.freemem() },
    data_disk: disk ? { path: opts.dataDir, total_bytes: disk.blocks * disk.bsize, free_bytes: disk.bavail * disk.bsize } : null,
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
