// The plain pipeline run: the same work with no Node in the data path,
//   arecord -D pulse ... | tee fifo1 fifo2 | ffmpeg (stdin)     ffmpeg (fifo1)   ffmpeg (fifo2)
// each ffmpeg sending to Icecast itself (icecast://). Wired without a shell: FIFOs from mkfifo,
// and the pipes' file descriptors handed from child to child through spawn's stdio; the bench
// process closes its own copies, so no audio byte passes through it (checked through /proc).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, removeOnExit, sleep, spawnTracked, stopChild, tailOf, waitFor } from '../../test/harness/util.js';
import { buildFfmpegArgv } from '../../src/engine/stream/ffmpeg/ffmpeg-argv.js';
import { buildArecordArgv } from '../../src/engine/capture/arecord-argv.js';
import { ENCODERS, FORMAT, contentTypeOf, mountFor, mountRates, nextCounterTick, type BenchEncoder, type LatencyFigures, type RunContext, type RunName, type RunResult } from './common.js';
import { TreeSampler, describeProcess } from './sampler.js';
import { streamLinks } from './proc.js';

/** The engine's own argv for this encoder, reading `input` and writing to Icecast instead of stdout. */
export function pipelineFfmpegArgv(e: BenchEncoder, input: string, url: string): string[] {
  const argv = buildFfmpegArgv(FORMAT, { codec: e.codec, bitrate_kbps: e.bitrateKbps, sample_rate: FORMAT.sampleRate, channels: FORMAT.channels, quality: null, output_type: 'icecast' });
  const inputAt = argv.indexOf('pipe:0');
  if (inputAt < 0 || argv[argv.length - 1] !== 'pipe:1') throw new Error(`unexpected ffmpeg argv: ${argv.join(' ')}`);
  argv[inputAt] = input;
  argv.splice(argv.length - 1, 1, '-content_type', contentTypeOf(e), url);
  return argv;
}

/**
 * The bare-tools floor's argv (scripts/bench --peers): ffmpeg as a station would type it, with none of the
 * engine's flags (no probing limits, no per-packet flush, Ogg's default pages), straight to Icecast.
 */
export function floorFfmpegArgv(e: BenchEncoder, input: string, url: string): string[] {
  const codec = e.codec === 'mp3' ? ['-c:a', 'libmp3lame', '-f', 'mp3'] : ['-c:a', 'libvorbis', '-f', 'ogg'];
  return [
    '-hide_banner', '-loglevel', 'warning', '-nostdin',
    '-f', 's16le', '-ar', String(FORMAT.sampleRate), '-ac', String(FORMAT.channels), '-i', input,
    '-b:a', `${e.bitrateKbps}k`, ...codec, '-content_type', contentTypeOf(e), url,
  ];
}

export type PipelineArgv = (e: BenchEncoder, input: string, url: string) => string[];

