// Sends the current title to every encoder on air, the way each kind of stream needs it:
// Icecast MP3/AAC mounts through /admin/metadata, SHOUTcast (and Icecast's compat socket) through
// admin.cgi, Ogg streams inside the stream itself (the runner restarts its codec with new tags), and
// Liquidsoap encoders through their own server socket (Liquidsoap sends them on, and again after
// every reconnect).
// A push never touches the audio path: it is a separate short HTTP request, retried a few times,
// and a failure ends up in the operator event log and the encoder's status, nowhere else.
import { codecInfo } from '../stream/codecs.js';
import type { EncoderConfig } from '../types.js';
import { httpPush, type PushGetter } from './push-http.js';
import {
  METADATA_USER_AGENT,
  classifyIcecastMetadataReply,
  classifyShoutcastMetadataReply,
  icecastMetadataPath,
  pushRetryDelayMs,
  shoutcastMetadataPath,
  type PushVerdict,
} from './push-requests.js';
import type { NowPlaying, PushStatus, Track } from './types.js';
import { log } from '../log.js';

const debug = log('metadata:push');

export const PUSH_TIMEOUT_MS = 5000;

/** Where the encoder's source connection goes, and from which local address. */
export interface PushLink {
  remoteAddress: string;
  localAddress?: string;
}

export interface PusherDeps {
  encoder(id: number): EncoderConfig | null;
  password(id: number): string;
  /** The live source connection of an encoder, or null when it is not on air. */
  link(id: number): PushLink | null;
  /** Encoders whose codec is running (on air or waiting to reconnect). */
  activeIds(): number[];
  /** Ogg: the tags the encoder's codec should carry; the runner restarts it when they change. */
  setStreamTags(id: number, track: Track | null): void;
  /** A push that gave up, for the operator event log. */
  logFailure(failure: { encoderId: number; message: string; data: Record<string, unknown> }): void;
  /** The title known at start (the last one stored), sent when encoders connect. */
  initial?: NowPlaying | null;
  get?: PushGetter;
  now?: () => number;
  timeoutMs?: number;
}

export type PushMethod = PushStatus['method'];

/** How titles reach this encoder's listeners. */
export function pushMethodFor(config: EncoderConfig): PushMethod {
  if (!config.send_metadata || config.output_type === 'file') return 'off';
  if (config.backend === 'liquidsoap') return 'liquidsoap';
  if (config.output_type === 'shoutcast') return 'shoutcast-admin';
  return codecInfo(config.codec).contentType === 'audio/ogg' ? 'ogg-in-stream' : 'icecast-admin';
}

/** Titles the encoder carries itself (in the Ogg stream, or through Liquidsoap), rather than an HTTP push from here. */
function carriedByEncoder(method: PushMethod): boolean {
  return method === 'ogg-in-stream' || method === 'liquidsoap';
}

