import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildArecordArgv, describeArecordFailure, OverrunWatch } from '../../../src/engine/capture/arecord-argv.js';
import { parseToneDevice } from '../../../src/engine/capture/capture.js';

test('argv for a USB card at 48 kHz S16 stereo', () => {
  assert.equal(buildArecordArgv('hw:1,0', { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' }), [
    '-q', '-D', 'hw:1,0', '-t', 'raw', '-f', 'S16_LE', '-r', '48000', '-c', '2', '--period-time=50000', '--buffer-time=500000',
  ]);
});

test('argv for a named PCM at 44.1 kHz S32 mono', () => {
  assert.equal(buildArecordArgv('default', { sampleRate: 44100, channels: 1, sampleFormat: 'S32_LE' }), [
    '-q', '-D', 'default', '-t', 'raw', '-f', 'S32_LE', '-r', '44100', '-c', '1', '--period-time=50000', '--buffer-time=500000',
  ]);
});

test('arecord failures become plain words', () => {
  assert.is(describeArecordFailure('arecord: main:831: audio open error: No such file or directory', 'hw:3,0'), 'sound card "hw:3,0" not found');
  assert.is(describeArecordFailure('ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM nope', 'nope'), 'sound card "nope" not found');
  assert.is(describeArecordFailure('audio open error: Device or resource busy', 'hw:1,0'), 'sound card "hw:1,0" is busy (used by another program)');
  assert.is(describeArecordFailure('arecord: read error: No such device', 'hw:1,0'), 'sound card "hw:1,0" not found');
  assert.is(describeArecordFailure('audio open error: Connection refused', 'pulse'), 'sound card "pulse" not reachable (connection refused)');
  assert.is(describeArecordFailure('arecord: pcm_read:2221: read error: Input/output error', 'pulse'), 'sound card "pulse" stopped delivering audio (input/output error)');
  assert.is(describeArecordFailure('arecord: set_params:1343: Sample format non available', 'hw:1,0'), 'sound card "hw:1,0" does not support the configured format');
  assert.is(describeArecordFailure('arecord: set_params:1352: Channels count non available', 'hw:1,0'), 'sound card "hw:1,0" does not support the configured format');
  assert.is(describeArecordFailure('something went separately wrong', 'hw:1,0'), 'capture stopped: something went separately wrong');
  assert.is(describeArecordFailure('', 'x'), 'capture stopped');
});

test('tone device names', () => {
  assert.is(parseToneDevice('tone'), 1000);
  assert.is(parseToneDevice('tone:440'), 440);
  assert.is(parseToneDevice('hw:1,0'), null);
  assert.is(parseToneDevice('tones'), null);
});

test("arecord's overrun lines are counted once each, however stderr is split", () => {
  let seen = 0;
  const watch = new OverrunWatch(() => seen++);
  // The exact text of alsa-utils 1.2.8 (aplay.c xrun(): "%s!!! (at least %.3f ms long)").
  watch.feed('overrun!!! (at least 12.345 ms long)\n');
  assert.is(seen, 1);
  watch.feed('over');
  watch.feed('run!!! (at least 0.');
  assert.is(seen, 1, 'counted when its line is complete');
  watch.feed('500 ms long)\nWarning: rate is not accurate\noverrun!!! (at least 3.000 ms long)\n');
  assert.is(seen, 3);
  watch.feed('arecord: pcm_read:2221: read error: Input/output error\n');
  assert.is(seen, 3, 'other lines are not overruns');
});

test.run();
