// The demo: a local Icecast on loopback, the engine capturing the machine's sound input (or the
// built-in tone when there is no sound card), two example encoders on air, and the URLs to open.
//   node --import tsx scripts/demo.ts [--seconds N] [--port 8080] [--icecast-port 8000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startIcecast } from '../test/harness/icecast.js';
import { ENGINE_ENV, ENGINE_NODE_FLAGS } from '../src/engine/node-flags.js';
import { portIsFree, freePortPair, removeOnExit, stopChild, waitFor, spawnTracked } from '../test/harness/util.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    port: { type: 'string', default: '8080' },
    'icecast-port': { type: 'string', default: '8000' },
  },
});
const password = process.env.RACKCAST_ADMIN_PASSWORD || 'rackcast';
const auth = 'Basic ' + Buffer.from(`admin:${password}`).toString('base64');

/** The machine's own input when ALSA lists a capture card, else the 1 kHz test tone. */
function chooseCapture(): string {
  if (process.env.RACKCAST_CAPTURE) return process.env.RACKCAST_CAPTURE;
  const listing = spawnSync('arecord', ['-l'], { encoding: 'utf8' });
  return /^card \d+:/m.test(listing.stdout ?? '') ? 'default' : 'tone';
}

async function pickIcecastPort(wanted: number): Promise<number> {
  if ((await portIsFree(wanted)) && (await portIsFree(wanted + 1))) return wanted;
  return freePortPair();
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const icecastPort = await pickIcecastPort(Number(values['icecast-port']));
const icecast = await startIcecast({ port: icecastPort, mounts: ['/rackcast.mp3', '/rackcast.ogg'], shoutcastMount: '/shoutcast.mp3' });
const capture = chooseCapture();
const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-demo-'));
removeOnExit(dataDir);
const httpPort = values.port === '0' ? 0 : Number(values.port);
const engineArgs = [...ENGINE_NODE_FLAGS, 'bin/rackcast.js', 'engine', '--data-dir', dataDir, '--port', String(httpPort), '--bind', '127.0.0.1', '--capture', capture, '--admin-password', password];
const engine = spawnTracked(process.execPath, engineArgs, { env: { ...process.env, ...ENGINE_ENV }, stdio: ['ignore', 'pipe', 'inherit'] });
let base = '';
engine.stdout!.setEncoding('utf8');
engine.stdout!.on('data', (text: string) => {
  const m = /listening on (http:\/\/\S+)/.exec(text);
  if (m) base = m[1]!;
  process.stdout.write(text.replace(/^(?=.)/gm, '  engine: '));
});
engine.on('exit', (code) => {
  if (!stopping) {
    console.error(`The engine stopped unexpectedly (exit ${code}).`);
    void shutdown(1);
  }
});

let stopping = false;
async function shutdown(code: number): Promise<never> {
  stopping = true;
  await stopChild(engine);
  await icecast.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

// 503 is an answer too: the engine is up, and its health says the input is missing.
await waitFor(async () => base !== '' && [200, 503].includes((await fetch(`${base}/api/health`)).status), { timeoutMs: 15_000, what: 'the engine to answer' });
const common = { output_type: 'icecast', server_host: '127.0.0.1', server_port: icecastPort, server_password: icecast.sourcePassword, sample_rate: 48000, reconnect_delay_secs: 3 };
await api(base, 'POST', '/api/encoders', { ...common, name: 'Demo MP3 128k', codec: 'mp3', bitrate_kbps: 128, mount_point: '/rackcast.mp3', stream_name: 'RackCast demo (MP3)' });
await api(base, 'POST', '/api/encoders', { ...common, name: 'Demo Ogg Vorbis 96k', codec: 'ogg', bitrate_kbps: 96, mount_point: '/rackcast.ogg', stream_name: 'RackCast demo (Ogg Vorbis)' });
await api(base, 'POST', '/api/encoders/start-all');
await waitFor(async () => (await api(base, 'GET', '/api/status')).encoders.every((e: { state: string }) => e.state === 'streaming'), {
  timeoutMs: 20_000,
  what: 'both demo encoders on air',
});

console.log(`
RackCast demo is on air${capture === 'tone' ? ' (no sound card found: playing the built-in 1 kHz tone)' : ` (capturing ALSA "${capture}")`}.

  Page           ${base}/                  (password ${password})
  Engine API     ${base}/api/status        (user admin, password ${password})
  Listen (MP3)   ${icecast.baseUrl}/rackcast.mp3
  Listen (Ogg)   ${icecast.baseUrl}/rackcast.ogg
  Icecast        ${icecast.baseUrl}/

  Try:  curl -u admin:${password} ${base}/api/status
        ffplay ${icecast.baseUrl}/rackcast.mp3      (or open it in VLC)

Ctrl-C stops the engine and Icecast.
`);

if (values.seconds) {
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
  const status = await api(base, 'GET', '/api/status');
  const onAir = status.encoders.filter((e: { state: string }) => e.state === 'streaming').length;
  console.log(`${onAir} of ${status.encoders.length} encoders streaming after ${values.seconds} s`);
  await shutdown(onAir === status.encoders.length ? 0 : 1);
}
