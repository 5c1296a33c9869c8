// The API's shapes as the page sees them. Type-only imports from the engine: the page and the engine
// cannot drift apart without the type check noticing, and nothing of the engine lands in the bundle.
import type { Engine } from '../../../engine/engine.js';
import type { EncoderConfig } from '../../../engine/types.js';
import type { EncoderStatus as RunnerStatus } from '../../../engine/stream/encoder-runner.js';
import type { CurrentListeners, ListenerSeries, ListenerUpdate } from '../../../engine/stats/listener-stats.js';
import type { HistoryEntry, NowPlaying, PushStatus } from '../../../engine/metadata/types.js';
import type { ChannelLevel } from '../../../engine/audio/meters.js';
import type { CaptureStatus } from '../../../engine/capture/capture.js';
import type { RecordingStatus, RotationEvent } from '../../../engine/recording/recording-types.js';
import type { StorageStatus } from '../../../engine/recording/storage.js';
import type { RecordingSettings } from '../../../engine/recording/recording-settings.js';

export type { EncoderConfig, CurrentListeners, ListenerSeries, ListenerUpdate, HistoryEntry, NowPlaying, ChannelLevel, CaptureStatus, RecordingStatus, RotationEvent, StorageStatus };
export type { Period } from '../../../engine/stats/downsample.js';
export type { FieldError } from '../../../engine/stream/encoder-schema.js';

/** GET /api/status. */
export type EngineStatus = ReturnType<Engine['status']>;

/** One encoder's status: what /api/status lists and /api/encoders/:id/status returns. A file encoder's also carries `recording`. */
export type EncoderStatus = RunnerStatus & {
  listeners: CurrentListeners | null;
  metadata: PushStatus | null;
  recording?: RecordingStatus;
};

/** The `encoder_status_changed` event: a status without listeners and metadata (those have their own events). */
export type EncoderStatusEvent = RunnerStatus & { status: string; error: string | null; recording?: RecordingStatus };

export interface LevelsEvent {
  channels: ChannelLevel[];
  capture: CaptureStatus['state'];
}

/** GET /api/session: whether this browser is signed in, and whether the engine has an admin password at all. */
export interface SessionInfo {
  signed_in: boolean;
  locked: boolean;
  hint?: string;
  /** Locked, and the box shows a setup code: the first visit sets the password with it (POST /api/setup). */
  setup?: boolean;
}

/** GET /api/recording. */
export interface RecordingOverview {
  settings: RecordingSettings;
  storage: StorageStatus;
}

/** GET /api/metadata. */
export interface MetadataOverview {
  now_playing: NowPlaying | null;
  history: HistoryEntry[];
}

export type TestResult = { success: boolean; error?: string; message?: string };
