// test-timeout: 240
// Dead air on real parts: a 1 kHz tone plays into a PulseAudio null sink that the engine captures through
// ALSA; an MP3 encoder with on_silence "fallback" streams to a real Icecast, one with "stop" to another
// mount, and a WAV recorder records. The tone stops: after silence_secs the fallback mount carries the
// fallback folder's own 660 Hz tone (decoded from Icecast), the "stop" mount leaves the server, a local
// HTTP receiver gets the raise and a real SMTP server the mail. The tone returns: after recovery_secs
// the mount carries 1 kHz again, the "stop" mount is back, the clear is notified. The fallback encoder
// never reconnects, and the recording holds the programme (tone and silence), never the fallback.
// At the end the sound server goes away and /api/health answers 503.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, rms, sinePcm } from '../harness/signal.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { exited, spawnTracked, waitFor } from '../harness/util.js';
import { startSmtpPeer, type SmtpPeer } from '../harness/smtp.js';
import { wavData } from '../engine/recording/helpers.js';
import type { EncoderStatus } from '../../src/engine/stream/encoder-runner.js';

const TONE_HZ = 1000;
const FALLBACK_HZ = 660;
const SILENCE_SECS = 3;
const RECOVERY_SECS = 2;

let icecast: IcecastServer | undefined;
let pulse: PulseServer | undefined;
let player: PlayHandle | undefined;
let t: TestEngine | undefined;
let hooks: http.Server | undefined;
let smtp: SmtpPeer | undefined;
const webhooks: any[] = [];

function ice(): IcecastServer {
  if (!icecast) throw new Error('icecast not started');
  return icecast;
}

function play(): PlayHandle {
  return pulse!.play(sinePcm({ freqHz: TONE_HZ, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true, latencyMs: 200 });
}

/** The dominant frequency of the last `tailSecs` of `secs` decoded from the mount (Icecast's burst comes first). */
async function mountHz(mount: string, secs = 4, tailSecs = 1.5): Promise<{ hz: number; level: number }> {
  const pcm = await decodeToPcm(`${ice().baseUrl}${mount}`, { seconds: secs, rate: 48000, channels: 1, timeoutMs: 20_000 });
  const samples = channelSamples(pcm, 1);
  const tail = samples.subarray(Math.max(0, samples.length - Math.round(tailSecs * 48000)));
  return { hz: dominantFrequency(tail, 48000), level: rms(tail) };
}

test.before(async () => {
  [icecast, pulse] = await Promise.all([startIcecast({ mounts: ['/fallback.mp3', '/stops.mp3'] }), startPulse()]);
  hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      webhooks.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hooks!.listen(0, '127.0.0.1', r));
  smtp = await startSmtpPeer({ user: 'rack', password: 'pw' });
});

test.after(async () => {
  await t?.stop();
  await player?.stop();
  await pulse?.stop();
  await icecast?.stop();
  await new Promise((r) => hooks?.close(r));
  await smtp?.close();
});

