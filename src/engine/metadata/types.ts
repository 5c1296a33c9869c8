// Now-playing types shared by the intake, the history, the pushers and the HTTP API.

/** Where a title came from; stored in metadata_history.source. */
export type MetadataSource = 'http' | 'tcp' | 'udp' | 'file';
export const METADATA_SOURCES: readonly MetadataSource[] = ['http', 'tcp', 'udp', 'file'];

/** How titles are sent to an encoder's server (the encoders.metadata_charset column). */
export const METADATA_CHARSETS = ['UTF-8', 'ISO-8859-1', 'none'] as const;
export type MetadataCharset = (typeof METADATA_CHARSETS)[number];

/** A cleaned title: artist may be empty (a bare title), title never is. */
export interface Track {
  artist: string;
  title: string;
}

/** The current title as the API and the `metadata_changed` event carry it. */
export interface NowPlaying extends Track {
  /** "Artist - Title", or the title alone. */
  song: string;
  source: MetadataSource;
  /** ISO 8601 UTC. */
  played_at: string;
}

export interface HistoryEntry extends NowPlaying {
  id: number;
}

/** Why a title was refused; each has a counter. */
export type DropReason = 'empty' | 'too_long' | 'binary' | 'no_match' | 'bad_key' | 'rate_limited';

/** Per-encoder push state, shown in the encoder status as `metadata`. */
export interface PushStatus {
  /** How titles reach this encoder's listeners. */
  method: 'icecast-admin' | 'shoutcast-admin' | 'ogg-in-stream' | 'liquidsoap' | 'off';
  last_pushed_song: string | null;
  last_pushed_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  /** A push that is still being retried. */
  pending: boolean;
}
