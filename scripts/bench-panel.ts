// CPU and memory of the front panel process, idle and while the input levels move (10 updates a
// second, as the engine sends them), against a small fake engine on loopback so the figures are the
// panel's alone. The panel runs with the PNG simulator (PNG encoding costs more than the OLED's I2C
// page writes) and mirrors its frames to the fake engine as it would to the real one.
//
//   node --import tsx scripts/bench-panel.ts [--seconds N]      (needs a build: npm run build)
//
// Two ways of starting it are measured: dist/panel/main.js (the panel's own entry) and
// bin/rackcast.js panel (what the systemd unit runs). Prints figures; never fails on timing.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const SECONDS = Number(values.seconds);
if (!Number.isFinite(SECONDS) || SECONDS < 2) throw new Error('--seconds must be a number ≥ 2');
const TOKEN = 'rct_bench';
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// --- a fake engine: status, the event stream, and the mirror endpoint --------------------------

interface FakeEngine {
  url: string;
  framesMirrored: number;
  sendLevels(t: number): void;
  close(): Promise<void>;
}

async function fakeEngine(): Promise<FakeEngine> {
  const streams = new Set<http.ServerResponse>();
  const status = {
    capture: { state: 'running', device: 'hw:1,0', error: null, levels: [{ peakDbfs: -12, rmsDbfs: -20 }, { peakDbfs: -12, rmsDbfs: -20 }] },
    encoders: [
      { id: 1, name: 'Main MP3', state: 'streaming', status_text: 'Streaming', last_error: null, uptime_secs: 100, bytes_sent: 1e6 },
      { id: 2, name: 'Mobile AAC', state: 'streaming', status_text: 'Streaming', last_error: null, uptime_secs: 100, bytes_sent: 1e6 },
    ],
    alarms: [],
  };
  const fe: FakeEngine = {
    url: '',
    framesMirrored: 0,
    sendLevels(t) {
      // Programme-like movement: two channels wandering between -30 and -6 dBFS.
      const level = (phase: number) => -18 + 12 * Math.sin(t * 1.7 + phase) * Math.cos(t * 0.37);
      const channels = [0, 1].map((c) => ({ peakDbfs: level(c) + 6, rmsDbfs: level(c) }));
      const text = `event: levels\ndata: ${JSON.stringify({ channels, capture: 'running' })}\n\n`;
      for (const s of streams) s.write(text);
    },
    close: () => new Promise((resolve) => {
      for (const s of streams) s.end();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
    if (req.url === '/api/status') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    if (req.url === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 2000\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.url === '/api/panel/frame' && req.method === 'PUT') {
      req.resume();
      req.on('end', () => {
        fe.framesMirrored++;
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fe.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The real engine sends a keepalive comment every 15 s; idle means only that.
  const keepalive = setInterval(() => {
    for (const s of streams) s.write(': keepalive\n\n');
  }, 15_000);
  server.on('close', () => clearInterval(keepalive));
  return fe;
}

// --- /proc ------------------------------------------------------------------------------------

function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime (fields 14 and 15)
}

function memoryKb(pid: number): { rss: number; pss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  let pss = NaN;
  try {
    pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    // smaps_rollup needs Linux 4.14+
  }
  return { rss, pss };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase {
  name: string;
  cpuPercent: number;
  rssMb: number;
  pssMb: number;
  framesPerSec: number;
}

async function measure(pid: number, name: string, seconds: number, frames: () => number): Promise<Phase> {
  const t0 = cpuTicks(pid);
  const f0 = frames();
  const started = performance.now();
  let maxRss = 0;
  let maxPss = 0;
  while (performance.now() - started < seconds * 1000) {
    await sleep(1000);
    const m = memoryKb(pid);
    maxRss = Math.max(maxRss, m.rss);
    maxPss = Math.max(maxPss, m.pss);
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpuSecs = (cpuTicks(pid) - t0) / CLK_TCK;
  return { name, cpuPercent: (100 * cpuSecs) / elapsed, rssMb: maxRss / 1024, pssMb: maxPss / 1024, framesPerSec: (frames() - f0) / elapsed };
}

async function benchOne(label: string, argv: string[]): Promise<Phase[]> {
  const fe = await fakeEngine();
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-bench-panel-'));
  const env = { ...process.env, RACKCAST_API_TOKEN: TOKEN, DEBUG: '' };
  const child: ChildProcess = spawn(process.execPath, [...argv, '--api', fe.url, '--display', `png:${join(dir, 'panel.png')}`, '--buttons', 'stdin'], {
    cwd: root,
    env,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const pid = child.pid!;
  let levels: NodeJS.Timeout | undefined;
  try {
    await sleep(3000); // start-up and the first frames
    const phases: Phase[] = [];
    phases.push(await measure(pid, `${label}: idle`, SECONDS, () => fe.framesMirrored));
    const t0 = performance.now();
    levels = setInterval(() => fe.sendLevels((performance.now() - t0) / 1000), 100);
    phases.push(await measure(pid, `${label}: levels 10/s`, SECONDS, () => fe.framesMirrored));
    return phases;
  } finally {
    if (levels) clearInterval(levels);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await fe.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(join(root, 'dist/panel/main.js'))) {
  console.error('bench-panel: dist/panel/main.js is missing; run `npm run build` first');
  process.exit(1);
}
console.log(`front panel benchmark: ${SECONDS} s per phase, ${process.arch}, Node ${process.version}`);
const results = [
  ...(await benchOne('dist/panel/main.js', ['dist/panel/main.js'])),
  ...(await benchOne('bin/rackcast.js panel', ['bin/rackcast.js', 'panel'])),
];
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\n${pad('phase', 36)} ${pad('CPU (% of a core)', 18)} ${pad('RSS max', 10)} ${pad('PSS max', 10)} frames/s`);
for (const r of results) {
  console.log(`${pad(r.name, 36)} ${pad(r.cpuPercent.toFixed(2), 18)} ${pad(`${r.rssMb.toFixed(1)} MB`, 10)} ${pad(`${r.pssMb.toFixed(1)} MB`, 10)} ${r.framesPerSec.toFixed(2)}`);
}
