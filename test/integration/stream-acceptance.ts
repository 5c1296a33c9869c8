// Seed criteria 1, 6 and 7 on real peers, for either encoder backend: a real Icecast 2.4 (with its
// SHOUTcast v1 source port), a real ALSA PCM (PulseAudio null sink through the ALSA pulse plugin),
// real ffmpeg or Liquidsoap encoders and the real engine driven through its HTTP API. Each backend's
// test file runs these same tests (streams.test.ts, streams-liquidsoap.test.ts), so both keep the
// same contract: same fields, same states and words, same timing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PulseServer, type PlayHandle } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, sinePcm } from '../harness/signal.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { freePort, sleep, waitFor } from '../harness/util.js';
import type { EncoderStatus } from '../../src/engine/stream/encoder-runner.js';
import type { Backend } from '../../src/engine/types.js';

const TONE_HZ = 1234;
let icecast: IcecastServer;
let pulse: PulseServer;
let player: PlayHandle;
let t: TestEngine;
const ids: Record<string, number> = {};

async function frequencyOf(mount: string): Promise<number> {
  const pcm = await decodeToPcm(`${icecast.baseUrl}${mount}`, { seconds: 3, rate: 48000, channels: 1, timeoutMs: 20_000 });
  const samples = channelSamples(pcm, 1).subarray(48000); // skip the burst's start and codec ramp-up
  return dominantFrequency(samples, 48000);
}

/**
 * Resolves with the wall time at which `port` on 127.0.0.1 first accepts a TCP connection, trying again at
 * once after every refusal: the moment a server is reachable, not the moment it says it is ready.
 */
