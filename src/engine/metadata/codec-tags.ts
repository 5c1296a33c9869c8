// Ogg streams carry their title in the codec's comment header, so a new title means a new codec
// run: the old one finishes its logical stream, a new one starts with the new tags, and the sink
// sends the new chain on the same connection. This decides when to restart; the runner does it.
// A playout system that sends a burst of titles gets at most one restart per MIN_TAG_RESTART_GAP_MS,
// and the restart after the burst carries the last title.
import type { Track } from './types.js';

export const MIN_TAG_RESTART_GAP_MS = 2000;

export interface CodecTagsDeps {
  /** Whether this encoder carries tags at all (Ogg, send_metadata on). */
  applies(): boolean;
  /** Whether a codec is running now (else the next start picks the tags up). */
  running(): boolean;
  /** Restarts the codec cleanly; resolves when the old one has exited. */
  restart(): Promise<void>;
  now(): number;
}

function keyOf(track: Track | null): string {
  return track ? JSON.stringify([track.artist, track.title]) : '';
}

export class CodecTags {
  private wanted: Track | null = null;
  /** The tags the running codec was started with. */
  private inCodec = '';
  private restarting = false;
  private lastRestartAtMs = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: CodecTagsDeps,
    private readonly minGapMs = MIN_TAG_RESTART_GAP_MS,
  ) {}

  set(track: Track | null): void {
    this.wanted = track;
    this.maybeRestart();
  }

  /** The -metadata values for a codec about to start (and remembers them as the running ones). */
  forLaunch(): { title: string; artist: string } | undefined {
    const track = this.deps.applies() ? this.wanted : null;
    this.inCodec = keyOf(track);
    return track ? { title: track.title, artist: track.artist } : undefined;
  }

  /** The encoder stopped: no restart is pending any more. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private maybeRestart(): void {
    if (!this.deps.applies() || !this.deps.running()) return;
    if (keyOf(this.wanted) === this.inCodec || this.restarting || this.timer) return;
    const waitMs = this.lastRestartAtMs + this.minGapMs - this.deps.now();
    if (waitMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.maybeRestart();
      }, waitMs);
      return;
    }
    this.restarting = true;
    this.lastRestartAtMs = this.deps.now();
    void this.deps.restart().finally(() => {
      this.restarting = false;
      // A title that came in during the restart is in the new codec's argv already, or goes next.
      this.maybeRestart();
    });
  }
}
