// The two peers of scripts/bench --peers, each one process doing the whole job with its own capture and
// encoders: Darkice 1.3 and Liquidsoap (Debian's packages), with configurations generated here for the
// bench's three outputs from the same ALSA PCM. Measured like the floor: the process tree from /proc.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, removeOnExit, sleep, spawnTracked, stopChild, tailOf, waitFor } from '../../test/harness/util.js';
import { liquidsoapString } from '../../src/engine/stream/liquidsoap/liquidsoap-script.js';
import { ENCODERS, FORMAT, mountFor, mountRates, nextCounterTick, type BenchEncoder, type RunContext, type RunName, type RunResult } from './common.js';
import { TreeSampler } from './sampler.js';

export interface PeerTarget {
  pcm: string;
  port: number;
  password: string;
}

/**
 * Darkice's configuration for the three outputs. LAME's quality 0.7 is its algorithm quality 3, what ffmpeg's
 * libmp3lame and Liquidsoap use by default; Vorbis is managed ABR like ffmpeg's `-b:a`.
 */
export function darkiceConfig(t: PeerTarget, run: RunName = 'darkice'): string {
  const outputs = ENCODERS.map((e, i) => [
    `[icecast2-${i}]`,
    e.codec === 'mp3' ? 'bitrateMode = cbr' : 'bitrateMode = abr',
    `format = ${e.codec === 'mp3' ? 'mp3' : 'vorbis'}`,
    `bitrate = ${e.bitrateKbps}`,
    ...(e.codec === 'mp3' ? ['quality = 0.7'] : []),
    'server = 127.0.0.1',
    `port = ${t.port}`,
    `password = ${t.password}`,
    `mountPoint = ${mountFor(run, e).slice(1)}`,
    `name = Bench ${e.title}`,
    'public = no',
    '',
  ].join('\n'));
  return [
    '[general]',
    'duration = 0',
    'bufferSecs = 1',
    'reconnect = yes',
    'realtime = no',
    '',
    '[input]',
    `device = ${t.pcm}`,
    `sampleRate = ${FORMAT.sampleRate}`,
    'bitsPerSample = 16',
    `channel = ${FORMAT.channels}`,
    '',
    ...outputs,
  ].join('\n');
}

function liquidsoapFormat(e: BenchEncoder): string {
  return e.codec === 'mp3'
    ? `%mp3(bitrate=${e.bitrateKbps}, samplerate=${FORMAT.sampleRate}, stereo=true, id3v2=false)`
    : `%vorbis.abr(bitrate=${e.bitrateKbps}, samplerate=${FORMAT.sampleRate}, channels=${FORMAT.channels})`;
}

/** One Liquidsoap for all three outputs, reading the ALSA PCM itself (Liquidsoap 2.1's and 2.3's syntax alike). */
export function liquidsoapAloneScript(t: PeerTarget, allowRoot: boolean, run: RunName = 'liquidsoap-alone'): string {
  return [
    ...(allowRoot ? ['settings.init.allow_root.set(true)'] : []),
    'settings.log.file.set(false)',
    'settings.log.stdout.set(true)',
    'settings.log.level.set(2)',
    `settings.frame.audio.samplerate.set(${FORMAT.sampleRate})`,
    `programme = input.alsa(device=${liquidsoapString(t.pcm)})`,
    ...ENCODERS.map(
      (e) => `output.icecast(${liquidsoapFormat(e)}, host="127.0.0.1", port=${t.port}, password=${liquidsoapString(t.password)}, mount=${liquidsoapString(mountFor(run, e))}, name=${liquidsoapString(`Bench ${e.title}`)}, public=false, programme)`,
    ),
    '',
  ].join('\n');
}

/** Starts the peer, waits for its three mounts, and measures its tree as the floor is measured. */
export async function runPeer(ctx: RunContext, run: Extract<RunName, 'darkice' | 'liquidsoap-alone'>): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), `rackcast-bench-${run}-`));
  removeOnExit(dir);
  const target: PeerTarget = { pcm: ctx.pulse.pcm, port: ctx.ice.port, password: ctx.ice.sourcePassword };
  let command: string;
  let args: string[];
  if (run === 'darkice') {
    const cfg = join(dir, 'darkice.cfg');
    writeFileSync(cfg, darkiceConfig(target));
    command = 'darkice';
    args = ['-c', cfg];
  } else {
    const script = join(dir, 'bench.liq');
    writeFileSync(script, liquidsoapAloneScript(target, process.getuid?.() === 0));
    command = 'liquidsoap';
    args = [script];
  }
  const child = spawnTracked(command, args, { env: { ...process.env, ...ctx.pulse.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = tailOf(child.stdout, 4096);
  const err = tailOf(child.stderr, 4096);
  let gone = false;
  void exited(child).then(() => (gone = true));
  const why = (): string => `${run} output:\n${out().trim()}\n${err().trim()}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}: ${why()}`);
  const mounts = ENCODERS.map((e) => mountFor(run, e));
  try {
    ctx.log(`${run}: pid ${pid}`);
    await waitFor(
      async () => {
        if (gone) throw new Error(`${command} exited`);
        for (const m of mounts) if (!(await ctx.ice.mountIsLive(m))) return false;
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `${run} mounts ${mounts.join(' ')} live on Icecast` },
    ).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${why()}`)));
    ctx.log(`${run}: 3 mounts live; settling 3 s`);
    await sleep(3000);
    const startTick = await nextCounterTick(ctx.ice, mounts);
    const tree = new TreeSampler(() => [pid], (p, comm) => (p === pid ? command : comm));
    const shared = new TreeSampler(() => ctx.sharedPids, (_p, comm) => comm, false);
    ctx.log(`${run}: measuring ${ctx.seconds} s`);
    tree.start();
    shared.start();
    await sleep(ctx.seconds * 1000);
    const treeFigures = tree.stop();
    const sharedFigures = shared.stop();
    const endTick = await nextCounterTick(ctx.ice, mounts);
    const latency = ctx.latency ? await ctx.latency(mounts[0]!) : undefined;
    const problems: string[] = [];
    if (gone) problems.push(`${run} exited during the run: ${why()}`);
    for (const m of mounts) if (!(await ctx.ice.mountIsLive(m))) problems.push(`${run}: ${m} not on air at the end`);
    const checks = [`${run}: ${mounts.length} mounts on air at the end: ${problems.length === 0 ? 'yes' : 'no'}`];
    for (const n of treeFigures.notCounted) problems.push(`${run} process not alive for the whole window: ${n}`);
    return { run, tree: treeFigures, shared: sharedFigures, mounts: mountRates(mounts, startTick, endTick), checks, problems, latency };
  } finally {
    await stopChild(child, 5000);
  }
}