test('the tone stops: fallback on air, stop encoder off air, raise notified; the tone returns: all back, clear notified; the recording keeps the programme', async () => {
  player = play();
  t = await startTestEngine({ captureDevice: pulse!.pcm, captureEnv: { ...process.env, ...pulse!.env } });
  const fallbackDir = join(t.dataDir, 'fallback');
  mkdirSync(fallbackDir);
  const ff = spawnTracked('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=${FALLBACK_HZ}:duration=60:sample_rate=48000`, '-ac', '2', join(fallbackDir, 'ident.flac')]);
  assert.is(await exited(ff), 0);
  const hookUrl = `http://127.0.0.1:${(hooks!.address() as AddressInfo).port}/rackcast`;
  const smtpPort = smtp!.port;
  const put = await t.api('PUT', '/api/alarms/settings', {
    silence_secs: SILENCE_SECS,
    recovery_secs: RECOVERY_SECS,
    fallback_dir: fallbackDir,
    crossfade_ms: 200,
    webhooks: [hookUrl],
    email: { host: '127.0.0.1', port: smtpPort, security: 'none', username: 'rack', password: 'pw', from: 'rack@example.org', to: ['studio@example.org'] },
  });
  assert.is(put.status, 200, JSON.stringify(put.body));

  // 320 kbps, so Icecast's 64 KB burst-on-connect is under 2 s of the past.
  const fb = await t.api('POST', '/api/encoders', icecastEncoder(ice().port, '/fallback.mp3', { name: 'Main', bitrate_kbps: 320, sample_rate: 48000, on_silence: 'fallback' }));
  const stops = await t.api('POST', '/api/encoders', icecastEncoder(ice().port, '/stops.mp3', { name: 'Part-time', on_silence: 'stop', sample_rate: 48000 }));
  const rec = await t.api('POST', '/api/encoders', { name: 'Logger', codec: 'wav', output_type: 'file', file_output_path: 'logger', file_rotation: 'none' });
  for (const r of [fb, stops, rec]) assert.is(r.status, 201, JSON.stringify(r.body));
  const [fbId, stopId, recId] = [fb.body.id as number, stops.body.id as number, rec.body.id as number];
  assert.is((await t.api('GET', `/api/encoders/${fbId}`)).body.on_silence, 'fallback');
  for (const id of [fbId, stopId, recId]) assert.is((await t.api('POST', `/api/encoders/${id}/start`)).status, 200);
  const onAir = await t.waitForState(fbId, (s) => s.state === 'streaming', 15_000, 'Main streaming');
  await t.waitForState(stopId, (s) => s.state === 'streaming', 15_000, 'Part-time streaming');
  await waitFor(async () => (await ice().mountIsLive('/fallback.mp3')) && (await ice().mountIsLive('/stops.mp3')), { timeoutMs: 5000, what: 'both mounts live' });

  let programme = await mountHz('/fallback.mp3');
  assert.ok(Math.abs(programme.hz - TONE_HZ) < 15, `the programme on air: ${programme.hz} Hz`);

  // The tone stops.
  const silentAt = Date.now();
  await player.stop();
  player = undefined;
  await waitFor(() => webhooks.some((w) => w.event === 'alarm_raised' && w.alarm.kind === 'silence'), { timeoutMs: 20_000, what: 'the webhook gets the silence alarm' });
  const raisedAfterMs = Date.now() - silentAt;
  assert.ok(raisedAfterMs >= SILENCE_SECS * 1000 - 500, `raised after ${raisedAfterMs} ms, not before silence_secs`);
  const raise = webhooks.find((w) => w.event === 'alarm_raised' && w.alarm.kind === 'silence');
  assert.is(raise.alarm.subject, 'programme');
  assert.match(raise.text, /^RAISED Silence: the programme has been below -50 dBFS since /);

  const during = await mountHz('/fallback.mp3');
  assert.ok(Math.abs(during.hz - FALLBACK_HZ) < 15, `the fallback on air: ${during.hz} Hz (level ${during.level})`);
  const status = (await t.api('GET', '/api/status')).body;
  assert.is(status.dead_air.fallback.active, true, JSON.stringify(status.dead_air));
  assert.is(status.dead_air.fallback.source.file, 'ident.flac');
  assert.equal(status.dead_air.held_off, [stopId]);
  assert.ok(status.alarms.some((a: { kind: string }) => a.kind === 'silence'));
  await waitFor(async () => !(await ice().mountIsLive('/stops.mp3')), { timeoutMs: 5000, what: 'the "stop" mount off the server' });
  assert.is((await t.status(stopId)).status_text, 'Off air during silence');
  await waitFor(() => smtp!.mails.some(({ raw: m }) => /^Subject: \[RackCast\] ALARM silence: programme\r?$/m.test(m)), { timeoutMs: 10_000, what: 'the raise by mail' });

  // The tone returns.
  const backAt = Date.now();
  player = play();
  await waitFor(() => webhooks.some((w) => w.event === 'alarm_cleared' && w.alarm.kind === 'silence'), { timeoutMs: 20_000, what: 'the webhook gets the clear' });
  const clearedAfterMs = Date.now() - backAt;
  assert.ok(clearedAfterMs >= RECOVERY_SECS * 1000 - 500, `cleared after ${clearedAfterMs} ms, not before recovery_secs`);
  const clear = webhooks.find((w) => w.event === 'alarm_cleared');
  assert.is(clear.alarm.id, raise.alarm.id);
  assert.ok(clear.alarm.cleared !== null);
  programme = await mountHz('/fallback.mp3');
  assert.ok(Math.abs(programme.hz - TONE_HZ) < 15, `the programme back on air: ${programme.hz} Hz`);
  await waitFor(async () => ice().mountIsLive('/stops.mp3'), { timeoutMs: 15_000, what: 'the "stop" mount back' });
  await waitFor(() => smtp!.mails.some(({ raw: m }) => /^Subject: \[RackCast\] cleared silence: programme\r?$/m.test(m)), { timeoutMs: 10_000, what: 'the clear by mail' });

  // No reconnect of the fallback encoder through either switch.
  const after: EncoderStatus = await t.status(fbId);
  assert.is(after.state, 'streaming');
  assert.is(after.connected_since, onAir.connected_since, 'the same connection all along');
  assert.equal(after.reconnect_history.map((h) => h.state), ['Connecting', 'Streaming']);
  assert.is(after.bytes_discarded, onAir.bytes_discarded, 'nothing discarded since it went on air');
  assert.is(after.queue.dropped_ms, 0);

  // The recording has the programme: the tone and the silence, never the fallback's tone.
  await t.api('POST', `/api/encoders/${recId}/stop`);
  const files = (await t.api('GET', '/api/recording')).body.settings.recordings_dir as string;
  const recStatus = (await t.api('GET', `/api/encoders/${recId}/recording`)).body;
  assert.ok(recStatus.files_closed >= 1, JSON.stringify(recStatus));
  const { readdirSync } = await import('node:fs');
  const wavs = readdirSync(join(files, 'logger')).filter((f) => f.endsWith('.wav'));
  assert.is(wavs.length, 1);
  const pcm = wavData(join(files, 'logger', wavs[0]!));
  const left = channelSamples(pcm, 2);
  let silentWindows = 0;
  let toneWindows = 0;
  for (let i = 0; i + 24000 <= left.length; i += 24000) {
    const w = left.subarray(i, i + 24000);
    if (rms(w) < 0.001) {
      silentWindows++;
      continue;
    }
    const hz = dominantFrequency(w, 48000);
    assert.ok(Math.abs(hz - FALLBACK_HZ) > 50, `the recording has the fallback at ${(i / 48000).toFixed(1)} s`);
    if (Math.abs(hz - TONE_HZ) < 15) toneWindows++;
  }
  assert.ok(silentWindows >= (SILENCE_SECS + 1) * 2, `${silentWindows} silent half-seconds recorded`);
  assert.ok(toneWindows >= 4, `${toneWindows} tone half-seconds recorded`);

  const log = (await t.api('GET', '/api/log?limit=200')).body as { kind: string }[];
  const kinds = log.map((e) => e.kind).reverse();
  const order = ['alarm_raised', 'fallback_started', 'alarm_cleared', 'fallback_ended'].map((k) => kinds.indexOf(k));
  assert.ok(order.every((i) => i >= 0) && order[1]! < order[3]! && order[0]! < order[2]!, `the log tells the story: ${kinds.join(', ')}`);

  // A title reaches the MP3 mount, counted in the metrics.
  assert.is((await t.api('POST', '/api/metadata', { song: 'Artist - Back on air' })).status, 200);
  await waitFor(async () => /rackcast_metadata_pushes_total\{encoder="Main",result="ok"\} 1$/m.test(String((await t!.api('GET', '/metrics')).body)), { timeoutMs: 10_000, what: 'the push counted' });

  // The sound server goes away: the engine cannot do its job, and says so.
  await player.stop();
  player = undefined;
  await pulse!.stop();
  await waitFor(async () => (await t!.api('GET', '/api/health', undefined, null)).status === 503, { timeoutMs: 15_000, what: 'health 503' });
  const health = (await t.api('GET', '/api/health', undefined, null)).body;
  assert.is(health.checks.capture.status, 'down');
});

test.run();
