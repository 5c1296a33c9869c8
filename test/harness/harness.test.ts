// Smoke tests of the real-component harness itself: if these fail, every integration test that
// uses Icecast or the PulseAudio capture device would fail for reasons unrelated to RackCast.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from './icecast.js';
import { startPulse, type PulseServer } from './pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, longestRamp, rampPcm, rms, sinePcm } from './signal.js';
import { liveTrackedPids, spawnTracked, stopChild, waitFor } from './util.js';

const RATE = 48_000;
const CHANNELS = 2;

let ice: IcecastServer | undefined;
let pulse: PulseServer | undefined;

function icecastServer(): IcecastServer {
  if (!ice) throw new Error('icecast not started (an earlier test failed)');
  return ice;
}

function pulseServer(): PulseServer {
  if (!pulse) throw new Error('pulse not started (an earlier test failed)');
  return pulse;
}

/** Connects, optionally writes, and resolves with everything received until `until` matches or the peer closes. */
function rawExchange(port: number, send: string, until: RegExp, timeoutMs = 3000): Promise<{ data: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${until} within ${timeoutMs} ms; got ${JSON.stringify(data)}`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      resolve({ data, socket });
    };
    socket.on('connect', () => socket.write(send));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (until.test(data)) finish();
    });
    socket.on('close', finish);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

test('icecast starts on a free port pair and serves status-json', async () => {
  ice = await startIcecast({ mounts: ['/live.mp3'] });
  assert.is(ice.shoutcastPort, ice.port + 1);
  assert.is(ice.baseUrl, `http://127.0.0.1:${ice.port}`);
  assert.type(await ice.statusJson(), 'object');
  assert.is(await ice.mountIsLive('/live.mp3'), false);
  assert.is(await ice.listenerCount('/live.mp3'), null);
});

test('an ffmpeg icecast:// source goes live, and its listen URL decodes to the sine sent', async () => {
  const server = icecastServer();
  const url = `icecast://source:${server.sourcePassword}@127.0.0.1:${server.port}/live.mp3`;
  // -re paces the source like a live encoder; the server's burst lets the listener start at once.
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
  args.push('-t', '8', '-c:a', 'libmp3lame', '-b:a', '128k', '-content_type', 'audio/mpeg', '-f', 'mp3', url);
  const source = spawnTracked('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await waitFor(() => server.mountIsLive('/live.mp3'), { timeoutMs: 5000, what: '/live.mp3 live' });
    assert.is(await server.listenerCount('/live.mp3'), 0);

    // Errors are expected here: the listener is cut off on purpose.
    const listener = http.get(`${server.baseUrl}/live.mp3`, { agent: false }, (res) => {
      res.on('error', () => undefined);
      res.resume();
    });
    listener.on('error', () => undefined);
    await waitFor(async () => (await server.listenerCount('/live.mp3')) === 1, { timeoutMs: 3000, what: 'one listener' });
    listener.destroy();

    const pcm = await decodeToPcm(`${server.baseUrl}/live.mp3`, { seconds: 1, rate: 44_100, channels: 1 });
    assert.ok(pcm.length >= 44_100, `decoded only ${pcm.length} bytes`);
    const freq = dominantFrequency(channelSamples(pcm, 1), 44_100);
    assert.ok(Math.abs(freq - 440) <= 2, `dominant frequency ${freq} Hz, expected 440`);
  } finally {
    await stopChild(source);
  }
});

test('the SHOUTcast v1 port (port+1) answers OK2 to the source password and mounts the stream', async () => {
  const server = icecastServer();
  const wrong = await rawExchange(server.shoutcastPort, 'not-the-password\r\n', /./);
  assert.is(wrong.data, '', 'a wrong password is answered by a silent close');

  const { data, socket } = await rawExchange(server.shoutcastPort, `${server.sourcePassword}\r\n`, /OK2/);
  try {
    assert.match(data, /^OK2\r\n/);
    socket.write('content-type:audio/mpeg\r\nicy-name:harness\r\nicy-br:128\r\n\r\n');
    await waitFor(() => server.mountIsLive(server.shoutcastMount), { timeoutMs: 3000, what: 'shoutcast mount live' });
  } finally {
    socket.destroy();
  }
});

