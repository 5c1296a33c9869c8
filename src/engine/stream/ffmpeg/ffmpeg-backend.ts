// The ffmpeg backend: one ffmpeg child encodes the PCM from its stdin to one elementary stream on its
// stdout, and RackCast's own source client (../outputs/) carries it to the server. ffmpeg keeps running
// while the server is away (its bytes are discarded and counted), so a reconnect never restarts the
// codec; a crashed ffmpeg is restarted alone and the connection stays up.
import { Supervisor, type ExitInfo } from '../../supervisor.js';
import { buildFfmpegArgv, ffmpegBinary } from './ffmpeg-argv.js';
import { codecInfo } from '../codecs.js';
import { StreamSink } from '../outputs/stream-sink.js';
import { connectIcecast } from '../outputs/icecast-source.js';
import { connectShoutcastV1 } from '../outputs/shoutcast-source.js';
import { SourceError, isLongBackoff } from '../outputs/source-errors.js';
import type { SourceConnection, SourceTarget } from '../outputs/source-client.js';
import type { Track } from '../../metadata/types.js';
import { CodecTags } from '../../metadata/codec-tags.js';
import type { EncoderConfig } from '../../types.js';
import type { BackendCounters, BackendHost, StreamBackend } from '../backend.js';
import { PcmInput } from '../pcm-input.js';
import { PolledOutput } from './polled-output.js';
import { log } from '../../log.js';

/** A connection that cannot take this many seconds of audio is dead (half-open TCP). */
export const STALLED_SEND_SECONDS = 10;

export function sourceTarget(config: EncoderConfig, password: string): SourceTarget {
  return {
    host: config.server_host ?? '',
    port: config.server_port ?? 8000,
    mount: config.mount_point ?? '/',
    username: config.server_username || 'source',
    password,
    contentType: codecInfo(config.codec).contentType ?? 'application/octet-stream',
    name: config.stream_name,
    genre: config.stream_genre,
    url: config.stream_url,
    description: config.stream_description,
    isPublic: config.is_public,
    bitrateKbps: config.bitrate_kbps,
    sampleRate: config.codec === 'opus' ? 48000 : config.sample_rate,
    channels: config.channels,
    shoutcastSid: config.shoutcast_sid,
  };
}

export function connectTarget(config: EncoderConfig, target: SourceTarget): Promise<SourceConnection> {
  return config.output_type === 'shoutcast' ? connectShoutcastV1(target) : connectIcecast(target);
}

export class FfmpegBackend implements StreamBackend {
  private supervisor: Supervisor | null = null;
  private readonly input = new PcmInput();
  private readonly sink: StreamSink;
  private readonly output: PolledOutput;
  /** Chunks at which ffmpeg's output is read after PCM went in, whatever is found. */
  private pollsAfterWrite = 0;
  /** The last read found output: read again at the next chunk. */
  private flowing = false;
  private connection: SourceConnection | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private connectSeq = 0;
  private lastExit: string | null = null;
  private readonly taps = new Set<(data: Buffer) => void>();
  /** Ogg: the title in the codec's headers; a change restarts the codec. */
  private readonly tags: CodecTags;
  private readonly debug;

  constructor(private readonly host: BackendHost) {
    this.sink = new StreamSink(this.isOgg());
    this.output = new PolledOutput(host.runDir());
    this.debug = log(`encoder:${host.config().id}:ffmpeg`);
    this.tags = new CodecTags({
      applies: () => this.isOgg() && this.host.config().send_metadata,
      running: () => this.supervisor?.running ?? false,
      restart: () => this.restartCodecForTags(),
      now: Date.now,
    });
  }

  private isOgg(): boolean {
    return codecInfo(this.host.config().codec).contentType === 'audio/ogg';
  }

  get writable(): boolean {
    return this.input.writable;
  }

  write(chunk: Buffer): boolean {
    this.pollsAfterWrite = 2;
    return this.input.write(chunk);
  }

  /**
   * Ogg: the title inside the stream. A change ends the codec's input so it closes its logical
   * stream cleanly, and a new codec starts with the new tags: a new chained stream on the same
   * connection, while the queue holds the audio in between. Other codecs ignore this.
   */
  setTrack(track: Track | null): void {
    this.tags.set(track);
  }

  link(): { remoteAddress: string; localAddress?: string } | null {
    if (!this.connection) return null;
    return { remoteAddress: this.connection.remoteAddress, localAddress: this.connection.localAddress };
  }

  kill(): void {
    this.supervisor?.kill();
  }

  tapEncoded(onData: (data: Buffer) => void): () => void {
    // A decoder that joins an Ogg stream mid-way needs its headers first, as a new listener does.
    for (const page of this.sink.headerPages()) onData(page);
    this.taps.add(onData);
    return () => this.taps.delete(onData);
  }

  counters(): BackendCounters {
    return {
      bytesSent: this.sink.bytesSent,
      bytesDiscarded: this.sink.bytesDiscarded,
      process: { running: this.supervisor?.running ?? false, pid: this.supervisor?.pid ?? null, restarts: this.supervisor?.restarts ?? 0 },
    };
  }

