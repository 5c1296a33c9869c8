// The capture's settings (settings row `capture`): which ALSA PCM (or the built-in tone) and the format
// every consumer of the capture gets. A --capture or --sample-rate/--channels/--sample-format flag (or
// its RACKCAST_* variable) wins at start: it is applied over the stored value and never written back,
// so the setting made on the page is what the box uses once the flag is gone. GET says which fields a
// flag holds.
import { z } from 'zod';
import type { CaptureChannels, PcmFormat } from '../types.js';
import { parseStored, parseUpdate, type Parsed } from '../box/settings-parse.js';

export const CAPTURE_SETTINGS_KEY = 'capture';

export const SAMPLE_RATES = [44100, 48000] as const;
export const SAMPLE_FORMATS = ['S16_LE', 'S32_LE'] as const;

/** An ALSA PCM name as arecord -D takes it (hw:1,0, plughw:CARD=Device,DEV=0, default, pulse) or tone[:HZ]. */
const ALSA_NAME = /^[\w:,.=-]+$/;

export const captureSchema = z.strictObject({
  device: z
    .string({ error: 'must be an ALSA device name' })
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters')
    .refine((s) => ALSA_NAME.test(s), 'must be an ALSA device name such as hw:1,0, plughw:CARD=Device,DEV=0 or default (or tone for the test signal)')
    .default('default'),
  sample_rate: z.union([z.literal(44100), z.literal(48000)], { error: 'must be 44100 or 48000' }).default(48000),
  /** 4: the programme on channels 1/2 (what the encoders get, in stereo), the aux pair on 3/4 (live listen's aux1). */
  channels: z.union([z.literal(1), z.literal(2), z.literal(4)], { error: 'must be 1 (mono), 2 (stereo) or 4 (the programme on 1/2, aux1 on 3/4)' }).default(2),
  sample_format: z.enum(SAMPLE_FORMATS, { error: `must be one of ${SAMPLE_FORMATS.join(', ')}` }).default('S16_LE'),
});

export type CaptureConfig = z.output<typeof captureSchema>;
export const DEFAULT_CAPTURE_CONFIG: CaptureConfig = captureSchema.parse({});
export const CAPTURE_READ_ONLY_KEYS = ['overridden', 'stored', 'status'] as const;

/** What the start flags set; `channels` is the capture's own count (4 included). */
export interface CaptureOverrides {
  device?: string;
  format?: Partial<Omit<PcmFormat, 'channels'> & { channels: CaptureChannels }>;
}

/** The programme's format: what every consumer gets (a 4-channel capture gives them channels 1/2). */
export function toFormat(c: CaptureConfig): PcmFormat {
  return { sampleRate: c.sample_rate, channels: c.channels === 4 ? 2 : c.channels, sampleFormat: c.sample_format };
}

/** The format the card is opened in: the programme's, with the capture's own channel count. */
export function deviceFormat(c: CaptureConfig): DeviceFormat {
  return { ...toFormat(c), channels: c.channels };
}

export type DeviceFormat = Omit<PcmFormat, 'channels'> & { channels: CaptureChannels };

/** The stored row; older firmware stored `{device, format: {sampleRate, channels, sampleFormat}}`. */
export function loadCapture(raw: unknown): CaptureConfig {
  let input = raw;
  if (typeof raw === 'object' && raw !== null && 'format' in raw) {
    const old = raw as { device?: unknown; format?: Partial<PcmFormat> };
    input = { device: old.device, sample_rate: old.format?.sampleRate, channels: old.format?.channels, sample_format: old.format?.sampleFormat };
    input = Object.fromEntries(Object.entries(input as object).filter(([, v]) => v !== undefined));
  }
  return parseStored(captureSchema, input, DEFAULT_CAPTURE_CONFIG);
}

export function parseCapture(input: unknown, current: CaptureConfig): Parsed<CaptureConfig> {
  return parseUpdate(captureSchema, input, current, 'capture settings', CAPTURE_READ_ONLY_KEYS);
}

/** The stored settings with the start flags over them, and which fields the flags hold. */
export function applyOverrides(stored: CaptureConfig, o: CaptureOverrides): { effective: CaptureConfig; overridden: (keyof CaptureConfig)[] } {
  const effective: CaptureConfig = {
    device: o.device ?? stored.device,
    sample_rate: o.format?.sampleRate ?? stored.sample_rate,
    channels: o.format?.channels ?? stored.channels,
    sample_format: o.format?.sampleFormat ?? stored.sample_format,
  };
  const overridden: (keyof CaptureConfig)[] = [];
  if (o.device !== undefined) overridden.push('device');
  if (o.format?.sampleRate !== undefined) overridden.push('sample_rate');
  if (o.format?.channels !== undefined) overridden.push('channels');
  if (o.format?.sampleFormat !== undefined) overridden.push('sample_format');
  return { effective, overridden };
}
