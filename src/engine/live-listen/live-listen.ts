// Live listen on the control thread: the settings, which sources exist now, the plan the audio worker
// plays, the network listeners (with their cap and the listen key), and the status the API, the page,
// SSE and the event log show. The audio itself never passes through here except for network listeners.
import type { ServerResponse } from 'node:http';
import type { SettingsStore } from '../db/settings-store.js';
import type { EncoderConfig, PcmFormat } from '../types.js';
import type { FieldError } from '../stream/encoder-schema.js';
import { UrlKey, type KeyCheck } from '../url-key.js';
import type { ListenSource, LiveListenPlan, LiveListenStatus } from './live-listen-core.js';
import { LIVE_LISTEN_KEY, parseLiveListenSettings, storedLiveListen, type LiveListenSettings } from './live-listen-settings.js';
import { NetworkListen, type ListenFormat } from './network-listen.js';

export const LISTEN_KEY_SETTING = 'live_listen_key_sha256';
const listenKey = new UrlKey(LISTEN_KEY_SETTING, 'rcl_');

export class LiveListenError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export interface LiveListenView extends LiveListenSettings {
  status: LiveListenStatus;
  network: { listeners: number; mp3: number; wav: number; max: number; dropped_slow: number; key_created_at: string | null };
}

export interface SourceOption {
  source: string;
  label: string;
  available: boolean;
  why: string | null;
}

export interface LiveListenDeps {
  settings: SettingsStore;
  format: () => PcmFormat;
  /** Channels the card is opened with (4: aux1 on channels 3/4). */
  captureChannels: () => number;
  encoders: () => EncoderConfig[];
  encoderActive: (id: number) => boolean;
  /** Sends the plan to the audio worker. */
  play: (plan: LiveListenPlan) => void;
  /** Environment for aplay and the decoders (tests: a private PulseAudio). */
  env?: NodeJS.ProcessEnv;
  log: (entry: { level: 'info' | 'warning'; message: string }) => void;
  changed: (view: LiveListenView) => void;
}

function idleStatus(s: LiveListenSettings, format: PcmFormat): LiveListenStatus {
  return {
    state: 'off', status_text: 'Off', enabled: s.enabled, device: s.device_name ?? 'default', source: s.source, volume: s.volume,
    volume_db: null, output: { running: false, pid: null, restarts: 0, underruns: 0, last_error: null }, source_process: null,
    queue: { queued_ms: 0, dropped_ms: 0 }, format: { sample_rate: format.sampleRate, channels: Math.min(2, format.channels) },
  };
}

export class LiveListen {
  private current: LiveListenSettings;
  private worker: LiveListenStatus | null = null;
  private readonly network: NetworkListen;

  constructor(private readonly deps: LiveListenDeps) {
    this.current = storedLiveListen(deps.settings.get<unknown>(LIVE_LISTEN_KEY, null));
    const f = deps.format();
    this.network = new NetworkListen({
      format: { rate: f.sampleRate, channels: f.channels },
      onCountChange: () => {
        this.sendPlan();
        this.deps.changed(this.view());
      },
    });
  }

  settings(): LiveListenSettings {
    return { ...this.current };
  }

  view(): LiveListenView {
    const counts = this.network.counts();
    return {
      ...this.current,
      status: this.worker ?? idleStatus(this.current, this.deps.format()),
      network: { listeners: counts.total, mp3: counts.mp3, wav: counts.wav, max: this.current.max_network_listeners, dropped_slow: counts.dropped_slow, key_created_at: listenKey.createdAt(this.deps.settings) },
    };
  }

  /** A partial update; refused whole (nothing changes) with errors naming the fields. */
  update(input: unknown): LiveListenView {
    const parsed = parseLiveListenSettings(input, this.current);
    if (!parsed.ok) throw new LiveListenError(parsed.errors);
    const next = parsed.value;
    const why = this.unavailable(next.source);
    // A source that cannot play now is refused when it is chosen or when live listen is switched on with it.
    if (why && (next.source !== this.current.source || (next.enabled && !this.current.enabled))) throw new LiveListenError([{ field: 'source', message: why }]);
    this.current = next;
    this.deps.settings.set(LIVE_LISTEN_KEY, next);
    this.deps.log({ level: 'info', message: `Live listen: ${next.enabled ? `${next.source} on "${next.device_name ?? 'default'}", volume ${Math.round(next.volume * 100)} %` : 'off'}` });
    this.sendPlan();
    this.deps.changed(this.view());
    return this.view();
  }

