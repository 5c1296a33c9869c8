// scripts/bench --peers: RackCast beside the bare-tools floor and its peers on one workload (W3: MP3 128k CBR,
// Ogg Vorbis 64k, MP3 320k CBR to a local Icecast 2.4.4, 48 kHz stereo S16 from a real-time ALSA PCM), in one
// run, repeated in rotated order so that drift on a shared machine shows in the spread of each row:
//
//   floor             arecord | tee | 3 × ffmpeg with ffmpeg's own icecast:// output and no flags of the engine's
//   engine            RackCast, ffmpeg backend (node bin/rackcast.js engine, the deployed Node flags)
//   liquidsoap        RackCast, Liquidsoap backend (one liquidsoap per encoder, PCM from the engine)
//   darkice           Darkice 1.3, one process with its own ALSA capture and three outputs
//   liquidsoap-alone  one Liquidsoap with input.alsa and three output.icecast
//
// Then the engine's start-up (modules, idle memory) and the scale run (16 encoders + a WAV recording). Prints
// figures, the load average beside them, and the goals met or missed; never fails because of a figure.
//
//   scripts/bench --peers [--seconds N] [--rounds R] [--scale-seconds S] [--only a,b] [--json] [--engine-node-flags=F] [--base-bin PATH]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startPulse } from '../test/harness/pulse.js';
import { startIcecast } from '../test/harness/icecast.js';
import { ENCODERS, FORMAT, mountFor, type RunContext, type RunName, type RunResult } from './bench-lib/common.js';
import { runEngine } from './bench-lib/engine-run.js';
import { floorFfmpegArgv, runPipeline } from './bench-lib/pipeline-run.js';
import { runPeer } from './bench-lib/peer-runs.js';
import { clickSignal, measureLatency } from './bench-lib/latency.js';
import { runScale, SCALE_ENCODERS, type ScaleResult } from './bench-lib/scale-run.js';
import { runStartup, type StartupFigures } from './bench-lib/startup-run.js';
import { peersJson, peersText, type PeerRun, type PeersReport } from './bench-lib/peers-report.js';
import { childrenNamed, descendantsOf } from './bench-lib/proc.js';
import { roundOrderOf } from './bench-lib/round-order.js';

export const SYSTEMS = ['floor', 'engine', 'engine-base', 'liquidsoap', 'darkice', 'liquidsoap-alone'] as const satisfies readonly RunName[];
export type SystemName = (typeof SYSTEMS)[number];

const USAGE = `usage: scripts/bench --peers [--seconds N] [--rounds R] [--scale-seconds S] [--only LIST] [--json] [--engine-node-flags=FLAGS] [--base-bin PATH]
  --seconds N          measured seconds per system and round (default 60)
  --rounds R           rounds, each in a rotated order (default 2)
  --scale-seconds S    the scale run's length (default 60; the issue's figure is 600); 0 skips it
  --only LIST          comma-separated subset of ${SYSTEMS.join(',')} (the floor is always run)
  --no-startup         skip the engine's start-up figures
  --no-latency         skip the latency listener (quicker before/after runs)
  --json               one JSON object instead of the table
  --engine-node-flags=FLAGS  extra Node flags for this tree's engine (not engine-base), e.g. --engine-node-flags=--single-threaded-gc;
                       with --base-bin naming this same build, a before/after of a V8 setting
  --base-bin PATH      also run another build's bin/rackcast.js as "engine-base", interleaved with this tree's (a before/after)`;

interface PeersOptions {
  seconds: number;
  rounds: number;
  scaleSeconds: number;
  systems: SystemName[];
  startup: boolean;
  latency: boolean;
  json: boolean;
  engineNodeArgs: string[];
  baseBin?: string;
}

