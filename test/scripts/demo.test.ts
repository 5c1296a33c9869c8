// The README's first command keeps working: the demo brings up Icecast, the engine and two streams,
// and both of them are really on Icecast and really carry the capture (the 1 kHz tone) as MP3 and Vorbis.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, freePortPair, spawnTracked, exited, httpGet, sleep } from '../harness/util.js';

const DEMO_SECONDS = 5;
/** How much of each stream is read from Icecast and decoded. */
const LISTEN_MS = 2000;
const TONE_HZ = 1000;
const DEMO_MOUNTS = [
  { mount: '/rackcast.mp3', codec: 'mp3' },
  { mount: '/rackcast.ogg', codec: 'vorbis' },
] as const;

/** The mount paths Icecast's status-json.xsl lists as having a source (found by the path of listenurl). */
function mountsInStatus(statusJson: unknown): string[] {
  const source = (statusJson as { icestats?: { source?: unknown } })?.icestats?.source;
  const sources = Array.isArray(source) ? source : source ? [source] : [];
  return sources.map((s: { listenurl?: string }) => (s.listenurl ? new URL(s.listenurl).pathname : '')).filter(Boolean);
}

/** Reads `ms` of a live mount as a listener would. */
function listenTo(url: string, ms: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: ${res.statusCode}`));
        return;
      }
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => {
        req.destroy();
        resolve(Buffer.concat(chunks));
      }, ms);
    });
    req.on('error', reject);
  });
}

interface Decoded {
  codec: string;
  seconds: number;
  rmsDbfs: number;
  /** From the zero crossings of the decoded mono signal. */
  frequencyHz: number;
  code: number | null;
  stderr: string;
}

const DECODE_RATE = 48000;

/** Decodes an encoded stream with the real ffmpeg to 48 kHz mono s16 and measures it. */
function decode(encoded: Buffer): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-i', 'pipe:0', '-ac', '1', '-ar', String(DECODE_RATE), '-f', 's16le', 'pipe:1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => {
      const pcm = Buffer.concat(out);
      const n = Math.floor(pcm.length / 2);
      // Skip the decoder's first 100 ms (priming, the Ogg/MP3 start) when measuring the signal.
      const from = Math.min(n, DECODE_RATE / 10);
      let sumSq = 0;
      let crossings = 0;
      let prev = 0;
      for (let i = from; i < n; i++) {
        const v = pcm.readInt16LE(i * 2);
        sumSq += v * v;
        if (i > from && (prev < 0) !== (v < 0)) crossings++;
        prev = v;
      }
      const measured = Math.max(1, n - from);
      const rms = Math.sqrt(sumSq / measured) / 32768;
      resolve({
        codec: /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(stderr)?.[1] ?? '?',
        seconds: n / DECODE_RATE,
        rmsDbfs: rms > 0 ? 20 * Math.log10(rms) : -Infinity,
        frequencyHz: crossings / 2 / (measured / DECODE_RATE),
        code,
        stderr,
      });
    });
    child.stdin.end(encoded);
  });
}

test('the demo puts its two mounts on Icecast, both decode to the captured tone, and it shuts down cleanly', async () => {
  const icecastPort = await freePortPair();
  const httpPort = await freePort();
  const icecastUrl = `http://127.0.0.1:${icecastPort}`;
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--seconds', String(DEMO_SECONDS), '--port', String(httpPort), '--icecast-port', String(icecastPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RACKCAST_CAPTURE: 'tone', RACKCAST_ADMIN_PASSWORD: 'demo-test' },
  });
  let out = '';
  let onAir: () => void;
  const onAirSeen = new Promise<void>((r) => (onAir = r));
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.includes('RackCast demo is on air')) onAir();
  });
  child.stderr!.on('data', (d) => (out += d));

  // While the demo runs: what Icecast lists, and a couple of seconds of each mount, decoded.
  const whileOnAir = Promise.race([onAirSeen.then(() => 'on air' as const), exited(child).then(() => 'exited' as const)]).then(async (seen) => {
    if (seen === 'exited') return null;
    // The engine reports "streaming" when Icecast accepted the source; Icecast lists it once it has parsed
    // its first data, about 0.1 s later. Asked until both are listed, for at most 3 s.
    let statusCode = 0;
    let mounts: string[] = [];
    const deadline = Date.now() + 3000;
    for (;;) {
      const status = await httpGet(`${icecastUrl}/status-json.xsl`);
      statusCode = status.status;
      mounts = status.status === 200 ? mountsInStatus(JSON.parse(status.body)) : [];
      if (DEMO_MOUNTS.every(({ mount }) => mounts.includes(mount)) || Date.now() > deadline) break;
      await sleep(100);
    }
    const decoded = await Promise.all(
      DEMO_MOUNTS.map(({ mount }) => listenTo(`${icecastUrl}${mount}`, LISTEN_MS).then(decode, (err: Error) => err.message)),
    );
    return { statusCode, mounts, decoded };
  });
  whileOnAir.catch(() => {}); // awaited below, after the demo has exited

  const code = await exited(child);
  const seen = await whileOnAir;
  assert.is(code, 0, out);
  assert.match(out, `Listen (MP3)   ${icecastUrl}/rackcast.mp3`);
  assert.match(out, `Listen (Ogg)   ${icecastUrl}/rackcast.ogg`);
  assert.match(out, 'user admin, password demo-test');
  assert.match(out, `Page           http://127.0.0.1:${httpPort}/`);
  assert.match(out, `2 of 2 encoders streaming after ${DEMO_SECONDS} s`);

  assert.ok(seen, `the demo never said it was on air:\n${out}`);
  assert.is(seen.statusCode, 200, 'Icecast answered status-json.xsl while the demo ran');
  for (const { mount } of DEMO_MOUNTS) assert.ok(seen.mounts.includes(mount), `${mount} has a source on Icecast (listed: ${seen.mounts.join(', ') || 'none'})`);
  DEMO_MOUNTS.forEach(({ mount, codec }, i) => {
    const d = seen.decoded[i]!;
    if (typeof d === 'string') throw new Error(`${mount} could not be listened to: ${d}`);
    const what = `${mount}: ${d.seconds.toFixed(2)} s of ${d.codec}, ${d.rmsDbfs.toFixed(1)} dBFS, ${d.frequencyHz.toFixed(0)} Hz`;
    assert.is(d.code, 0, `${mount}: ffmpeg could not decode it: ${d.stderr.slice(-800)}`);
    assert.is(d.codec, codec, what);
    assert.ok(d.seconds >= 1.5, `at least 1.5 s of audio: ${what}`);
    // The tone is a 1 kHz sine at a quarter of full scale: -15 dBFS RMS.
    assert.ok(d.rmsDbfs > -18 && d.rmsDbfs < -12, `the tone's level, not silence: ${what}`);
    assert.ok(Math.abs(d.frequencyHz - TONE_HZ) < TONE_HZ * 0.03, `the tone's frequency: ${what}`);
  });
});

test.run();