  /** Every source, and whether it can be played now. */
  sources(): SourceOption[] {
    const out: SourceOption[] = [{ source: 'master', label: 'Programme (the capture the encoders get)', available: true, why: null }];
    out.push({ source: 'aux1', label: 'Aux 1 (capture channels 3/4)', available: this.unavailable('aux1') === null, why: this.unavailable('aux1') });
    for (const e of this.deps.encoders()) {
      if (e.output_type === 'file') continue;
      for (const kind of ['encoder', 'server'] as const) {
        const source = `${kind}:${e.id}`;
        const why = this.unavailable(source);
        const label = kind === 'encoder' ? `${e.name}: its encoder's output` : `${e.name}: off air, from the server`;
        out.push({ source, label, available: why === null, why });
      }
    }
    return out;
  }

  /** Why `source` cannot play now, or null. */
  unavailable(source: string): string | null {
    if (source === 'master') return null;
    if (source === 'aux1') {
      const channels = this.deps.captureChannels();
      return channels >= 4 ? null : `aux1 needs a capture of 4 channels (it plays channels 3/4); this capture has ${channels}`;
    }
    const m = source.match(/^(encoder|server):(\d+)$/);
    if (!m) return 'must be master, aux1, encoder:<id> or server:<id>';
    const id = Number(m[2]);
    const e = this.deps.encoders().find((x) => x.id === id);
    if (!e) return `encoder ${id} does not exist`;
    if (e.output_type === 'file') return `encoder ${id} ("${e.name}") records to a file; choose a stream encoder`;
    if (!this.deps.encoderActive(id)) return `encoder ${id} ("${e.name}") is stopped; start it first`;
    if (m[1] === 'encoder' && e.backend !== 'ffmpeg') return `encoder ${id} ("${e.name}") runs on Liquidsoap, whose output RackCast does not see; choose server:${id}`;
    return null;
  }

  /** What the worker should play, from the settings and the encoders as they are now. */
  plan(): LiveListenPlan {
    const s = this.current;
    return {
      enabled: s.enabled,
      device: s.device_name ?? 'default',
      volume: s.volume,
      source: this.sourceFor(s.source),
      sourceName: s.source,
      network: this.network.count > 0,
      env: this.deps.env,
    };
  }

  private sourceFor(name: string): ListenSource {
    const m = name.match(/^(encoder|server):(\d+)$/);
    const e = m ? this.deps.encoders().find((x) => x.id === Number(m[2])) : undefined;
    if (name === 'aux1') return { kind: 'aux1' };
    if (!m || !e) return { kind: 'master' };
    const format = e.codec === 'mp3' ? 'mp3' : e.codec === 'aac' ? 'aac' : 'ogg';
    if (m[1] === 'encoder') return { kind: 'encoder', id: e.id, format };
    const host = e.server_host?.includes(':') ? `[${e.server_host}]` : e.server_host;
    // SHOUTcast v1 servers play the stream at "/;"; Icecast at the mount.
    const path = e.output_type === 'shoutcast' ? '/;' : (e.mount_point ?? '/');
    return { kind: 'server', id: e.id, url: `http://${host}:${e.server_port ?? 8000}${path}`, format };
  }

  sendPlan(): void {
    this.deps.play(this.plan());
  }

  /** The worker's report. */
  workerStatus(status: LiveListenStatus): void {
    const before = this.worker;
    this.worker = status;
    if (before?.state !== status.state && status.state !== 'starting') {
      this.deps.log({ level: status.state === 'playing' || status.state === 'off' ? 'info' : 'warning', message: `Live listen: ${status.status_text}` });
    }
    if (before?.state !== status.state || before?.status_text !== status.status_text) this.deps.changed(this.view());
  }

  networkPcm(pcm: Buffer): void {
    this.network.feed(pcm);
  }

  /** A player connects: refused with the reason once the cap is reached. */
  addNetworkListener(res: ServerResponse, format: ListenFormat): { ok: true } | { ok: false; error: string } {
    if (this.network.count >= this.current.max_network_listeners) {
      return { ok: false, error: `${this.network.count} network listeners already (max_network_listeners is ${this.current.max_network_listeners})` };
    }
    this.network.add(res, format);
    return { ok: true };
  }

  /** Ends the network streams whose request was let in as `which` says (a revoked token, a changed password). */
  closeNetworkWhere(which: (locals: Record<string, unknown>) => boolean): number {
    return this.network.closeWhere(which);
  }

  /** A new key: the old one stops working, and the players still playing with it are cut off. */
  rotateKey(): string {
    this.network.closeWhere((l) => l.listenKey === true);
    return listenKey.rotate(this.deps.settings);
  }

  removeKey(): void {
    this.network.closeWhere((l) => l.listenKey === true);
    listenKey.remove(this.deps.settings);
  }

  checkKey(candidate: string): KeyCheck {
    return listenKey.check(this.deps.settings, candidate);
  }

  async stop(): Promise<void> {
    await this.network.stop();
  }
}
