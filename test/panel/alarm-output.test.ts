// The alarm relay/LED output: when it closes (pure), the sysfs driver on a fake /sys/class/gpio tree
// (a "kernel" loop makes the gpio directory when the number is exported), and the panel service driving
// it from a real engine's alarms, the alarm line on its display at the same time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alarmRelayOn } from '../../src/panel/alarm-output/alarm-relay.js';
import { SysfsAlarmOutput } from '../../src/panel/alarm-output/sysfs-output.js';
import { parsePinMap } from '../../src/panel/buttons/pin-map.js';
import { parseStatus } from '../../src/panel/api-types.js';
import { EngineLink } from '../../src/panel/engine-link.js';
import { Panel } from '../../src/panel/panel.js';
import type { Display } from '../../src/panel/display/display.js';
import type { Framebuffer } from '../../src/panel/framebuffer.js';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { freePort, removeOnExit, waitFor } from '../harness/util.js';
import { showsText } from './find-text.js';

/** A Pi 4's header chip from kernel 6.6 on: BCM n is gpio(512 + n). */
function fakeSysfs(): { root: string; stop: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'rackcast-sysfs-'));
  removeOnExit(root);
  mkdirSync(join(root, 'gpiochip512'));
  writeFileSync(join(root, 'gpiochip512', 'base'), '512\n');
  writeFileSync(join(root, 'gpiochip512', 'ngpio'), '58\n');
  writeFileSync(join(root, 'gpiochip512', 'label'), 'pinctrl-bcm2711\n');
  writeFileSync(join(root, 'export'), '');
  // The kernel's side: an exported number gets its directory.
  const timer = setInterval(() => {
    const n = readFileSync(join(root, 'export'), 'utf8').trim();
    if (n && !existsSync(join(root, `gpio${n}`))) {
      mkdirSync(join(root, `gpio${n}`));
      writeFileSync(join(root, `gpio${n}`, 'value'), '0');
      writeFileSync(join(root, `gpio${n}`, 'direction'), 'in');
    }
  }, 10);
  return { root, stop: () => clearInterval(timer) };
}

const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8');

test('the relay closes on any alarm the panel shows and while the engine cannot be reached', () => {
  const ok = parseStatus({ capture: { state: 'running' }, encoders: [{ id: 1, name: 'A', state: 'streaming' }], alarms: [] });
  const silent = parseStatus({ capture: { state: 'running' }, encoders: [], alarms: [{ kind: 'silence', subject: 'programme', text: 'Silence' }] });
  assert.is(alarmRelayOn({ kind: 'up' }, ok), false);
  assert.is(alarmRelayOn({ kind: 'up' }, silent), true);
  assert.is(alarmRelayOn({ kind: 'down', reason: 'refused' }, null), true, 'no engine is an alarm');
  assert.is(alarmRelayOn({ kind: 'unauthorised' }, null), true);
  assert.is(alarmRelayOn({ kind: 'connecting' }, null), false, 'not at start, before the first answer');
});

test('pins.json alarm_output: parsed, optional, errors name the field', () => {
  const buttons = { startstop: 17, record: 27, up: 22, down: 23, select: 24 };
  assert.equal(parsePinMap({ buttons, alarm_output: { bcm: 25 } }).alarmOutput, { bcm: 25, activeLow: false });
  assert.is(parsePinMap({ buttons }).alarmOutput, undefined);
  assert.throws(() => parsePinMap({ buttons, alarm_output: { bcm: 17 } }), /alarm_output\.bcm: BCM 17 is already buttons\.startstop/);
  assert.throws(() => parsePinMap({ buttons, alarm_output: { bcm: 3 } }), /alarm_output\.bcm: BCM 3 is I2C SCL/);
  assert.throws(() => parsePinMap({ buttons, alarm_output: { bcm: 25, polarity: 1 } }), /alarm_output\.polarity is not a known field/);
});

test('sysfs driver: exports BCM 25 as gpio537, an output that starts off, then 1 on / 0 off; active low inverts', async () => {
  const { root, stop } = fakeSysfs();
  try {
    const out = await SysfsAlarmOutput.open(25, false, root);
    assert.is(read(root, 'export'), '537');
    assert.is(read(root, 'gpio537/direction'), 'low');
    assert.is(out.description, 'alarm output on BCM25/gpio537');
    await out.set(true);
    assert.is(read(root, 'gpio537/value'), '1');
    await out.set(false);
    assert.is(read(root, 'gpio537/value'), '0');
    const inverted = await SysfsAlarmOutput.open(25, true, root);
    assert.is(read(root, 'gpio537/direction'), 'high', 'already exported: only made an output, off (high)');
    await inverted.set(true);
    assert.is(read(root, 'gpio537/value'), '0');
    const refused = await SysfsAlarmOutput.open(60, false, root).then(() => null, (err: Error) => err.message);
    assert.match(refused ?? '', /BCM 60 is not a pin of pinctrl-bcm2711/);
  } finally {
    stop();
  }
});

class MemoryDisplay implements Display {
  readonly description = 'memory';
  last: Framebuffer | null = null;
  async show(frame: Framebuffer): Promise<void> {
    this.last = frame;
  }
  async close(): Promise<void> {}
}

test('the panel drives the relay from a real engine: closed with SILENCE on the alarm line, open again when it clears, closed when a server is down', async () => {
  const { root, stop } = fakeSysfs();
  const t: TestEngine = await startTestEngine({ captureDevice: 'tone:440' });
  const display = new MemoryDisplay();
  const link = new EngineLink({ apiUrl: t.web.url, authorization: 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64') });
  const output = await SysfsAlarmOutput.open(25, false, root);
  const panel = new Panel({ link, display, buttons: null, alarmOutput: output, apiUrl: t.web.url, mirror: false, holdMs: 2000, say: () => {} });
  const value = () => read(root, 'gpio537/value');
  try {
    panel.start();
    await waitFor(() => link.state.kind === 'up' && display.last !== null, { timeoutMs: 5000, what: 'panel up' });
    await new Promise((r) => setTimeout(r, 600));
    assert.is(value(), '0', 'all well: open');

    // The tone (-15 dBFS RMS) is "silence" below a -10 dBFS threshold: the silence alarm after 2 s.
    assert.is((await t.api('PUT', '/api/alarms/settings', { silence_threshold_dbfs: -10, silence_secs: 2, recovery_secs: 1 })).status, 200);
    await waitFor(() => value() === '1', { timeoutMs: 10_000, what: 'relay closed' });
    await waitFor(() => display.last !== null && showsText(display.last, 'SILENCE', { invert: true }), { timeoutMs: 3000, what: 'SILENCE on the alarm line' });
    await t.api('PUT', '/api/alarms/settings', { silence_threshold_dbfs: -50 });
    await waitFor(() => value() === '0', { timeoutMs: 10_000, what: 'relay open after the recovery time' });

    const created = await t.api('POST', '/api/encoders', icecastEncoder(await freePort(), '/none.mp3', { name: 'Web' }));
    await t.api('POST', `/api/encoders/${created.body.id}/start`);
    await waitFor(() => value() === '1', { timeoutMs: 15_000, what: 'relay closed for the server down' });
    await waitFor(() => display.last !== null && showsText(display.last, 'SERVER DOWN Web', { invert: true }), { timeoutMs: 3000, what: 'SERVER DOWN on the alarm line' });
  } finally {
    await panel.stop();
    await t.stop();
    stop();
  }
  assert.is(value(), '0', 'the panel leaves it open when it stops');
});

test.run();