function hostHeader(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

interface EncoderPushState {
  status: PushStatus;
  /** Bumped by every new push; a retry loop that sees a newer one stops. */
  generation: number;
  /** Titles delivered, and titles given up on after the retries (the metrics' counters). */
  pushed: number;
  failed: number;
}

export class MetadataPusher {
  private current: NowPlaying | null = null;
  private readonly states = new Map<number, EncoderPushState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly get: PushGetter;
  private readonly now: () => number;

  constructor(private readonly deps: PusherDeps) {
    this.get = deps.get ?? httpPush;
    this.now = deps.now ?? Date.now;
    this.current = deps.initial ?? null;
  }

  /** A new title: every running encoder gets it. */
  titleChanged(np: NowPlaying): void {
    this.current = np;
    for (const id of this.deps.activeIds()) this.pushTo(id);
  }

  /** An encoder (re)connected: servers forget the title with the source, so it goes again. */
  encoderOnAir(id: number): void {
    if (this.current) this.pushTo(id);
  }

  /** An encoder is about to start: an Ogg codec starts with the current tags in its headers. */
  encoderStarting(id: number): void {
    const config = this.deps.encoder(id);
    if (config && carriedByEncoder(pushMethodFor(config))) this.deps.setStreamTags(id, this.current);
  }

  status(config: EncoderConfig): PushStatus {
    return { ...this.state(config.id).status, method: pushMethodFor(config) };
  }

  /** Titles delivered to and given up on for encoder `id` since the engine started. */
  counts(id: number): { pushed: number; failed: number } {
    const state = this.states.get(id);
    return { pushed: state?.pushed ?? 0, failed: state?.failed ?? 0 };
  }

  forget(id: number): void {
    this.states.delete(id);
  }

  /** Abandons every retry (engine shutdown). */
  stop(): void {
    for (const state of this.states.values()) state.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private state(id: number): EncoderPushState {
    let state = this.states.get(id);
    if (!state) {
      state = {
        generation: 0,
        pushed: 0,
        failed: 0,
        status: { method: 'off', last_pushed_song: null, last_pushed_at: null, last_error: null, last_error_at: null, pending: false },
      };
      this.states.set(id, state);
    }
    return state;
  }

  private pushTo(id: number): void {
    const config = this.deps.encoder(id);
    const np = this.current;
    if (!config || !np) return;
    const method = pushMethodFor(config);
    const state = this.state(id);
    state.generation++;
    if (method === 'off') return;
    if (carriedByEncoder(method)) {
      this.deps.setStreamTags(id, np);
      this.succeeded(state, np.song);
      return;
    }
    void this.retryLoop(id, config, np, state, state.generation);
  }

  private async retryLoop(id: number, config: EncoderConfig, np: NowPlaying, state: EncoderPushState, generation: number): Promise<void> {
    state.status.pending = true;
    for (let attempt = 1; ; attempt++) {
      const link = this.deps.link(id);
      // Off air: the push happens when it connects again.
      if (!link) break;
      const verdict = await this.pushOnce(config, link, np.song);
      if (generation !== state.generation) return;
      if (verdict.ok) {
        this.succeeded(state, np.song);
        debug('encoder %d: "%s" sent (attempt %d)', id, np.song, attempt);
        break;
      }
      state.status.last_error = verdict.error;
      state.status.last_error_at = new Date(this.now()).toISOString();
      const delay = pushRetryDelayMs(attempt, verdict.retry);
      debug('encoder %d: attempt %d failed: %s; %s', id, attempt, verdict.error, delay === null ? 'giving up' : `retry in ${delay} ms`);
      if (delay === null) {
        state.failed++;
        this.deps.logFailure({
          encoderId: id,
          message: `${config.name}: title update failed: ${verdict.error}`,
          data: { song: np.song, attempts: attempt, method: pushMethodFor(config) },
        });
        break;
      }
      await this.sleep(delay);
      if (generation !== state.generation) return;
    }
    state.status.pending = false;
  }

  private succeeded(state: EncoderPushState, song: string): void {
    state.pushed++;
    state.status.last_pushed_song = song;
    state.status.last_pushed_at = new Date(this.now()).toISOString();
    state.status.last_error = null;
    state.status.last_error_at = null;
    state.status.pending = false;
  }

  private async pushOnce(config: EncoderConfig, link: PushLink, song: string): Promise<PushVerdict> {
    const password = this.deps.password(config.id);
    const port = config.server_port ?? 8000;
    const shoutcast = config.output_type === 'shoutcast';
    const path = shoutcast
      ? shoutcastMetadataPath({ password, song, sid: config.shoutcast_sid, charset: config.metadata_charset })
      : icecastMetadataPath({ mount: config.mount_point ?? '/', song, charset: config.metadata_charset });
    const reply = await this.get({
      address: link.remoteAddress,
      port,
      hostHeader: hostHeader(config.server_host ?? link.remoteAddress, port),
      path,
      localAddress: link.localAddress,
      auth: shoutcast ? null : { user: config.server_username || 'source', password },
      userAgent: METADATA_USER_AGENT,
      timeoutMs: this.deps.timeoutMs ?? PUSH_TIMEOUT_MS,
    });
    if (!reply.ok) return { ok: false, error: reply.error, retry: 'backoff' };
    return shoutcast ? classifyShoutcastMetadataReply(reply.status, reply.body) : classifyIcecastMetadataReply(reply.status, reply.body);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.timers.add(timer);
    });
  }
}
