// scripts/bench: CPU and memory of the engine with three encoders (MP3 128k, Ogg Vorbis 64k, MP3 320k
// to a local Icecast, 48 kHz stereo from a real-time ALSA PCM) against a plain
// `arecord | tee | ffmpeg` pipeline doing the same work, measured in the same invocation.
// It prints figures and the ratios against the targets; it never fails because of them.
//
//   scripts/bench [--seconds N] [--json] [--only engine|pipeline] [--liquidsoap] [--cpu-prof DIR]
//
// With --liquidsoap the engine runs a second time with the same three encoders on the Liquidsoap
// backend, between the ffmpeg engine run and the pipeline, and the table gets its column.
//
// The real components come from the test harness: a private PulseAudio daemon whose null-sink
// monitor is read through the ALSA `pulse` PCM (paced in real time, a looping sine playing into
// it) and a real icecast2 on loopback. The engine is `node bin/rackcast.js engine` as a separate
// process; see scripts/bench-lib/ for the runs, the /proc sampler and the report.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPulse } from '../test/harness/pulse.js';
import { startIcecast } from '../test/harness/icecast.js';
import { sinePcm } from '../test/harness/signal.js';
import { ENCODERS, FORMAT, mountFor, type RunContext, type RunResult } from './bench-lib/common.js';
import { runEngine } from './bench-lib/engine-run.js';
import { runPipeline } from './bench-lib/pipeline-run.js';
import { toJson, toText, type BenchReport } from './bench-lib/report.js';
import { summarizeProfile } from './bench-lib/cpuprofile.js';
import { childrenNamed, descendantsOf } from './bench-lib/proc.js';

const USAGE = `usage: scripts/bench [--seconds N] [--json] [--only engine|pipeline] [--liquidsoap] [--cpu-prof DIR]
  --seconds N      measured seconds per run (default 60; 10 for a quick smoke run)
  --json           print one JSON object instead of the table
  --only RUN       run only "engine" or only "pipeline" (no ratios then)
  --liquidsoap     also run the engine with the three encoders on the Liquidsoap backend
  --cpu-prof DIR   run the engine's Node with --cpu-prof into DIR and list its top self-time functions
                   (the profiler's own overhead then shows in the engine's figures)`;

interface BenchOptions {
  seconds: number;
  json: boolean;
  only: 'engine' | 'pipeline' | null;
  cpuProfDir: string | null;
  liquidsoap: boolean;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seconds: { type: 'string', default: '60' },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      liquidsoap: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 2 || seconds > 3600) throw new Error('--seconds must be a number from 2 to 3600');
  const only = values.only ?? null;
  if (only !== null && only !== 'engine' && only !== 'pipeline') throw new Error('--only must be "engine" or "pipeline"');
  const cpuProfDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : null;
  return { seconds, json: values.json, only, cpuProfDir, liquidsoap: values.liquidsoap };
}

/**
 * On any exit (error, Ctrl-C, normal) SIGKILL every process below this one, grandchildren included:
 * the harness kills the children it spawned, but an engine killed that way would leave its arecord
 * and ffmpegs to their own devices. Registered before the harness's own exit hook, so it runs first.
 */
function killDescendantsOnExit(): void {
  process.on('exit', () => {
    for (const pid of descendantsOf(process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

function newestProfile(dir: string, since: number): string | null {
  let best: { path: string; mtime: number } | null = null;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.cpuprofile')) continue;
    const path = join(dir, name);
    const mtime = statSync(path).mtimeMs;
    if (mtime >= since && (!best || mtime > best.mtime)) best = { path, mtime };
  }
  return best?.path ?? null;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  killDescendantsOnExit();
  const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
  const startedAt = Date.now();

  log('starting PulseAudio (null sink, looping 440 Hz sine) and Icecast');
  const pulse = await startPulse();
  const tone = sinePcm({ freqHz: 440, seconds: 1, rate: FORMAT.sampleRate, channels: FORMAT.channels });
  const player = pulse.play(tone, { rate: FORMAT.sampleRate, channels: FORMAT.channels }, { loop: true });
  const mounts = ENCODERS.flatMap((e) => [mountFor('engine', e), mountFor('liquidsoap', e), mountFor('pipeline', e)]);
  const ice = await startIcecast({ mounts }).catch(async (err: unknown) => {
    await player.stop();
    await pulse.stop();
    throw err;
  });

  const ctx: RunContext = {
    pulse,
    ice,
    seconds: opts.seconds,
    sharedPids: childrenNamed(process.pid, ['pulseaudio', 'pacat', 'icecast2']),
    cpuProfDir: opts.cpuProfDir ?? undefined,
    log,
  };
  let engine: RunResult | undefined;
  let liquidsoap: RunResult | undefined;
  let pipeline: RunResult | undefined;
  try {
    // Sequential, engine first, so the two never compete for the CPU.
    if (opts.only !== 'pipeline') engine = await runEngine(ctx);
    if (opts.only !== 'pipeline' && opts.liquidsoap) liquidsoap = await runEngine(ctx, 'liquidsoap');
    if (opts.only !== 'engine') pipeline = await runPipeline(ctx);
  } finally {
    log('stopping');
    await player.stop();
    await ice.stop();
    await pulse.stop();
  }

  const report: BenchReport = { seconds: opts.seconds, encoders: ENCODERS.map((e) => e.title), engine, liquidsoap, pipeline };
  if (opts.cpuProfDir && engine) {
    const file = newestProfile(opts.cpuProfDir, startedAt);
    if (file) report.profile = { file, summary: summarizeProfile(file, engine.windowFromSpawn ?? null) };
    else log(`no .cpuprofile written to ${opts.cpuProfDir}`);
  }
  console.log(opts.json ? toJson(report) : toText(report));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
