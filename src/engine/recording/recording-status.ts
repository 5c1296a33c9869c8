// A recorder's state as the API shows it: the recording status (GET /api/encoders/:id/recording) and,
// so that /api/status, the page and the panel need no special case, the same encoder status shape the
// streaming encoders have.
import type { EncoderStatus } from '../stream/encoder-runner.js';
import type { ConsumerStats } from '../audio/fanout.js';
import type { EncoderConfig } from '../types.js';
import type { Recorder } from './recorder.js';
import type { RecorderState, RecordingStatus } from './recording-types.js';
import { recordingFormat } from './recording-file.js';
import type { StorageStatus } from './storage.js';

const TEXT: Record<RecorderState, string> = {
  stopped: 'Stopped',
  recording: 'Recording',
  storage_missing: 'Storage missing',
  storage_full: 'Storage full',
  error: 'Error',
};

export function recordingStatus(config: EncoderConfig, recorder: Recorder | undefined, storage: StorageStatus | null, capture: { sampleRate: 44100 | 48000; channels: 1 | 2 }): RecordingStatus {
  const snap = recorder?.snapshot();
  const state = snap?.state ?? 'stopped';
  const rate = snap?.format?.sampleRate ?? capture.sampleRate;
  const format = recordingFormat(config, snap?.format ?? { ...capture, sampleFormat: 'S16_LE' });
  const current = snap?.currentFile ?? null;
  const effectiveStorage = snap?.storage ?? storage;
  return {
    encoder_id: config.id,
    state,
    active: state !== 'stopped',
    status_text: state === 'error' && snap?.lastError ? `Error: ${snap.lastError}` : TEXT[state],
    last_error: snap?.lastError ?? null,
    current_file: current,
    bytes: current ? (snap?.bytes ?? 0) : 0,
    duration_secs: current ? Math.round(((snap?.frames ?? 0) / rate) * 1000) / 1000 : 0,
    file_started_at: snap?.fileStartedAtMs != null ? new Date(snap.fileStartedAtMs).toISOString() : null,
    codec: config.codec,
    sample_rate: format.sample_rate,
    channels: format.channels,
    recorded_secs: Math.round(((snap?.recordedFrames ?? 0) / rate) * 1000) / 1000,
    files_closed: snap?.filesClosed ?? 0,
    dropped_ms: Math.round(((snap?.droppedFrames ?? 0) * 1000) / rate),
    not_recorded_ms: Math.round(((snap?.notRecordedFrames ?? 0) * 1000) / rate),
    last_rotation: snap?.lastRotation ?? null,
    free_bytes: effectiveStorage?.free_bytes ?? null,
    storage: effectiveStorage,
  };
}

/** The encoder status of a file encoder, so every client sees all encoders alike. */
export function fileEncoderStatus(config: EncoderConfig, rec: RecordingStatus, queue: ConsumerStats | undefined): EncoderStatus & { recording: RecordingStatus } {
  const state: EncoderStatus['state'] = rec.state === 'stopped' ? 'disabled' : rec.state === 'recording' ? 'streaming' : 'retrying';
  return {
    id: config.id,
    name: config.name,
    state,
    status_text: rec.status_text,
    last_error: rec.last_error,
    attempt: 0,
    max_reconnect_attempts: 0,
    next_retry_at: null,
    connected_since: rec.file_started_at,
    uptime_secs: Math.floor(rec.recorded_secs),
    bytes_sent: rec.bytes,
    bytes_discarded: 0,
    process: { running: rec.state === 'recording', pid: null, restarts: 0, last_exit: null },
    queue: { queued_ms: queue?.queuedMs ?? 0, dropped_ms: queue?.droppedMs ?? 0, drop_events: queue?.dropEvents ?? 0 },
    reconnect_history: [],
    recording: rec,
  };
}
