// rackcast-setup.toml, the optional presets a station puts on the image's boot partition before the first
// boot (like Raspberry Pi Imager's): what it may hold, checked whole before anything is applied, and the
// files it becomes. Keys (all optional):
//   hostname = "studio-a"                 the box's name on the LAN (studio-a.local) instead of rackcast-XXXX
//   admin_password_hash = "scrypt$..."    the admin password, hashed (`rackcast image-setup --hash` makes it)
//   config = "rackcast-config.json"       a configuration export (GET /api/config/export) beside this file:
//                                         encoders, capture, station, recording... imported at the first start
//   [wifi] ssid = "...", psk = "...", country = "DE"
import { pbkdf2Sync } from 'node:crypto';
import type { TomlDocument, TomlValue } from './toml.js';

export interface WifiPreset {
  ssid: string;
  /** The WPA2 pre-shared key, derived from the passphrase as wpa_passphrase does (no passphrase on the card's data partition). */
  pskHex: string;
  country: string | null;
}

export interface SetupPlan {
  hostname: string | null;
  adminPasswordHash: string | null;
  /** File name of the configuration export, relative to the setup file's directory. */
  configFile: string | null;
  wifi: WifiPreset | null;
}

const TOP_KEYS = ['hostname', 'admin_password_hash', 'config'];
const WIFI_KEYS = ['ssid', 'psk', 'country'];

function str(v: TomlValue | undefined, name: string, errors: string[]): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string') {
    errors.push(`${name} must be a "string"`);
    return null;
  }
  return v;
}

export function planSetup(doc: TomlDocument): { ok: true; plan: SetupPlan } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  for (const key of Object.keys(doc.top)) if (!TOP_KEYS.includes(key)) errors.push(`${key} is not a setting this file takes (${TOP_KEYS.join(', ')}, [wifi])`);
  for (const table of Object.keys(doc.tables)) if (table !== 'wifi') errors.push(`[${table}] is not a section this file takes (only [wifi])`);
  const wifiTable = doc.tables.wifi;
  for (const key of Object.keys(wifiTable ?? {})) if (!WIFI_KEYS.includes(key)) errors.push(`wifi.${key} is not a Wi-Fi setting (${WIFI_KEYS.join(', ')})`);

  const hostname = str(doc.top.hostname, 'hostname', errors);
  // One DNS label (RFC 1123): it is the mDNS name too.
  if (hostname !== null && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(hostname)) errors.push('hostname must be 1-63 lower-case letters, digits and inner dashes');
  const hash = str(doc.top.admin_password_hash, 'admin_password_hash', errors);
  if (hash !== null && !/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/.test(hash)) errors.push('admin_password_hash must be a hash made by `rackcast image-setup --hash` (scrypt$...)');
  const config = str(doc.top.config, 'config', errors);
  if (config !== null && !/^[A-Za-z0-9._-]+\.json$/.test(config)) errors.push('config must be the name of a .json file beside this one');

  let wifi: WifiPreset | null = null;
  if (wifiTable) {
    const ssid = str(wifiTable.ssid, 'wifi.ssid', errors);
    const psk = str(wifiTable.psk, 'wifi.psk', errors);
    const country = str(wifiTable.country, 'wifi.country', errors);
    if (ssid === null || Buffer.byteLength(ssid) < 1 || Buffer.byteLength(ssid) > 32) errors.push('wifi.ssid must be 1-32 bytes');
    if (psk === null || psk.length < 8 || psk.length > 63 || /[^\x20-\x7e]/.test(psk)) errors.push('wifi.psk must be a WPA2 passphrase of 8-63 printable ASCII characters');
    if (country !== null && !/^[A-Z]{2}$/.test(country)) errors.push('wifi.country must be a two-letter country code such as "DE"');
    if (errors.length === 0 && ssid !== null && psk !== null) wifi = { ssid, pskHex: pbkdf2Sync(psk, ssid, 4096, 32, 'sha1').toString('hex'), country };
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, plan: { hostname, adminPasswordHash: hash, configFile: config, wifi } };
}

/** wpa_supplicant's configuration for the preset network: the SSID in hex and the derived key, so no quoting can go wrong. */
export function wpaSupplicantConf(w: WifiPreset): string {
  return [
    'ctrl_interface=DIR=/run/wpa_supplicant',
    ...(w.country ? [`country=${w.country}`] : []),
    'network={',
    `\tssid=${Buffer.from(w.ssid).toString('hex')}`,
    `\tpsk=${w.pskHex}`,
    '}',
    '',
  ].join('\n');
}
