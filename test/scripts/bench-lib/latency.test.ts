// The pure parts of scripts/bench --peers: the click signal, finding its onsets in timed chunks, matching heard
// clicks to captured ones, the round order, and the peers' generated configurations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLICK_PERIOD_S, ClickDetector, clickSignal, latencyFigures, matchClicks } from '../../../scripts/bench-lib/latency.js';
import { darkiceConfig, liquidsoapAloneScript } from '../../../scripts/bench-lib/peer-runs.js';
import { roundOrderOf } from '../../../scripts/bench-lib/round-order.js';

const RATE = 48_000;

test('the signal is one period long, loud for its first 20 ms and quiet after', () => {
  const pcm = clickSignal(RATE, 2);
  assert.is(pcm.length, RATE * CLICK_PERIOD_S * 4);
  assert.ok(Math.abs(pcm.readInt16LE(0)) > 0.7 * 32767);
  let quietPeak = 0;
  for (let f = Math.round(RATE * 0.03); f < RATE * CLICK_PERIOD_S; f++) quietPeak = Math.max(quietPeak, Math.abs(pcm.readInt16LE(f * 4)));
  assert.ok(quietPeak < 0.11 * 32767, String(quietPeak));
});

test('an onset is timed from the arrival of its chunk, less the audio after it; a split chunk changes nothing', () => {
  const pcm = Buffer.concat([Buffer.alloc(4800 * 4), clickSignal(RATE, 2)]);
  const whole = new ClickDetector(RATE, 2);
  // The chunk holding 100 ms of silence, then the period, arrives at t = 10 000 ms.
  whole.feed(pcm, 10_000);
  assert.is(whole.onsetsMs.length, 1, 'one click, deaf to its own ringing');
  assert.ok(Math.abs(whole.onsetsMs[0]! - (10_000 - CLICK_PERIOD_S * 1000)) < 0.1, String(whole.onsetsMs[0]));
  const split = new ClickDetector(RATE, 2);
  split.feed(pcm.subarray(0, 4801 * 4 + 3), 7_000.02);
  split.feed(pcm.subarray(4801 * 4 + 3), 10_000);
  assert.is(split.onsetsMs.length, 1);
});

test('heard clicks match the last captured click within a period; the figures are its median and range', () => {
  const latencies = matchClicks([1000, 4000, 7000], [500, 1250, 4230, 7210, 9900]);
  // 500 precedes every capture; 9900 is 2900 ms after 7000 (within the 3 s period).
  assert.equal(latencies, [250, 230, 210, 2900]);
  const f = latencyFigures([250, 230, 210]);
  assert.equal({ ...f }, { medianMs: 230, minMs: 210, maxMs: 250, clicks: 3 });
  assert.is(latencyFigures([]).clicks, 0);
});

test('each round runs the systems rotated by one', () => {
  assert.equal(roundOrderOf(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
  assert.equal(roundOrderOf(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  assert.equal(roundOrderOf(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
});

test('Darkice and Liquidsoap get the three bench outputs from the same PCM', () => {
  const target = { pcm: 'pulse', port: 8123, password: 'pw' };
  const cfg = darkiceConfig(target);
  assert.match(cfg, /\[input\]\ndevice = pulse\nsampleRate = 48000\nbitsPerSample = 16\nchannel = 2/);
  assert.match(cfg, /\[icecast2-0\]\nbitrateMode = cbr\nformat = mp3\nbitrate = 128\nquality = 0.7\n/);
  assert.match(cfg, /\[icecast2-1\]\nbitrateMode = abr\nformat = vorbis\nbitrate = 64\nserver/);
  assert.match(cfg, /mountPoint = d320\.mp3/);
  const liq = liquidsoapAloneScript(target, false);
  assert.not.match(liq, /allow_root/);
  assert.match(liq, /programme = input\.alsa\(device="pulse"\)/);
  assert.match(liq, /output\.icecast\(%vorbis\.abr\(bitrate=64, samplerate=48000, channels=2\), host="127\.0\.0\.1", port=8123, password="pw", mount="\/s64\.ogg"/);
  assert.is(liq.match(/output\.icecast/g)?.length, 3);
});

test.run();
