// Parsing of `rackcast engine` flags: each flag is also a RACKCAST_* environment variable (DESIGN.md).
import { parseArgs } from 'node:util';
import type { CaptureOverrides } from './engine/capture/capture-settings.js';

export interface EngineFlags {
  dataDir: string;
  port: number;
  bind: string;
  capture?: string;
  adminPassword?: string;
  /** The capture's format flags; `channels` is the card's own count (4: aux1 on 3/4). */
  format: NonNullable<CaptureOverrides['format']>;
}

export const USAGE = `usage: rackcast engine [--data-dir DIR] [--port N] [--bind ADDR] [--capture PCM|tone[:HZ]]
                       [--admin-password PW] [--sample-rate 44100|48000] [--channels 1|2|4]
                       [--sample-format S16_LE|S32_LE]
Each flag may also be given as an environment variable: RACKCAST_DATA_DIR, RACKCAST_PORT, RACKCAST_BIND,
RACKCAST_CAPTURE, RACKCAST_ADMIN_PASSWORD, RACKCAST_SAMPLE_RATE, RACKCAST_CHANNELS, RACKCAST_SAMPLE_FORMAT.`;

export class UsageError extends Error {}

/** Flags win over the environment; errors name the flag. Pure, for tests. */
export function parseEngineFlags(args: string[], env: NodeJS.ProcessEnv): EngineFlags {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      bind: { type: 'string' },
      capture: { type: 'string' },
      'admin-password': { type: 'string' },
      'sample-rate': { type: 'string' },
      channels: { type: 'string' },
      'sample-format': { type: 'string' },
    },
  });
  const pick = (flag: keyof typeof values, name: string) => (values[flag] as string | undefined) ?? env[name];
  const port = Number(pick('port', 'RACKCAST_PORT') ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number (0-65535)');
  const format: EngineFlags['format'] = {};
  const rate = pick('sample-rate', 'RACKCAST_SAMPLE_RATE');
  if (rate !== undefined) {
    if (rate !== '44100' && rate !== '48000') throw new UsageError('--sample-rate must be 44100 or 48000');
    format.sampleRate = Number(rate) as 44100 | 48000;
  }
  const channels = pick('channels', 'RACKCAST_CHANNELS');
  if (channels !== undefined) {
    if (channels !== '1' && channels !== '2' && channels !== '4') throw new UsageError('--channels must be 1, 2 or 4 (the programme on 1/2, aux1 on 3/4)');
    format.channels = Number(channels) as 1 | 2 | 4;
  }
  const sampleFormat = pick('sample-format', 'RACKCAST_SAMPLE_FORMAT');
  if (sampleFormat !== undefined) {
    if (sampleFormat !== 'S16_LE' && sampleFormat !== 'S32_LE') throw new UsageError('--sample-format must be S16_LE or S32_LE');
    format.sampleFormat = sampleFormat;
  }
  const capture = pick('capture', 'RACKCAST_CAPTURE');
  if (capture !== undefined && !/^[\w:,.=-]+$/.test(capture)) throw new UsageError('--capture must be an ALSA PCM name (e.g. hw:1,0, default) or tone');
  return {
    dataDir: pick('data-dir', 'RACKCAST_DATA_DIR') ?? '/var/lib/rackcast',
    port,
    bind: pick('bind', 'RACKCAST_BIND') ?? '0.0.0.0',
    capture,
    adminPassword: pick('admin-password', 'RACKCAST_ADMIN_PASSWORD'),
    format,
  };
}
