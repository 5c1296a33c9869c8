import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadPinMap, parsePinMap } from '../../../src/panel/buttons/pin-map.js';
import { DEFAULT_PINS_PATH } from '../../../src/panel/panel-flags.js';

const good = { active_low: true, buttons: { startstop: 17, record: 27, up: 22, down: 23, select: 24 } };

test('device/pins.json is valid and agrees with the pull-ups in device/panel-config.txt', async () => {
  const map = await loadPinMap(DEFAULT_PINS_PATH);
  assert.equal(map, { activeLow: true, buttons: good.buttons, alarmOutput: { bcm: 25, activeLow: false } });
  const config = readFileSync(new URL('../../../device/panel-config.txt', import.meta.url), 'utf8');
  const pulled = /^gpio=([\d,]+)=ip,pu$/m.exec(config)?.[1]?.split(',').map(Number).sort((a, b) => a - b);
  assert.equal(pulled, Object.values(map.buttons).sort((a, b) => a - b));
});

test('errors name the field', () => {
  assert.throws(() => parsePinMap([]), /buttons must be an object/);
  assert.throws(() => parsePinMap({ buttons: { ...good.buttons, record: 40 } }), /buttons\.record must be a BCM number 0-27/);
  assert.throws(() => parsePinMap({ buttons: { ...good.buttons, up: 2 } }), /buttons\.up: BCM 2 is I2C SDA/);
  assert.throws(() => parsePinMap({ buttons: { ...good.buttons, down: 17 } }), /buttons\.down: BCM 17 is already buttons\.startstop/);
  assert.throws(() => parsePinMap({ buttons: { ...good.buttons, select: undefined } }), /buttons\.select/);
  assert.throws(() => parsePinMap({ buttons: { ...good.buttons, menu: 5 } }), /buttons\.menu is not a button/);
  assert.throws(() => parsePinMap({ ...good, active_low: 'yes' }), /active_low must be true or false/);
});

test('active_low defaults to true (buttons to ground)', () => {
  assert.is(parsePinMap({ buttons: good.buttons }).activeLow, true);
  assert.is(parsePinMap({ ...good, active_low: false }).activeLow, false);
});

test('a missing or broken file says which file', async () => {
  await loadPinMap('/nonexistent/pins.json').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /cannot read the pin map \/nonexistent\/pins.json/));
  await loadPinMap(new URL('../../../package.json', import.meta.url).pathname).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /buttons must be an object/));
});

test.run();