test('restart(), and stop() then start(), bring icecast back on the same port with no sources', async () => {
  const server = icecastServer();
  const port = server.port;
  // The probes so far were closed by the server, so the port has sockets in TIME_WAIT; binding
  // again works because icecast sets SO_REUSEADDR (checked via /proc/net/tcp when this was written).
  await server.restart();
  assert.is(server.port, port);
  assert.is(await server.mountIsLive('/live.mp3'), false);
  assert.is(await server.mountIsLive(server.shoutcastMount), false);
  assert.match(server.errorLog(), /Icecast 2\.4/);

  await server.stop();
  assert.not.ok(await server.statusJson().then(() => true, () => false), 'answers after stop()');
  await server.start();
  assert.type(await server.statusJson(), 'object');
});

test('pulse: a 1 kHz sine played into the null sink is captured by arecord -D pulse in real time', async () => {
  pulse = await startPulse();
  const server = pulse;
  const player = server.play(sinePcm({ freqHz: 1000, seconds: 1, rate: RATE, channels: CHANNELS }), { rate: RATE, channels: CHANNELS }, { loop: true });
  try {
    const t0 = Date.now();
    const captured = await server.record({ seconds: 2, rate: RATE, channels: CHANNELS });
    const elapsedMs = Date.now() - t0;
    assert.is(captured.length, 2 * RATE * CHANNELS * 2);
    assert.ok(elapsedMs >= 1800, `2 s captured in ${elapsedMs} ms: not paced in real time`);
    const left = channelSamples(captured, CHANNELS, 0);
    const freq = dominantFrequency(left, RATE);
    assert.ok(Math.abs(freq - 1000) <= 2, `dominant frequency ${freq} Hz, expected 1000`);
    assert.ok(rms(left) > 0.3, `rms ${rms(left)}: the sine did not arrive at full level`);
  } finally {
    await player.stop();
  }
});

test('pulse: a 16-bit ramp comes through bit-exact', async () => {
  const server = pulseServer();
  // Not starting at 0, so leading silence cannot pass for the ramp's first frames.
  const ramp = rampPcm({ seconds: 3, rate: RATE, channels: CHANNELS, start: 12_345 });
  const player = server.play(ramp, { rate: RATE, channels: CHANNELS });
  try {
    const captured = await server.record({ seconds: 2, rate: RATE, channels: CHANNELS });
    const run = longestRamp(captured, CHANNELS);
    assert.ok(run.frames >= RATE, `longest bit-exact ramp run ${run.frames} frames at ${run.startFrame}, want ≥ ${RATE}`);
  } finally {
    await player.stop();
  }
});

test('stopping everything leaves no server or helper process behind', async () => {
  const dirs = [ice?.dir, pulse?.dir].filter((d): d is string => d !== undefined);
  await pulse?.stop();
  await ice?.stop();
  assert.equal(liveTrackedPids(), []);
  // Direct children of this test process, whoever spawned them; tsx keeps an esbuild service
  // child for the whole run, which is not ours to judge (pgrep never lists itself).
  const children = spawnSync('pgrep', ['-a', '-P', String(process.pid)], { encoding: 'utf8' });
  const ours = children.stdout.split('\n').filter((line) => line.trim() !== '' && !/\besbuild\b.*--service/.test(line));
  assert.equal(ours, [], 'child processes still running');
  // Anything still using one of our temp dirs, e.g. a daemon that re-parented itself.
  for (const dir of dirs) {
    const stray = spawnSync('pgrep', ['-af', dir], { encoding: 'utf8' });
    assert.is(stray.stdout.trim(), '', `stray processes for ${dir}`);
  }
});

test.after(async () => {
  await pulse?.stop();
  await ice?.stop();
});

test.run();