function parseOptions(argv: string[]): PeersOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seconds: { type: 'string', default: '60' },
      rounds: { type: 'string', default: '2' },
      'scale-seconds': { type: 'string', default: '60' },
      only: { type: 'string' },
      'no-startup': { type: 'boolean', default: false },
      'no-latency': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'engine-node-flags': { type: 'string', default: '' },
      'base-bin': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : SYSTEMS.filter((s) => s !== 'engine-base');
  if (values['base-bin'] && !only.includes('engine-base')) only.push('engine-base');
  if (only.includes('engine-base') && !values['base-bin']) throw new Error('engine-base needs --base-bin PATH');
  for (const s of only) if (!(SYSTEMS as readonly string[]).includes(s)) throw new Error(`--only: unknown system "${s}" (one of ${SYSTEMS.join(', ')})`);
  const systems = SYSTEMS.filter((s) => s === 'floor' || only.includes(s));
  return {
    seconds: num('seconds', values.seconds, 5, 3600),
    rounds: num('rounds', values.rounds, 1, 10),
    scaleSeconds: num('scale-seconds', values['scale-seconds'], 0, 7200),
    systems,
    startup: !values['no-startup'],
    latency: !values['no-latency'],
    json: values.json,
    engineNodeArgs: values['engine-node-flags'].split(/\s+/).filter(Boolean),
    baseBin: values['base-bin'],
  };
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function runSystem(ctx: RunContext, system: SystemName): Promise<RunResult> {
  switch (system) {
    case 'floor':
      return runPipeline(ctx, 'floor', floorFfmpegArgv);
    case 'engine':
      return runEngine(ctx, 'ffmpeg');
    case 'engine-base':
      return runEngine(ctx, 'ffmpeg', true);
    case 'liquidsoap':
      return runEngine(ctx, 'liquidsoap');
    case 'darkice':
    case 'liquidsoap-alone':
      return runPeer(ctx, system);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  process.on('exit', () => {
    for (const pid of descendantsOf(process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
  const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
  const machine = { cores: (await import('node:os')).cpus().length, cpu: (await import('node:os')).cpus()[0]?.model ?? '?', loadBefore: loadAverage() };

  log('starting PulseAudio (null sink, a quiet sine with a click every 3 s) and Icecast (burst-size 0)');
  const pulse = await startPulse();
  // A deep server-side buffer: the player must not underrun on a loaded machine (the reference capture would
  // see a shifted click just as the system does, but an underrun is a gap in every stream).
  const player = pulse.play(clickSignal(FORMAT.sampleRate, FORMAT.channels), { rate: FORMAT.sampleRate, channels: FORMAT.channels }, { loop: true, latencyMs: 500 });
  const mounts = [...SYSTEMS.flatMap((s) => ENCODERS.map((e) => mountFor(s, e))), ...SCALE_ENCODERS.map((e) => e.mount)];
  const ice = await startIcecast({ mounts, burstSize: 0, maxSources: 32 }).catch(async (err: unknown) => {
    await player.stop();
    await pulse.stop();
    throw err;
  });
  const ctx: RunContext = {
    pulse,
    ice,
    seconds: opts.seconds,
    sharedPids: childrenNamed(process.pid, ['pulseaudio', 'pacat', 'icecast2']),
    engineNodeArgs: opts.engineNodeArgs,
    baseBin: opts.baseBin,
    log,
    latency: !opts.latency ? undefined : (mount) => measureLatency({ pcm: pulse.pcm, env: pulse.env, rate: FORMAT.sampleRate, channels: FORMAT.channels, iceBaseUrl: ice.baseUrl, log }, mount),
  };
  const runs: PeerRun[] = [];
  let startup: StartupFigures | undefined;
  let baseStartup: StartupFigures | undefined;
  let scale: ScaleResult | undefined;
  let scaleLoad: { before: string; after: string } | undefined;
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const system of roundOrderOf(opts.systems, round)) {
        const loadBefore = loadAverage();
        log(`round ${round + 1}/${opts.rounds}: ${system} (load average ${loadBefore})`);
        try {
          const result = await runSystem(ctx, system);
          runs.push({ system, round, result, loadBefore, loadAfter: loadAverage() });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          log(`${system} failed: ${message}`);
          runs.push({ system, round, error: message.split('\n').slice(0, 6).join(' | '), loadBefore, loadAfter: loadAverage() });
        }
      }
    }
    if (opts.startup && opts.systems.includes('engine')) {
      log('engine start-up: time to /api/health, idle memory, modules loaded');
      startup = await runStartup(ctx).catch((err: unknown) => {
        log(`start-up run failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      if (opts.baseBin) baseStartup = await runStartup(ctx, opts.baseBin).catch(() => undefined);
    }
    if (opts.scaleSeconds > 0) {
      const before = loadAverage();
      log(`scale run: ${SCALE_ENCODERS.length} encoders + a WAV recording for ${opts.scaleSeconds} s (load average ${before})`);
      scale = await runScale({ ...ctx, latency: undefined }, opts.scaleSeconds);
      scaleLoad = { before, after: loadAverage() };
    }
  } finally {
    log('stopping');
    await player.stop();
    await ice.stop();
    await pulse.stop();
  }
  const report: PeersReport = { seconds: opts.seconds, rounds: opts.rounds, machine: { ...machine, loadAfter: loadAverage() }, engineNodeArgs: opts.engineNodeArgs, runs, startup, baseStartup, scale, scaleLoad };
  console.log(opts.json ? peersJson(report) : peersText(report));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
