// What the API, the page and the panel see of recordings. Field names are snake_case like every API
// object; the rotation event keeps the seed's camelCase ({encoderId, closedFile, newFile}).
import type { FanOut } from '../audio/fanout.js';
import type { NewEvent } from '../db/event-log.js';
import type { PcmFormat } from '../types.js';
import type { MetadataHistory } from './metadata-history.js';
import type { SegmentFactory } from './recording-file.js';
import type { StorageStatus } from './storage.js';

export type RecorderState = 'stopped' | 'recording' | 'storage_missing' | 'storage_full' | 'error';

export interface RotationInfo {
  at: string;
  reason: 'time' | 'size' | 'clock_step';
  closed_file: string;
  new_file: string;
  /** From the rotation decision to the first audio written into the new file. */
  first_write_ms: number | null;
}

export interface RecordingStatus {
  encoder_id: number;
  state: RecorderState;
  /** Recording wanted (any state but stopped): what the front panel's record indicator shows. */
  active: boolean;
  /** "Recording", "Storage full", "Storage missing", "Stopped", "Error: …". */
  status_text: string;
  last_error: string | null;
  /** Paths are relative to the recordings directory (storage.recordings_dir). */
  current_file: string | null;
  /** Bytes and duration of the current file. */
  bytes: number;
  duration_secs: number;
  file_started_at: string | null;
  codec: string;
  sample_rate: number;
  channels: number;
  /** Audio written since the recording was started, over all files. */
  recorded_secs: number;
  files_closed: number;
  /** Audio lost because the recorder fell more than its queue behind (disk too slow). */
  dropped_ms: number;
  /** Audio not recorded while the storage was full, missing or failing. */
  not_recorded_ms: number;
  last_rotation: RotationInfo | null;
  free_bytes: number | null;
  storage: StorageStatus | null;
}

export interface RotationEvent {
  encoderId: number;
  closedFile: string;
  newFile: string;
}

export interface RecorderEnv {
  fanout: FanOut;
  captureFormat: () => PcmFormat;
  /** The recordings directory now (it can change in the settings). */
  root: () => string;
  probe: () => Promise<StorageStatus>;
  history: MetadataHistory | null;
  station: () => string;
  /** The crash-repair registry: a path is registered before the file exists and released once it is finished. */
  markOpen: (path: string) => void;
  markClosed: (path: string) => void;
  /** The file registered by markOpen could not be created after all. */
  markFailed?: (path: string) => void;
  /** Storage went full: run retention now. */
  onStorageFull: () => void;
  /** Storage is back: repair files it left open. */
  onStorageBack: () => Promise<void>;
  onRotation: (closedFile: string, newFile: string) => void;
  onStateChange: () => void;
  logEvent: (e: NewEvent) => void;
  now?: () => number;
  createSegment?: SegmentFactory;
  syncIntervalMs?: number;
}

export interface RecorderSnapshot {
  state: RecorderState;
  lastError: string | null;
  currentFile: string | null;
  bytes: number;
  frames: number;
  fileStartedAtMs: number | null;
  format: PcmFormat | null;
  recordedFrames: number;
  filesClosed: number;
  droppedFrames: number;
  notRecordedFrames: number;
  lastRotation: RotationInfo | null;
  storage: StorageStatus | null;
}
