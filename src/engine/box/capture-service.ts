// Changing the capture while the box is on air (GET/PUT /api/capture). A new device in the same format
// is opened first by a probe (capture-probe.ts): refused with the card's words if it cannot deliver, and
// otherwise the capture alone moves to it, the encoders staying connected on a moment of silence. A new
// format restarts the audio path (every consumer's PCM changes shape) and the recordings in new files;
// if the card then cannot deliver it, the previous settings come back and the change is refused.
import type { SettingsStore } from '../db/settings-store.js';
import type { EventLog } from '../db/event-log.js';
import type { CaptureStatus } from '../capture/capture.js';
import { parseToneDevice } from '../capture/capture.js';
import { probeCapture, type ProbeResult } from '../capture/capture-probe.js';
import {
  CAPTURE_SETTINGS_KEY, applyOverrides, deviceFormat, loadCapture, parseCapture, toFormat,
  type CaptureConfig, type CaptureOverrides,
} from '../capture/capture-settings.js';
import type { CaptureChannels, PcmFormat } from '../types.js';
import type { FieldError } from './settings-parse.js';

export interface CaptureAudio {
  captureStatus(): CaptureStatus;
  setCaptureDevice(device: string): Promise<void>;
  restartWithFormat(device: string, format: PcmFormat, captureChannels: CaptureChannels): Promise<void>;
}

export interface CaptureRecordings {
  activeIds(): number[];
  stopRecording(id: number): Promise<void>;
  restart(ids: number[]): void;
}

export interface CaptureServiceDeps {
  settings: SettingsStore;
  eventLog: EventLog;
  overrides: CaptureOverrides;
  env?: NodeJS.ProcessEnv;
  probe?: typeof probeCapture;
  /** How long a restarted capture has to deliver before the change is undone. */
  verifyMs?: number;
}

export type CaptureChange = { ok: true; restarted: 'nothing' | 'capture' | 'audio_path' } | { ok: false; errors: FieldError[] };

export interface CaptureView extends CaptureConfig {
  /** Fields a start flag or RACKCAST_* variable holds: they win again at the next start. */
  overridden: (keyof CaptureConfig)[];
  /** What is stored (what the next start uses where no flag holds the field). */
  stored: CaptureConfig;
  status: CaptureStatus;
}

export class CaptureService {
  private stored: CaptureConfig;
  private live: CaptureConfig;
  readonly overridden: (keyof CaptureConfig)[];
  private audio: CaptureAudio | null = null;
  private recordings: CaptureRecordings | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CaptureServiceDeps) {
    this.stored = loadCapture(deps.settings.get<unknown>(CAPTURE_SETTINGS_KEY, null));
    const { effective, overridden } = applyOverrides(this.stored, deps.overrides);
    this.live = effective;
    this.overridden = overridden;
  }

  /** The audio path and the recordings are built with the settings this service read, so they are attached after. */
  attach(audio: CaptureAudio, recordings: CaptureRecordings): void {
    this.audio = audio;
    this.recordings = recordings;
  }

  get device(): string {
    return this.live.device;
  }

  /** The programme's format (what every consumer gets). */
  get format(): PcmFormat {
    return toFormat(this.live);
  }

  /** How many channels the card is opened with (4: aux1 on channels 3/4). */
  get captureChannels(): CaptureChannels {
    return this.live.channels;
  }

  view(): CaptureView {
    return { ...this.live, overridden: [...this.overridden], stored: { ...this.stored }, status: this.audio!.captureStatus() };
  }

  /** One change at a time: a second PUT waits for the first to finish. */
  update(input: unknown): Promise<CaptureChange> {
    const run = this.queue.then(() => this.apply(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(input: unknown): Promise<CaptureChange> {
    const parsed = parseCapture(input, this.live);
    if (!parsed.ok) return parsed;
    const next = parsed.value;
    const before = this.live;
    const formatChanged = next.sample_rate !== before.sample_rate || next.channels !== before.channels || next.sample_format !== before.sample_format;
    const deviceChanged = next.device !== before.device;
    if (!formatChanged && !deviceChanged) {
      this.store(next);
      return { ok: true, restarted: 'nothing' };
    }
    // A device this capture holds cannot be opened a second time (busy): it is proven by the restart instead.
    let proven = parseToneDevice(next.device) !== null || !deviceChanged;
    if (deviceChanged && !proven) {
      const probe = await (this.deps.probe ?? probeCapture)(next.device, deviceFormat(next), this.deps.env);
      if (!probe.ok && !probe.busy) return refused(probe);
      proven = probe.ok;
    }
    if (!formatChanged) {
      this.live = next;
      await this.audio!.setCaptureDevice(next.device);
      const failure = proven ? null : await this.verify();
      if (failure) {
        this.live = before;
        await this.audio!.setCaptureDevice(before.device);
        return refused(failure);
      }
      this.store(next);
      this.log(before, next);
      return { ok: true, restarted: 'capture' };
    }
    await this.restartAudio(next);
    const failure = parseToneDevice(next.device) === null ? await this.verify() : null;
    if (failure) {
      await this.restartAudio(before);
      return refused(failure);
    }
    this.store(next);
    this.log(before, next);
    return { ok: true, restarted: 'audio_path' };
  }

  private async restartAudio(config: CaptureConfig): Promise<void> {
    const recording = this.recordings!.activeIds();
    for (const id of recording) await this.recordings!.stopRecording(id);
    this.live = config;
    await this.audio!.restartWithFormat(config.device, toFormat(config), config.channels);
    this.recordings!.restart(recording);
  }

  /** Waits for the restarted capture's first audio; its error (with the field it concerns) if it fails. */
  private async verify(): Promise<Extract<ProbeResult, { ok: false }> | null> {
    const deadline = Date.now() + (this.deps.verifyMs ?? 5000);
    while (Date.now() < deadline) {
      const s = this.audio!.captureStatus();
      if (s.state === 'running') return null;
      if (s.state === 'no_input') {
        const field = /format/.test(s.error ?? '') ? 'sample_format' : 'device';
        return { ok: false, field, message: s.error ?? 'the capture did not start', busy: false };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ok: false, field: 'device', message: `sound card "${this.live.device}" delivered no audio in this format`, busy: false };
  }

  /** Stores settings for the next start without applying them (a restored backup whose device cannot open now). */
  storeForNextStart(config: CaptureConfig): void {
    this.store(config);
  }

  private store(config: CaptureConfig): void {
    this.stored = config;
    this.deps.settings.set(CAPTURE_SETTINGS_KEY, config);
  }

  private log(before: CaptureConfig, after: CaptureConfig): void {
    const changes = (Object.keys(after) as (keyof CaptureConfig)[]).filter((k) => after[k] !== before[k]).map((k) => `${k} ${before[k]} → ${after[k]}`);
    this.deps.eventLog.add({ level: 'info', kind: 'capture_changed', message: `Capture changed: ${changes.join(', ')}`, data: { before, after } });
  }
}

function refused(probe: Extract<ProbeResult, { ok: false }>): CaptureChange {
  return { ok: false, errors: [{ field: probe.field, message: probe.message }] };
}
