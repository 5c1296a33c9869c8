// What an encoder runner drives: a backend that takes the capture's PCM and keeps one stream on a
// server. The runner owns the state machine, the retry count, the queue and the status; a backend owns
// its processes and its connection, and reports what happens to them in the machine's own events.
// Two implementations: ffmpeg (ffmpeg encodes, RackCast's own source client connects) and Liquidsoap
// (one liquidsoap process encodes and connects by itself, steered through its server socket).
import type { Track } from '../metadata/types.js';
import type { EncoderConfig, PcmFormat } from '../types.js';

export interface BackendProcess {
  running: boolean;
  pid: number | null;
  restarts: number;
}

export interface BackendCounters {
  /** Encoded bytes that reached the server's socket, as far as the backend can tell. */
  bytesSent: number;
  /** Encoded bytes thrown away while no server took them. */
  bytesDiscarded: number;
  process: BackendProcess;
}

/** The runner, as a backend sees it. */
export interface BackendHost {
  config(): EncoderConfig;
  password(): string;
  captureFormat(): PcmFormat;
  /** A private directory (0700) for files a backend's process needs (Liquidsoap's script and socket); null: its own temp dir. */
  runDir(): string | null;
  /** The server took the stream. A backend whose new process connects by itself may call this while the runner is retrying. */
  connected(): void;
  /** An attempt to connect failed. */
  connectFailed(error: string, longBackoff: boolean): void;
  /** The stream was on air and is not any more. */
  disconnected(error: string, longBackoff: boolean): void;
  /** The codec process stopped by itself; `detail` is what an operator reads ("encoder process stopped: …"). */
  processExited(detail: string): void;
  /** The input pipe can take PCM again (after write() returned false, or a new process). */
  drained(): void;
}

export interface StreamBackend {
  /** Starts the codec process; PCM flows into it from now on. */
  start(): void;
  /** Stops every process cleanly and drops the connection. */
  stop(): Promise<void>;
  /** The runner entered "connecting": try now (a backend with its own loop may already be trying). */
  connect(): void;
  /** The runner gave up or stopped: drop the connection, do not reconnect. */
  disconnect(): void;
  /** Whether write() can take PCM now. */
  readonly writable: boolean;
  /** Hands PCM to the codec; false when its pipe pushes back (drained() follows). */
  write(chunk: Buffer): boolean;
  /** Called at every capture chunk: a backend that reads its codec's output on the audio path's clock reads it now. */
  poll?(): void;
  /** The current title, for backends that carry it themselves (in the stream, or through their own server requests). */
  setTrack(track: Track | null): void;
  /** The live source connection's addresses, when the title push leaves from RackCast itself. */
  link(): { remoteAddress: string; localAddress?: string } | null;
  /** Kills the codec process as a crash would. */
  kill(): void;
  counters(): BackendCounters;
  /**
   * Subscribes to the encoded stream as the codec produces it (live listen of an encoder's own output),
   * Ogg headers first; returns the unsubscribe. Absent where RackCast never sees the encoded bytes (Liquidsoap).
   */
  tapEncoded?(onData: (data: Buffer) => void): () => void;
}

export type BackendFactory = (host: BackendHost) => StreamBackend;
