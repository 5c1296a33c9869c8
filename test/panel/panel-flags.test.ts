import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PINS_PATH, parseDisplaySpec, parsePanelFlags } from '../../src/panel/panel-flags.js';

test('defaults: the local engine, an SSD1306 on /dev/i2c-1 at 0x3c, GPIO buttons', () => {
  assert.equal(parsePanelFlags([], {}), {
    apiUrl: 'http://127.0.0.1:8080',
    display: { kind: 'ssd1306', bus: 1, address: 0x3c },
    buttons: 'gpio',
    pinsPath: DEFAULT_PINS_PATH,
    mirror: true,
    authorization: null,
  });
  assert.match(DEFAULT_PINS_PATH, /device\/pins\.json$/);
});

test('environment variables, and flags winning over them', () => {
  const env = { RACKCAST_PANEL_API: 'http://10.0.0.5:9000/', RACKCAST_PANEL_DISPLAY: 'sh1106:3:0x3d', RACKCAST_PANEL_BUTTONS: 'stdin', RACKCAST_PANEL_PINS: '/etc/pins.json', RACKCAST_PANEL_MIRROR: '0' };
  const fromEnv = parsePanelFlags([], env);
  assert.equal(fromEnv.apiUrl, 'http://10.0.0.5:9000');
  assert.equal(fromEnv.display, { kind: 'sh1106', bus: 3, address: 0x3d });
  assert.is(fromEnv.buttons, 'stdin');
  assert.is(fromEnv.pinsPath, '/etc/pins.json');
  assert.is(fromEnv.mirror, false);
  const flags = parsePanelFlags(['--api', 'http://127.0.0.1:8081', '--display', 'png:/tmp/p.png', '--buttons', 'gpio', '--pins', 'p.json'], env);
  assert.is(flags.apiUrl, 'http://127.0.0.1:8081');
  assert.equal(flags.display, { kind: 'png', path: '/tmp/p.png' });
  assert.is(flags.buttons, 'gpio');
  assert.is(flags.pinsPath, 'p.json');
  assert.is(parsePanelFlags(['--no-mirror'], {}).mirror, false);
});

test('credentials: an API token (Bearer) wins over the admin password (Basic admin:PW)', () => {
  assert.is(parsePanelFlags([], { RACKCAST_ADMIN_PASSWORD: 'pw' }).authorization, `Basic ${Buffer.from('admin:pw').toString('base64')}`);
  assert.is(parsePanelFlags([], { RACKCAST_ADMIN_PASSWORD: 'pw', RACKCAST_API_TOKEN: 'rct_x' }).authorization, 'Bearer rct_x');
});

test('display specs', () => {
  assert.equal(parseDisplaySpec('ssd1306'), { kind: 'ssd1306', bus: 1, address: 0x3c });
  assert.equal(parseDisplaySpec('sh1106:0'), { kind: 'sh1106', bus: 0, address: 0x3c });
  assert.equal(parseDisplaySpec('ssd1306:1:61'), { kind: 'ssd1306', bus: 1, address: 61 });
  assert.equal(parseDisplaySpec('png:relative/frame.png'), { kind: 'png', path: 'relative/frame.png' });
});

test('bad values name the flag', () => {
  assert.throws(() => parsePanelFlags(['--display', 'lcd'], {}), /--display must be ssd1306.*not "lcd"/);
  assert.throws(() => parsePanelFlags(['--display', 'png:'], {}), /--display png:PATH needs a file path/);
  assert.throws(() => parsePanelFlags(['--display', 'ssd1306:one'], {}), /--display ssd1306:one: the I2C bus/);
  assert.throws(() => parsePanelFlags(['--display', 'ssd1306:1:0x80'], {}), /--display ssd1306:1:0x80: the I2C address must be 0x03-0x77/);
  assert.throws(() => parsePanelFlags(['--display', 'ssd1306:1:0x3c:9'], {}), /--display .*too many parts/);
  assert.throws(() => parsePanelFlags(['--buttons', 'keyboard'], {}), /--buttons must be gpio or stdin/);
  assert.throws(() => parsePanelFlags(['--api', 'localhost:8080'], {}), /--api must be an http:\/\/ or https:\/\/ URL/);
  assert.throws(() => parsePanelFlags(['--api', 'not a url'], {}), /--api must be a URL/);
  assert.throws(() => parsePanelFlags([], { RACKCAST_PANEL_API: 'http://x/?a=1' }), /--api must not have a query/);
  assert.throws(() => parsePanelFlags([], { RACKCAST_PANEL_MIRROR: 'maybe' }), /RACKCAST_PANEL_MIRROR/);
  assert.throws(() => parsePanelFlags(['--bogus'], {}), /bogus/);
});

test.run();
