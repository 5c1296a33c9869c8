// What live listen runs and how it reads aplay's failures. The stderr texts are aplay's own, recorded
// on this machine: a card that does not exist (hw:7,0) and a PulseAudio sink that is not there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aplayArgv, decoderArgv, describeAplayFailure } from '../../../src/engine/live-listen/listen-argv.js';
import { parseLiveListenSettings, DEFAULT_LIVE_LISTEN } from '../../../src/engine/live-listen/live-listen-settings.js';

const exit = (stderrTail: string) => ({ spawnError: null, stderrTail, code: 1, signal: null });

test('aplay argv: raw S16LE at the capture\'s rate and channels, small buffer, no shell', () => {
  const argv = aplayArgv('hw:CARD=Headphones,DEV=0', { rate: 48000, channels: 2 });
  assert.equal(argv.slice(0, 9), ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', '48000', '-c', '2']);
  assert.equal(argv.slice(-3), ['-D', 'hw:CARD=Headphones,DEV=0', '-']);
  assert.ok(argv.some((a) => a.startsWith('--start-delay=')));
});

test('decoder argv: the encoded stream on stdin, in the demuxer named (the engine reads the mount itself)', () => {
  assert.equal(decoderArgv({ format: 'aac' }, { rate: 44100, channels: 1 }).slice(-13), ['-f', 'aac', '-i', 'pipe:0', '-f', 's16le', '-ar', '44100', '-ac', '1', '-flush_packets', '1', 'pipe:1']);
  assert.ok(!decoderArgv({ format: 'mp3' }, { rate: 48000, channels: 2 }).some((a) => a.includes('://')));
});

test('aplay failures in plain words', () => {
  assert.is(describeAplayFailure('hw:7,0', exit('ALSA lib confmisc.c:165:(snd_config_get_card) Cannot get card index for 7\naplay: main:831: audio open error: No such file or directory')), 'device "hw:7,0" not found');
  assert.is(describeAplayFailure('later', exit('ALSA lib pcm_pulse.c:758:(pulse_prepare) PulseAudio: Unable to create stream: No such entity\n\naplay: set_params:1416: Unable to install hw params:\nACCESS:  RW_INTERLEAVED\nTICK_TIME: [0 0]')), 'device "later" not found');
  assert.is(describeAplayFailure('hw:1,0', exit('aplay: main:831: audio open error: Device or resource busy')), 'device "hw:1,0" is in use by another program');
  assert.is(describeAplayFailure('x', { spawnError: 'aplay is not installed (not found on PATH)', stderrTail: '', code: null, signal: null }), 'aplay is not installed (not found on PATH)');
  assert.is(describeAplayFailure('x', exit('aplay: pcm_write:2127: write error: Input/output error')), 'sound card error: write error: Input/output error');
});

test('settings: defaults, partial updates, errors that name the field', () => {
  assert.equal(DEFAULT_LIVE_LISTEN, { device_name: null, volume: 1, source: 'master', enabled: false, max_network_listeners: 4 });
  const ok = parseLiveListenSettings({ volume: 0.25, status: { ignored: true } }, DEFAULT_LIVE_LISTEN);
  assert.equal(ok.ok && [ok.value.volume, ok.value.source], [0.25, 'master']);
  for (const [input, field] of [[{ source: 'encoder:0' }, 'source'], [{ device_name: 'hw:0 $(reboot)' }, 'device_name'], [{ max_network_listeners: 0 }, 'max_network_listeners'], [{ enabled: 'yes' }, 'enabled']] as const) {
    const r = parseLiveListenSettings(input, DEFAULT_LIVE_LISTEN);
    assert.equal(r.ok ? [] : r.errors.map((e) => e.field), [field], JSON.stringify(input));
  }
  assert.equal(parseLiveListenSettings([], DEFAULT_LIVE_LISTEN), { ok: false, errors: [{ field: '', message: 'must be an object with the live listen settings' }] });
});

test.run();