function firstAccept(port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        const at = Date.now();
        socket.destroy();
        resolve(at);
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} accepted nothing within ${timeoutMs} ms`));
        else setTimeout(attempt, 5);
      });
    };
    attempt();
  });
}

/** A plain TCP relay to `targetPort` that notes when each connection arrives: the engine's attempts, as seen on the wire. */
async function connectionLog(targetPort: number): Promise<{ port: number; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    arrivals.push(Date.now());
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    arrivals,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Registers the acceptance tests for `backend`. With Liquidsoap, an ffmpeg encoder streams beside the
 * Liquidsoap ones throughout, and must never notice what happens to them.
 */
export function streamAcceptance(backend: Backend): void {
  const encoder = (port: number, mount: string, over: Record<string, unknown> = {}): Record<string, unknown> =>
    icecastEncoder(port, mount, { backend, ...over });

  test.before(async () => {
    pulse = await startPulse();
    player = pulse.play(sinePcm({ freqHz: TONE_HZ, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true });
    icecast = await startIcecast({ mounts: ['/main.mp3', '/main.ogg', '/busy.mp3', '/bystander.mp3'], shoutcastMount: '/sc.mp3' });
    t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env } });
  });

  test.after(async () => {
    await t?.stop();
    await player?.stop();
    await icecast?.stop();
    await pulse?.stop();
  });

  test('criterion 1: two encoders stream the captured signal to two Icecast mounts at once', async () => {
    const mp3 = await t.api('POST', '/api/encoders', encoder(icecast.port, '/main.mp3'));
    assert.is(mp3.status, 201, JSON.stringify(mp3.body));
    const ogg = await t.api('POST', '/api/encoders', encoder(icecast.port, '/main.ogg', { codec: 'ogg', bitrate_kbps: 96 }));
    assert.is(ogg.status, 201, JSON.stringify(ogg.body));
    ids.mp3 = mp3.body.id;
    ids.ogg = ogg.body.id;
    if (backend !== 'ffmpeg') {
      // An ffmpeg encoder beside them, on the same engine.
      const bystander = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/bystander.mp3', { name: 'ffmpeg bystander', backend: 'ffmpeg' }));
      assert.is(bystander.status, 201, JSON.stringify(bystander.body));
      ids.bystander = bystander.body.id;
    }
    const started = await t.api('POST', '/api/encoders/start-all');
    assert.equal(started.body.started.sort(), [ids.mp3, ids.ogg, ...(ids.bystander ? [ids.bystander] : [])].sort());
    await t.waitForState(ids.mp3!, (s) => s.state === 'streaming', 15_000, 'mp3 streaming');
    await t.waitForState(ids.ogg!, (s) => s.state === 'streaming', 15_000, 'ogg streaming');
    // Icecast lists a source in its stats a moment after accepting it.
    await waitFor(() => icecast.mountIsLive('/main.mp3'), { timeoutMs: 3000, what: '/main.mp3 listed' });
    await waitFor(() => icecast.mountIsLive('/main.ogg'), { timeoutMs: 3000, what: '/main.ogg listed' });
    const [fMp3, fOgg] = await Promise.all([frequencyOf('/main.mp3'), frequencyOf('/main.ogg')]);
    assert.ok(Math.abs(fMp3 - TONE_HZ) < 5, `mp3 mount decodes to ${fMp3} Hz`);
    assert.ok(Math.abs(fOgg - TONE_HZ) < 5, `ogg mount decodes to ${fOgg} Hz`);
    const status = await t.status(ids.mp3!);
    assert.ok(status.bytes_sent > 16_000, `bytes sent ${status.bytes_sent}`);
    assert.is(status.status_text, 'Streaming');
    const all = await t.api('GET', '/api/status');
    assert.is(all.body.capture.state, 'running');
    assert.is(all.body.capture.levels.length, 2);
    assert.ok(all.body.capture.levels[0].peakDbfs > -10 && all.body.capture.levels[0].peakDbfs < -3, JSON.stringify(all.body.capture.levels));
  });

  test('criterion 7: a SHOUTcast v1 encoder and the Icecast encoders on air together', async () => {
    const sc = await t.api('POST', '/api/encoders', {
      ...encoder(icecast.port, '/ignored'),
      name: 'SHOUTcast',
      output_type: 'shoutcast',
      mount_point: null,
    });
    assert.is(sc.status, 201, JSON.stringify(sc.body));
    ids.sc = sc.body.id;
    const r = await t.api('POST', `/api/encoders/${ids.sc}/start`);
    assert.is(r.status, 200, JSON.stringify(r.body));
    await t.waitForState(ids.sc!, (s) => s.state === 'streaming', 15_000, 'shoutcast streaming');
    await waitFor(() => icecast.mountIsLive('/sc.mp3'), { timeoutMs: 3000, what: 'the SHOUTcast source mounted at the shoutcast-mount' });
    const f = await frequencyOf('/sc.mp3');
    assert.ok(Math.abs(f - TONE_HZ) < 5, `shoutcast mount decodes to ${f} Hz`);
    for (const id of [ids.mp3!, ids.ogg!]) assert.is((await t.status(id)).state, 'streaming');
  });

  test(`a killed ${backend} comes back alone; the other encoders never leave the server`, async () => {
    const before = await Promise.all([ids.mp3!, ids.ogg!, ids.sc!, ...(ids.bystander ? [ids.bystander] : [])].map((id) => t.status(id)));
    const victim = before[0]!;
    assert.ok(victim.process.pid, 'the encoder has a process');
    const others = before.slice(1);
    let leftAir = '';
    const watcher = setInterval(async () => {
      for (const o of others) {
        const s = await t.status(o.id).catch(() => null);
        if (s && (s.state !== 'streaming' || s.connected_since !== o.connected_since)) leftAir = `${o.name}: ${JSON.stringify(s)}`;
      }
    }, 100);
    process.kill(victim.process.pid!, 'SIGKILL');
    const back = await t.waitForState(victim.id, (s) => s.process.restarts === 1 && s.process.running && s.process.pid !== victim.process.pid, 10_000, `${backend} restarted`);
    const sentAtRestart = back.bytes_sent;
    const again = await t.waitForState(victim.id, (s) => s.state === 'streaming' && s.bytes_sent > sentAtRestart + 8000, 15_000, 'audio flowing again');
    if (backend === 'liquidsoap') {
      // Liquidsoap's connection dies with it: the encoder says why it left the air, and came back.
      assert.ok(again.reconnect_history.some((h) => /^encoder process stopped/.test(h.error ?? '')), JSON.stringify(again.reconnect_history));
    } else {
      assert.is(again.connected_since, victim.connected_since, 'ffmpeg restarts behind a connection that stays up');
    }
    await sleep(500);
    clearInterval(watcher);
    assert.is(leftAir, '', 'another encoder left the server');
    assert.ok(await icecast.mountIsLive('/main.mp3'));
    const f = await frequencyOf('/main.mp3');
    assert.ok(Math.abs(f - TONE_HZ) < 5, `after the restart the mount decodes to ${f} Hz`);
  });

  test('criterion 6: server down → every encoder retries; back → all streaming within delay + 1 s', async () => {
    const all = [ids.mp3!, ids.ogg!, ids.sc!];
    await icecast.stop();
    const seen = new Set<string>();
    for (const id of all) {
      const s = await t.waitForState(id, (x) => x.state === 'retrying', 15_000, 'retrying');
      assert.match(s.status_text, /^Retrying \(\d+\/∞\)$/);
      assert.ok(s.last_error, 'a reason is shown');
      seen.add(s.last_error!);
    }
    // Let at least one more retry fail against the dead server.
    await t.waitForState(ids.mp3!, (x) => x.state === 'retrying' && x.attempt >= 2, 10_000, 'second retry');
    assert.ok([...seen].some((e) => /server unreachable|server closed the connection/.test(e)), [...seen].join('; '));
    // The clock starts when Icecast's port first accepts a connection (the engine can reach it from then on),
    // not when its status page first says it is ready, about a second later.
    const accepted = firstAccept(icecast.port, 15_000);
    accepted.catch(() => undefined); // a failed start is reported by start() itself
    await icecast.start();
    const upAt = await accepted;
    const delayMs = 2000;
    const times: number[] = [];
    for (const id of all) {
      const s = await t.waitForState(id, (x) => x.state === 'streaming', delayMs + 5000, 'streaming again');
      // The engine's own time of going on air, so the test's polling adds nothing.
      times.push(Date.parse(s.connected_since!) - upAt);
    }
    const worst = Math.max(...times);
    assert.ok(worst <= delayMs + 1000, `back on air ${times.join(', ')} ms after Icecast's port first accepted`);
    const history = (await t.status(ids.mp3!)).reconnect_history.map((h) => h.state);
    assert.ok(history.includes('Streaming') && history.some((h) => h.startsWith('Retrying')), history.join(', '));
  });

  test('limited max_reconnect_attempts ends in Failed with the reason', async () => {
    const deadPort = await freePort();
    const r = await t.api('POST', '/api/encoders', encoder(deadPort, '/dead.mp3', { reconnect_delay_secs: 1, max_reconnect_attempts: 2 }));
    const id = r.body.id as number;
    await t.api('POST', `/api/encoders/${id}/start`);
    const texts = new Set<string>();
    const final = await t.waitForState(id, (s) => (texts.add(s.status_text), s.state === 'failed'), 15_000, 'failed');
    assert.ok(texts.has('Retrying (1/2)') && texts.has('Retrying (2/2)'), [...texts].join(', '));
    assert.is(final.status_text, 'Failed: server unreachable (connection refused)');
    assert.is(final.process.running, false, 'a failed encoder stops its codec');
    await t.api('DELETE', `/api/encoders/${id}`);
  });

  test('wrong password and a busy mount are reported in plain words; a wrong password is retried 11 s later, not after the 1 s delay', async () => {
    // The engine reaches Icecast through a relay that notes each connection: the time between its attempts on the wire.
    const wire = await connectionLog(icecast.port);
    const bad = await t.api('POST', '/api/encoders', encoder(wire.port, '/busy.mp3', { server_password: 'nope', reconnect_delay_secs: 1 }));
    const dup = await t.api('POST', '/api/encoders', encoder(icecast.port, '/main.mp3', { name: 'Duplicate', reconnect_delay_secs: 1 }));
    try {
      const test1 = await t.api('POST', `/api/encoders/${bad.body.id}/test`);
      assert.equal(test1.body, { success: false, error: 'wrong password' });
      wire.arrivals.length = 0;
      await t.api('POST', `/api/encoders/${bad.body.id}/start`);
      const s = await t.waitForState(bad.body.id, (x) => x.state === 'retrying', 10_000, 'retrying after 401');
      assert.is(s.last_error, 'wrong password');

      const test2 = await t.api('POST', `/api/encoders/${dup.body.id}/test`);
      assert.equal(test2.body, { success: false, error: 'mount in use' });
      const good = await t.api('POST', `/api/encoders/${ids.mp3}/test`);
      assert.equal(good.body.success, true);
      // The encoder itself says the same, from its own connection attempt.
      await t.api('POST', `/api/encoders/${dup.body.id}/start`);
      const busy = await t.waitForState(dup.body.id, (x) => x.state === 'retrying', 15_000, 'retrying after 403');
      assert.is(busy.last_error, 'mount in use');

      // Meanwhile the wrong password's back-off runs: the next attempt reaches the wire at least 11 s after the first.
      await waitFor(() => wire.arrivals.length >= 2, { timeoutMs: 15_000, intervalMs: 50, what: 'the second attempt with the wrong password' });
      const gap = wire.arrivals[1]! - wire.arrivals[0]!;
      assert.ok(gap >= 11_000 && gap <= 11_500 + 1000, `the second attempt came ${gap} ms after the first (README: at least 11 s, plus up to 0.5 s jitter)`);
      assert.is((await t.status(bad.body.id)).last_error, 'wrong password');
    } finally {
      await t.api('DELETE', `/api/encoders/${bad.body.id}`);
      await t.api('DELETE', `/api/encoders/${dup.body.id}`);
      await wire.close();
    }
  });

  test('stop-all takes everything off air and frees the mounts', async () => {
    await t.api('POST', '/api/encoders/stop-all');
    const statuses = (await t.api<{ encoders: EncoderStatus[] }>('GET', '/api/status')).body.encoders;
    for (const s of statuses) assert.is(s.state, 'disabled', s.name);
    await waitFor(async () => !(await icecast.mountIsLive('/main.mp3')), { timeoutMs: 5000, intervalMs: 100 });
  });

  test.run();
}