  // --- the connection ---------------------------------------------------------------

  connect(): void {
    void this.connectOnce();
  }

  private async connectOnce(): Promise<void> {
    const seq = ++this.connectSeq;
    // Connect only once the codec has produced audio: Icecast drops a source that sends
    // nothing for 10 s, and a codec that cannot start is the error worth reporting.
    const ready = await this.sink.waitForOutput(5000);
    if (seq !== this.connectSeq) return;
    if (!ready) {
      this.host.connectFailed(this.lastExit ?? 'the encoder produced no audio', false);
      return;
    }
    const config = this.host.config();
    try {
      const connection = await connectTarget(config, sourceTarget(config, this.host.password()));
      if (seq !== this.connectSeq) {
        connection.close();
        return;
      }
      this.connection = connection;
      connection.onClose((err) => {
        if (this.connection !== connection) return;
        this.disconnect();
        this.host.disconnected(err?.message ?? 'connection closed', err ? isLongBackoff(err.kind) : false);
      });
      this.sink.attach(connection);
      this.watchForStall(connection);
      this.host.connected();
    } catch (err) {
      if (seq !== this.connectSeq) return;
      const sourceErr = err instanceof SourceError ? err : null;
      this.host.connectFailed(
        sourceErr?.message ?? (err instanceof Error ? err.message : String(err)),
        sourceErr ? isLongBackoff(sourceErr.kind) : false,
      );
    }
  }

  private watchForStall(connection: SourceConnection): void {
    const config = this.host.config();
    const kbps = config.bitrate_kbps ?? codecInfo(config.codec).defaultBitrateKbps ?? 320;
    const limitBytes = Math.max(256 * 1024, (kbps * 1000 * STALLED_SEND_SECONDS) / 8);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = setInterval(() => {
      if (this.connection !== connection) return;
      if (connection.writableLength > limitBytes) {
        this.disconnect();
        this.host.disconnected('server stopped accepting audio (network stalled)', false);
      }
    }, 1000);
  }

  disconnect(): void {
    this.connectSeq++;
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
    this.sink.detach();
    const connection = this.connection;
    this.connection = null;
    connection?.close();
  }

  // --- the codec process ----------------------------------------------------------

  start(): void {
    if (this.supervisor) return;
    const config = (): EncoderConfig => this.host.config();
    this.supervisor = new Supervisor({
      name: `ffmpeg:${config().id}`,
      command: ffmpegBinary,
      argv: () => buildFfmpegArgv(this.host.captureFormat(), config(), { metadata: this.tags.forLaunch() }),
      backoff: { initialMs: 500, maxMs: 15_000, resetAfterMs: 30_000 },
      onSpawn: (child) => {
        this.input.attach(child.stdin, () => this.host.drained());
        this.host.drained();
      },
      // ffmpeg's stdout is the polled pipe: poll() reads it on the audio path's clock.
      stdout: () => this.output.open(),
      onExit: (info) => this.onExit(info),
    });
    this.supervisor.start();
  }

  /**
   * Takes what ffmpeg has written, without waiting (the audio core calls it at every capture chunk, before the
   * chunk goes out): at the two chunks after PCM went in, by when ffmpeg has encoded it even on a busy box,
   * and for as long as there is output, so the chunks in between cost no read at all. ffmpeg held on a full
   * output pipe (a large write after a stall) is thus read until it has encoded all it was given.
   */
  poll(): void {
    if (this.pollsAfterWrite === 0 && !this.flowing) return;
    if (this.pollsAfterWrite > 0) this.pollsAfterWrite--;
    this.flowing = this.output.drain(this.onEncoded) > 0;
  }

  private readonly onEncoded = (data: Buffer): void => {
    this.sink.write(data);
    for (const tap of this.taps) tap(data);
  };

  private onExit(info: ExitInfo): void {
    // All it wrote before it went is in the pipe: the end of an Ogg chain comes before the next one starts.
    this.output.drainToEnd(this.onEncoded);
    this.input.detach();
    if (info.restartInMs === null) return;
    this.sink.encoderRestarted();
    if (info.planned) return;
    const detail = info.spawnError ?? (info.stderrTail.split('\n').pop() || `exit code ${info.code ?? info.signal}`);
    this.lastExit = `encoder process stopped: ${detail}`;
    this.debug('ffmpeg exited: %s; restart in %d ms', detail, info.restartInMs);
    this.host.processExited(this.lastExit);
  }

  private async restartCodecForTags(): Promise<void> {
    const supervisor = this.supervisor;
    if (!supervisor) return;
    // Nothing more goes to the old codec; the fan-out queue keeps the audio for the new one.
    this.input.detach();
    this.debug('new stream tags: restarting the codec for a new chained stream');
    await supervisor.cycle();
  }

  async stop(): Promise<void> {
    this.disconnect();
    this.tags.cancel();
    const supervisor = this.supervisor;
    this.supervisor = null;
    this.input.detach();
    await supervisor?.stop();
    this.output.close();
    this.sink.encoderRestarted();
  }
}
