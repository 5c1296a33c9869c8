// scripts/bench-live-listen (or scripts/bench --live-listen): what live listen adds. Prints figures;
// never fails on them.
//
//   scripts/bench --live-listen [--seconds N]
//
// 1. Latency, capture to headphones, for `master` and `encoder:<id>` (an MP3 128k encoder's own output
//    decoded). A private PulseAudio's capture sink gets a click train (a 2 ms burst every second), and
//    for this figure the "headphones" are that same sink, at volume 0.25: every click comes back as an
//    echo 12 dB down after arecord → engine → aplay, in the very recording that holds the click, so one
//    clock times both. The gap between a click and its first echo is what live listen adds, PulseAudio's
//    own client buffers on both ends (arecord's, aplay's) included. (Two loopbacks into a meter sink, the
//    earlier method, differed in their own latency by up to 300 ms from run to run.)
// 2. Cost: the engine (in this process: its Node, audio worker included, plus its children from /proc)
//    with live listen off, then on with the headphones and 4 network listeners (2 MP3, 2 WAV), N seconds each.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import http from 'node:http';
import { startPulse, type PulseServer } from '../test/harness/pulse.js';
import { startIcecast } from '../test/harness/icecast.js';
import { channelSamples } from '../test/harness/signal.js';
import { icecastEncoder, startTestEngine, type TestEngine } from '../test/harness/engine.js';
import { sleep, waitFor } from '../test/harness/util.js';
import { descendantsOf } from './bench-lib/proc.js';

const RATE = 48000;
const CLK_TCK = 100;

function clickTrain(seconds: number): Buffer {
  const pcm = Buffer.alloc(seconds * RATE * 4);
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < 96; i++) {
      const v = Math.round(Math.sin((2 * Math.PI * 1000 * i) / RATE) * 29000);
      const at = (s * RATE + i) * 4;
      pcm.writeInt16LE(v, at);
      pcm.writeInt16LE(v, at + 2);
    }
  }
  return pcm;
}

/** Clicks (full level, after 500 ms without one) and, for each, the first echo at least 20 ms later, in ms. */
function echoGaps(samples: Int16Array): number[] {
  const gaps: number[] = [];
  let lastClick = -RATE;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) < 20_000 || i - lastClick < RATE * 0.5) continue;
    lastClick = i;
    // The echo is 12 dB down (volume 0.25): 7,250 at its peak; its second pass, 24 dB down, stays under the mark.
    for (let j = i + RATE * 0.02; j < Math.min(samples.length, i + RATE * 0.9); j++) {
      if (Math.abs(samples[j]!) > 4000) {
        gaps.push(((j - i) / RATE) * 1000);
        break;
      }
    }
  }
  return gaps;
}

