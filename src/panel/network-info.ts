// The box's address, name and web page URL for the network screen. Pure over what os reports.
import type { NetworkInterfaceInfo } from 'node:os';

export interface NetworkInfo {
  address: string | null;
  hostname: string;
  pageUrl: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The first external IPv4 address (wired before wireless, by interface name order of `eth`, `en`,
 * `wl`), the host name, and the page URL: the API URL itself when it names the box from outside,
 * else the address with the API's port.
 */
export function networkInfo(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, hostname: string, apiUrl: string): NetworkInfo {
  const rank = (name: string) => (name.startsWith('eth') || name.startsWith('en') ? 0 : name.startsWith('wl') ? 1 : 2);
  const names = Object.keys(interfaces).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  let address: string | null = null;
  for (const name of names) {
    const v4 = (interfaces[name] ?? []).find((i) => i.family === 'IPv4' && !i.internal);
    if (v4) {
      address = v4.address;
      break;
    }
  }
  const api = new URL(apiUrl);
  const page = LOOPBACK_HOSTS.has(api.hostname)
    ? `${api.protocol}//${address ?? hostname}${api.port ? `:${api.port}` : ''}/`
    : `${api.protocol}//${api.host}/`;
  return { address, hostname, pageUrl: page };
}
