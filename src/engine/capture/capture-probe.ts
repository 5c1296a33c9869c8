// Before the capture moves to another device: open it with arecord in the format asked for and wait for
// the first audio, so a device that is missing, busy or cannot give that format is refused with the
// card's own words (and the field they concern) while the capture in use carries on untouched.
import { spawn } from 'node:child_process';
import type { DeviceFormat } from './capture-settings.js';
import { buildArecordArgv, describeArecordFailure } from './arecord-argv.js';

export const PROBE_TIMEOUT_MS = 4000;

export type ProbeResult = { ok: true } | { ok: false; field: 'device' | 'sample_rate' | 'channels' | 'sample_format'; message: string; busy: boolean };

/** Which setting arecord's complaint is about. Pure. */
export function probeFailure(stderr: string, device: string): Extract<ProbeResult, { ok: false }> {
  const text = stderr.toLowerCase();
  const message = describeArecordFailure(stderr, device);
  const busy = text.includes('device or resource busy');
  if (text.includes('sample format non available')) return { ok: false, field: 'sample_format', message: `sound card "${device}" cannot capture this sample format`, busy };
  if (text.includes('channels count non available')) return { ok: false, field: 'channels', message: `sound card "${device}" cannot capture this number of channels`, busy };
  if (/rate (non available|is not accurate|doesn't match)/.test(text)) return { ok: false, field: 'sample_rate', message: `sound card "${device}" cannot capture at this sample rate`, busy };
  return { ok: false, field: 'device', message, busy };
}

export function probeCapture(device: string, format: DeviceFormat, env?: NodeJS.ProcessEnv, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = spawn(process.env.RACKCAST_ARECORD ?? 'arecord', buildArecordArgv(device, format), { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    let stderr = '';
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, field: 'device', message: `sound card "${device}" opened but delivered no audio within ${timeoutMs / 1000} s`, busy: false }), timeoutMs);
    child.stdout.on('data', () => finish({ ok: true }));
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
      // "rate is not accurate" is a warning with audio still coming, but the audio would be at the wrong rate.
      if (/rate is not accurate/i.test(stderr)) finish(probeFailure(stderr, device));
    });
    child.once('error', (err) => finish({ ok: false, field: 'device', message: `cannot run arecord: ${err.message}`, busy: false }));
    child.once('close', () => finish(probeFailure(stderr, device)));
  });
}
