import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NetworkInterfaceInfo } from 'node:os';
import { networkInfo } from '../../src/panel/network-info.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;

const interfaces = {
  lo: [iface('127.0.0.1', 'IPv4', true)],
  wlan0: [iface('192.168.1.77', 'IPv4')],
  eth0: [iface('fe80::1', 'IPv6'), iface('192.168.1.20', 'IPv4')],
};

test('wired before wireless; the page is at the box address with the API port', () => {
  assert.equal(networkInfo(interfaces, 'rackcast', 'http://127.0.0.1:8080'), { address: '192.168.1.20', hostname: 'rackcast', pageUrl: 'http://192.168.1.20:8080/' });
  assert.is(networkInfo({ lo: interfaces.lo, wlan0: interfaces.wlan0 }, 'rackcast', 'http://localhost').pageUrl, 'http://192.168.1.77/');
});

test('no network: the host name stands in; an API named from outside is the page', () => {
  assert.equal(networkInfo({ lo: interfaces.lo }, 'rackcast', 'http://127.0.0.1:8080'), { address: null, hostname: 'rackcast', pageUrl: 'http://rackcast:8080/' });
  assert.is(networkInfo(interfaces, 'rackcast', 'http://studio-encoder.local:8080').pageUrl, 'http://studio-encoder.local:8080/');
});

test.run();