async function mkfifo(paths: string[]): Promise<void> {
  const child = spawnTracked('mkfifo', paths, { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = tailOf(child.stderr);
  const code = await exited(child);
  if (code !== 0) throw new Error(`mkfifo failed (${code}): ${err().trim()}`);
}

/** `run` 'pipeline' runs the engine's own ffmpeg flags; 'floor' (with floorFfmpegArgv) the bare tools. */
export async function runPipeline(ctx: RunContext, run: Extract<RunName, 'pipeline' | 'floor'> = 'pipeline', argvFor: PipelineArgv = pipelineFfmpegArgv): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-bench-pipeline-'));
  removeOnExit(dir);
  const fifos = [join(dir, 'fifo1.pcm'), join(dir, 'fifo2.pcm')];
  await mkfifo(fifos);
  const mounts = ENCODERS.map((e) => mountFor(run, e));
  const procs: Array<{ name: string; child: ChildProcess; stderr: () => string }> = [];
  const track = (name: string, child: ChildProcess): ChildProcess => {
    procs.push({ name, child, stderr: tailOf(child.stderr, 4096) });
    return child;
  };
  const why = (): string => procs.map((p) => `${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'}): ${p.stderr().trim()}`).join('\n');

  try {
    // Readers first: ffmpeg blocks opening its FIFO until tee opens the other end.
    const ffmpegs = ENCODERS.map((e, i) => {
      const input = fifos[i] ?? 'pipe:0';
      const url = `icecast://source:${ctx.ice.sourcePassword}@127.0.0.1:${ctx.ice.port}${mountFor(run, e)}`;
      const stdin = input === 'pipe:0' ? 'pipe' : 'ignore';
      return track(`ffmpeg ${e.title}`, spawnTracked('ffmpeg', argvFor(e, input, url), { stdio: [stdin, 'ignore', 'pipe'] }));
    });
    const lastIn = ffmpegs[ffmpegs.length - 1]?.stdin;
    if (!lastIn) throw new Error('ffmpeg has no stdin pipe');
    // tee's stdout is the last ffmpeg's stdin pipe, arecord's stdout is tee's stdin pipe: the
    // children get the descriptors, and the bench only ever held the write ends, which it closes.
    const tee = track('tee', spawnTracked('tee', fifos, { stdio: ['pipe', lastIn, 'pipe'] }));
    const teeIn = tee.stdin;
    if (!teeIn) throw new Error('tee has no stdin pipe');
    // The floor's arecord is as bare as its ffmpegs: ALSA's own period and buffer sizes, not the engine's.
    const arecordArgv = run === 'floor'
      ? ['-q', '-D', ctx.pulse.pcm, '-t', 'raw', '-f', FORMAT.sampleFormat, '-r', String(FORMAT.sampleRate), '-c', String(FORMAT.channels)]
      : buildArecordArgv(ctx.pulse.pcm, FORMAT);
    const arecord = track('arecord', spawnTracked('arecord', arecordArgv, { env: { ...process.env, ...ctx.pulse.env }, stdio: ['ignore', teeIn, 'pipe'] }));
    teeIn.destroy();
    lastIn.destroy();
    const pids = [arecord, tee, ...ffmpegs].map((c) => c.pid).filter((p): p is number => p !== undefined);
    ctx.log(`${run}: pids ${pids.join(' ')}`);

    await waitFor(
      async () => {
        const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
        if (dead) throw new Error(`${dead.name} exited`);
        for (const m of mounts) if (!(await ctx.ice.mountIsLive(m))) return false;
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `pipeline mounts ${mounts.join(' ')} live on Icecast` },
    ).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${why()}`)));
    ctx.log(`${run}: 3 mounts live; settling 3 s`);
    await sleep(3000);

    // Both ends of the two channels that carry PCM past the FIFOs (arecord->tee, tee->ffmpeg; libuv
    // makes them AF_UNIX socketpairs) must be held by the pipeline processes only, not by the bench.
    const ends = [streamLinks(arecord.pid ?? -1, [1]), streamLinks(tee.pid ?? -1, [0, 1]), streamLinks(ffmpegs[2]?.pid ?? -1, [0])];
    const dataPipes = new Set(ends.flatMap((set) => [...set]));
    const inBench = [...streamLinks('self')].filter((link) => dataPipes.has(link));

    const startTick = await nextCounterTick(ctx.ice, mounts);
    const tree = new TreeSampler(() => pids, (_p, comm, a) => describeProcess(comm, a));
    const shared = new TreeSampler(() => ctx.sharedPids, (_p, comm) => comm, false);
    const benchCpu0 = process.cpuUsage();
    ctx.log(`${run}: measuring ${ctx.seconds} s`);
    tree.start();
    shared.start();
    await sleep(ctx.seconds * 1000);
    const treeFigures = tree.stop();
    const sharedFigures = shared.stop();
    const benchCpu = process.cpuUsage(benchCpu0);
    const endTick = await nextCounterTick(ctx.ice, mounts);
    const latency: LatencyFigures | undefined = ctx.latency ? await ctx.latency(mounts[0]!) : undefined;

    const checks: string[] = [];
    const problems: string[] = [];
    checks.push(
      `ends of the PCM channels arecord->tee->ffmpeg (${[...dataPipes].join(' ')}) open in the bench process: ${inBench.length === 0 ? 'none' : inBench.join(' ')}; ` +
        `bench process CPU in the window ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(2)} s (sampling /proc and feeding pacat, not the pipeline)`,
    );
    if (dataPipes.size !== 4 || inBench.length > 0) problems.push(`${run}: PCM channel ends ${[...dataPipes].join(' ') || 'not found'}, of which open in the bench: ${inBench.join(' ') || 'none'}`);
    const overruns = (procs.find((p) => p.name === 'arecord')?.stderr() ?? '').match(/overrun/g)?.length ?? 0;
    checks.push(`arecord overruns: ${overruns}`);
    if (overruns > 0) problems.push(`${run}: arecord reported ${overruns} overruns`);
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) problems.push(`${run}: ${p.name} exited early: ${p.stderr().trim()}`);
    }
    for (const n of treeFigures.notCounted) problems.push(`${run} process not alive for the whole window: ${n}`);
    return { run, tree: treeFigures, shared: sharedFigures, mounts: mountRates(mounts, startTick, endTick), checks, problems, latency };
  } finally {
    // arecord first: tee and the ffmpegs then see end of input and finish on their own.
    for (const p of [...procs].reverse()) await stopChild(p.child, 3000);
  }
}