function stats(values: number[]): string {
  if (values.length === 0) return 'no pairs found';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(0)} ms, min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)} (${values.length} clicks)`;
}

function cpuTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function rssMB(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** CPU % of a core over `seconds` for this process and each descendant, and their RSS at the end. */
async function measure(seconds: number): Promise<{ nodePct: number; nodeRssMB: number; children: string[] }> {
  const start = process.cpuUsage();
  const kids0 = new Map(descendantsOf(process.pid).map((p) => [p, cpuTicks(p)]));
  await sleep(seconds * 1000);
  const used = process.cpuUsage(start);
  const children: string[] = [];
  for (const pid of descendantsOf(process.pid)) {
    const name = commOf(pid);
    if (['pulseaudio', 'pacat', 'icecast2'].includes(name)) continue;
    const ticks = cpuTicks(pid) - (kids0.get(pid) ?? cpuTicks(pid));
    children.push(`${name} ${((ticks / CLK_TCK / seconds) * 100).toFixed(2)} % ${rssMB(pid).toFixed(1)} MB`);
  }
  return { nodePct: ((used.user + used.system) / 1e6 / seconds) * 100, nodeRssMB: process.memoryUsage().rss / 1048576, children };
}

function listen(url: string): () => void {
  const req = http.get(url, { agent: false }, (res) => res.resume());
  req.on('error', () => undefined);
  return () => req.destroy();
}

async function latency(t: TestEngine, pulse: PulseServer, source: string, seconds: number): Promise<string> {
  await t.api('PUT', '/api/live-listen', { enabled: true, device_name: 'echo', source, volume: 0.25 });
  await waitFor(async () => (await t.api('GET', '/api/live-listen')).body.status.state === 'playing', { timeoutMs: 15_000, what: `${source} playing` });
  await sleep(3000);
  const rec = await pulse.recordSink('rackcast_in', seconds);
  return stats(echoGaps(channelSamples(rec, 2)));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
  const seconds = Math.max(5, Number(values.seconds) || 20);
  const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);
  const pulse = await startPulse();
  await pulse.addSink('rackcast_phones');
  const player = pulse.play(clickTrain(10), { rate: RATE, channels: 2 }, { loop: true, latencyMs: 50 });
  // `echo`: the capture sink itself, for the latency figure; `phones`: a sink of their own, for the cost.
  const home = pulse.alsaHome({ phones: 'rackcast_phones', echo: 'rackcast_in' });
  const ice = await startIcecast({ mounts: ['/bench.mp3'] });
  const t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env, HOME: home } });
  const lines: string[] = [];
  try {
    const enc = await t.api('POST', '/api/encoders', icecastEncoder(ice.port, '/bench.mp3', { sample_rate: 48000 }));
    await t.api('POST', `/api/encoders/${enc.body.id}/start`);
    await t.waitForState(enc.body.id, (s) => s.state === 'streaming', 20_000, 'streaming');
    log('latency: master');
    lines.push(`capture → headphones, master:      ${await latency(t, pulse, 'master', seconds)}`);
    log(`latency: encoder:${enc.body.id}`);
    lines.push(`capture → headphones, encoder MP3: ${await latency(t, pulse, `encoder:${enc.body.id}`, seconds)}`);
    await t.api('PUT', '/api/live-listen', { enabled: false, source: 'master' });
    await sleep(2000);
    log(`cost: live listen off, ${seconds} s`);
    const off = await measure(seconds);
    await t.api('PUT', '/api/live-listen', { enabled: true, device_name: 'phones', source: 'master', volume: 1 });
    const key = (await t.api('POST', '/api/live-listen/key')).body.key as string;
    const listeners = ['mp3', 'mp3', 'wav', 'wav'].map((f) => listen(`${t.web.url}/api/live-listen/stream?format=${f}&key=${key}`));
    await sleep(3000);
    log(`cost: live listen on (headphones + 4 network listeners), ${seconds} s`);
    const on = await measure(seconds);
    const view = (await t.api('GET', '/api/live-listen')).body;
    for (const stop of listeners) stop();
    lines.push(`engine process (Node, audio worker included): off ${off.nodePct.toFixed(2)} % of a core, RSS ${off.nodeRssMB.toFixed(0)} MB; on ${on.nodePct.toFixed(2)} %, RSS ${on.nodeRssMB.toFixed(0)} MB`);
    lines.push(`children, off: ${off.children.join('; ')}`);
    lines.push(`children, on:  ${on.children.join('; ')}`);
    lines.push(`while on: ${view.network.listeners} network listeners, headphones ${view.status.state}, ${view.status.output.underruns} underruns, ${view.status.queue.dropped_ms} ms dropped`);
  } finally {
    await t.stop();
    await ice.stop();
    await player.stop();
    await pulse.stop();
  }
  console.log(`RackCast live listen bench (${seconds} s per figure, 48 kHz stereo, this machine)`);
  for (const l of lines) console.log(l);
  console.log('method: see the header of scripts/bench-live-listen.ts; the bench process itself hosts the engine, so "engine process" includes the bench\'s own idle wake-ups.');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
