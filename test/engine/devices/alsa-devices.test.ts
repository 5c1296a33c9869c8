// The device lists an operator picks from. The Debian outputs were recorded on this test machine (no
// sound card: ALSA's plugins only); the Raspberry Pi 4 ones (its headphone jack plus a Burr-Brown USB
// Audio CODEC) are written out from the formats of alsa-utils' -L and the kernel's /proc/asound files,
// not recorded on a Pi: no Pi is here to record them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDevices, listDevices, parseCards, parseDeviceHints, parseUsbStream, readProcCards } from '../../../src/engine/devices/alsa-devices.js';
import { removeOnExit } from '../../harness/util.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

test('aplay -L / arecord -L: names and their descriptions; null is no device', () => {
  const hints = parseDeviceHints(fixture('pi4-usb-aplay-L.txt'));
  assert.is(hints.length, 11);
  assert.equal(hints[1], { name: 'hw:CARD=Headphones,DEV=0', lines: ['bcm2835 Headphones, bcm2835 Headphones', 'Direct hardware device without any conversions'] });
  const outputs = buildDevices(hints, 'output', []);
  assert.not.ok(outputs.some((d) => d.name === 'null'));
  assert.equal(outputs.map((d) => d.kind).slice(0, 2), ['hw', 'plughw']);
  const vm = buildDevices(parseDeviceHints(fixture('debian12-vm-aplay-L.txt')), 'output', []);
  const pulse = vm.find((d) => d.name === 'pulse');
  assert.equal(pulse && [pulse.description, pulse.card, pulse.kind], ['PulseAudio Sound Server', null, 'other']);
});

test('/proc/asound/cards: the id CARD= names, and the long name', () => {
  assert.equal(parseCards(fixture('pi4-usb-cards.txt')), [
    { index: 0, id: 'Headphones', driver: 'bcm2835_headpho', name: 'bcm2835 Headphones', longName: 'bcm2835 Headphones' },
    { index: 1, id: 'CODEC', driver: 'USB-Audio', name: 'USB Audio CODEC', longName: 'Burr-Brown from TI USB Audio CODEC at usb-0000:01:00.0-1.3, full speed' },
  ]);
});

test('a USB card\'s stream0: channels and rates per direction', () => {
  assert.equal(parseUsbStream(fixture('pi4-usb-card1-stream0.txt')), {
    output: { channels: [1, 2], rates: [32000, 44100, 48000] },
    input: { channels: [2], rates: [8000, 11025, 16000, 22050, 32000, 44100, 48000] },
  });
  assert.equal(parseUsbStream('Capture:\n  Channels: 4\n  Rates: 8000 - 96000 (continuous)\n'), { input: { channels: [4], rates: [8000, 96000] } });
});

test('read from a /proc/asound tree: card description, capabilities, and which device is open', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rackcast-asound-'));
  removeOnExit(root);
  writeFileSync(join(root, 'cards'), fixture('pi4-usb-cards.txt'));
  for (const [dir, status] of [['card0/pcm0p/sub0', 'closed\n'], ['card1/pcm0p/sub0', 'closed\n'], ['card1/pcm0c/sub0', 'state: RUNNING\nowner_pid   : 812\n']] as const) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'status'), status);
  }
  writeFileSync(join(root, 'card1', 'stream0'), fixture('pi4-usb-card1-stream0.txt'));
  const cards = await readProcCards(root);
  const inputs = buildDevices(parseDeviceHints(fixture('pi4-usb-arecord-L.txt')), 'input', cards);
  const hw = inputs.find((d) => d.name === 'hw:CARD=CODEC,DEV=0')!;
  assert.equal(hw, {
    name: 'hw:CARD=CODEC,DEV=0',
    description: 'USB Audio CODEC, USB Audio',
    card: 'CODEC',
    card_description: 'Burr-Brown from TI USB Audio CODEC at usb-0000:01:00.0-1.3, full speed',
    kind: 'hw',
    channels: [2],
    rates: [8000, 11025, 16000, 22050, 32000, 44100, 48000],
    in_use: true,
  });
  const outputs = buildDevices(parseDeviceHints(fixture('pi4-usb-aplay-L.txt')), 'output', cards);
  const phones = outputs.find((d) => d.name === 'hw:CARD=Headphones,DEV=0')!;
  assert.equal([phones.card_description, phones.in_use, phones.channels], ['bcm2835 Headphones', false, null]);
  assert.is(outputs.find((d) => d.name === 'plughw:CARD=CODEC,DEV=0')!.in_use, false, 'the CODEC\'s capture is open, its playback is not');
});

test('this machine, for real: aplay -L and arecord -L run, and a box without cards lists its plugins', async () => {
  const list = await listDevices({ procRoot: join(tmpdir(), 'no-such-asound') });
  assert.ok(list.outputs.some((d) => d.name === 'pulse' || d.name === 'default'), JSON.stringify(list.outputs.map((d) => d.name)));
  assert.ok(list.inputs.length > 0);
  assert.not.ok(list.inputs.some((d) => d.name === 'null'));
});

test.run();
