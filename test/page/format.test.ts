// How the page writes numbers and times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAgo, formatAxisTime, formatBytes, formatClock, formatCount, formatDuration, listenersText, liveUptimeSecs, secondsUntil } from '../../src/web/page/lib/format.js';
import { formatDbfs, meterPercent } from '../../src/web/page/lib/levels.js';
import { bitrateSummary, codecSummary, destination } from '../../src/web/page/lib/describe.js';
import { encoderColor, ENCODER_PALETTE } from '../../src/web/page/lib/colors.js';
import { hrefFor, parseRoute } from '../../src/web/page/lib/routes.js';

test('bytes in decimal units', () => {
  assert.equal([0, 950, 1500, 57_600_000, 1_200_000_000, null].map(formatBytes), ['0 B', '950 B', '1.50 kB', '57.6 MB', '1.20 GB', '—']);
});

test('durations', () => {
  assert.equal([0, 45, 185, 7620, 273_600, -1, null].map(formatDuration), ['0 s', '45 s', '3 min 05 s', '2 h 07 min', '3 d 4 h', '—', '—']);
});

test('clock times: the time today, the day and time otherwise', () => {
  const now = new Date(2025, 4, 3, 15, 0, 0).getTime();
  assert.is(formatClock(new Date(2025, 4, 3, 14, 3, 20).getTime(), now), '14:03:20');
  assert.is(formatClock(new Date(2025, 4, 1, 9, 5, 0).toISOString(), now), '1 May 09:05');
  assert.is(formatClock(null, now), '—');
  assert.is(formatAxisTime(new Date(2025, 4, 3, 14, 30).getTime()), '14:30');
  assert.is(formatAxisTime(new Date(2025, 4, 3, 0, 0).getTime()), '3 May');
});

test('relative times and countdowns', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  assert.is(formatAgo(new Date(now - 1000).toISOString(), now), 'just now');
  assert.is(formatAgo(new Date(now - 12_000).toISOString(), now), '12 s ago');
  assert.is(formatAgo(new Date(now - 4 * 60_000).toISOString(), now), '4 min ago');
  assert.is(formatAgo(new Date(now - 2 * 3_600_000).toISOString(), now), '2 h ago');
  assert.is(secondsUntil(new Date(now + 2500).toISOString(), now), 3);
  assert.is(secondsUntil(new Date(now - 2500).toISOString(), now), 0);
  assert.is(secondsUntil(null, now), null);
});

test('uptime ticks from connected_since while streaming, and is empty otherwise', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const since = new Date(now - 65_000).toISOString();
  assert.is(liveUptimeSecs({ state: 'streaming', connected_since: since, uptime_secs: 60 }, now), 65);
  assert.is(liveUptimeSecs({ state: 'retrying', connected_since: null, uptime_secs: 0 }, now), null);
});

test('counts', () => {
  assert.equal([0, 1, 3, null].map(listenersText), ['0 listeners', '1 listener', '3 listeners', '—']);
  assert.equal([3, 2.5, 2.456, null].map(formatCount), ['3', '2.5', '2.5', '—']);
});

test('meters: -60 dBFS to 0 dBFS across the bar', () => {
  assert.equal([-120, -60, -30, -6, 0, 3].map((d) => meterPercent(d)), [0, 0, 50, 90, 100, 100]);
  assert.is(formatDbfs(-12.34), '-12.3 dB');
  assert.is(formatDbfs(-120), '−∞');
});

test('encoder descriptions', () => {
  const mp3 = { codec: 'mp3', bitrate_kbps: 128, quality: null, sample_rate: 44100, channels: 2 } as const;
  assert.is(codecSummary(mp3), 'MP3 128 kbps');
  assert.is(bitrateSummary({ ...mp3, codec: 'ogg', bitrate_kbps: null, quality: 5 }), 'VBR q5 (≈160 kbps)');
  assert.is(codecSummary({ ...mp3, codec: 'flac', bitrate_kbps: null }), 'FLAC ≈847 kbps');
  const out = { server_host: 'h', server_port: 8000, mount_point: '/live', shoutcast_sid: null, file_output_path: 'studio' };
  assert.is(destination({ ...out, output_type: 'icecast' }), 'Icecast h:8000/live');
  assert.is(destination({ ...out, output_type: 'shoutcast', shoutcast_sid: 2 }), 'SHOUTcast h:8000 #2');
  assert.is(destination({ ...out, output_type: 'file' }), 'File studio');
});

test('encoder colours are stable per id and cycle through the palette', () => {
  assert.is(encoderColor(1), ENCODER_PALETTE[0]);
  assert.is(encoderColor(1 + ENCODER_PALETTE.length), ENCODER_PALETTE[0]);
  assert.is.not(encoderColor(1), encoderColor(2));
});

test('hash routes', () => {
  assert.equal(parseRoute(''), { view: 'overview' });
  assert.equal(parseRoute('#/encoders'), { view: 'encoders' });
  assert.equal(parseRoute('#/encoders/new'), { view: 'editor', id: null });
  assert.equal(parseRoute('#/encoders/12'), { view: 'editor', id: 12 });
  assert.equal(parseRoute('#/nonsense'), { view: 'overview' });
  assert.is(hrefFor({ view: 'editor', id: 12 }), '#/encoders/12');
});

test.run();
