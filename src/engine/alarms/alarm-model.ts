// The alarm model: every condition an operator must hear about, whatever detected it (the audio
// sensors in the worker, an encoder's state machine, the recorder's storage, the capture), becomes an
// alarm with a kind, a subject, a start time, a cleared time and operator words. Pure: the conditions
// true now go in, the alarms raised and cleared come out.
import type { CaptureStatus } from '../capture/capture.js';
import type { EncoderStatus } from '../stream/encoder-runner.js';
import type { RecordingStatus } from '../recording/recording-types.js';
import type { DetectorState } from './detectors.js';

export const ALARM_KINDS = [
  'silence',
  'channel_lost',
  'clipping',
  'no_input',
  'encoder_retrying',
  'encoder_failed',
  'storage_full',
  'storage_missing',
  'recording_error',
  'fallback_unavailable',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** A condition that holds now. `sinceMs` when its detector knows when it began (silence: the first silent window). */
export interface AlarmCondition {
  kind: AlarmKind;
  subject: string;
  level: 'warning' | 'error';
  text: string;
  encoderId?: number | null;
  sinceMs?: number;
}

/** An alarm as the API shows it (`/api/status` `alarms`, `/api/alarms`). Times are ISO 8601 UTC. */
export interface Alarm {
  id: number;
  kind: AlarmKind;
  subject: string;
  level: 'warning' | 'error';
  encoder_id: number | null;
  since: string;
  cleared: string | null;
  text: string;
}

export function alarmKey(c: { kind: string; subject: string }): string {
  return `${c.kind}\u0000${c.subject}`;
}

export interface AlarmChanges {
  raised: AlarmCondition[];
  /** Keys of alarms whose condition no longer holds. */
  cleared: string[];
  /** Alarms still raised whose words changed ("Retrying (2/∞)" → "(3/∞)"). */
  reworded: AlarmCondition[];
}

/** What changes when `conditions` hold now and the alarms in `active` are raised (key → its text). */
export function diffAlarms(active: ReadonlyMap<string, string>, conditions: readonly AlarmCondition[]): AlarmChanges {
  const seen = new Set<string>();
  const raised: AlarmCondition[] = [];
  const reworded: AlarmCondition[] = [];
  for (const c of conditions) {
    const key = alarmKey(c);
    if (seen.has(key)) continue;
    seen.add(key);
    const text = active.get(key);
    if (text === undefined) raised.push(c);
    else if (text !== c.text) reworded.push(c);
  }
  const cleared = [...active.keys()].filter((k) => !seen.has(k));
  return { raised, cleared, reworded };
}

const SIDE = ['left', 'right'];

/** The audio sensors' alarms. */
export function detectorConditions(d: DetectorState, thresholdDbfs: number): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  if (d.silence.active) {
    out.push({ kind: 'silence', subject: 'programme', level: 'error', text: `Silence: the programme has been below ${thresholdDbfs} dBFS since ${clock(d.silence.sinceMs)}`, sinceMs: d.silence.sinceMs ?? undefined });
  }
  if (d.channelLost.active && d.channelLost.channel !== null) {
    const side = SIDE[d.channelLost.channel] ?? `channel ${d.channelLost.channel + 1}`;
    out.push({ kind: 'channel_lost', subject: side, level: 'warning', text: `Channel lost: the ${side} channel is silent while the other carries audio`, sinceMs: d.channelLost.sinceMs ?? undefined });
  }
  if (d.clipping.active) {
    out.push({ kind: 'clipping', subject: 'programme', level: 'warning', text: 'Clipping: the input peaks at full scale; turn the level down', sinceMs: d.clipping.sinceMs ?? undefined });
  }
  return out;
}

type OutputStatus = EncoderStatus & { recording?: RecordingStatus };

/** The alarms that were the engine's status text until now: no input, encoders retrying or failed, storage. */
export function statusConditions(capture: Pick<CaptureStatus, 'state' | 'error' | 'device'>, encoders: readonly OutputStatus[]): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  if (capture.state === 'no_input') {
    out.push({ kind: 'no_input', subject: capture.device, level: 'error', text: `No input: ${capture.error ?? 'sound card unavailable'}` });
  }
  for (const e of encoders) {
    const rec = e.recording;
    if (rec) {
      const kind: AlarmKind | null = rec.state === 'storage_full' ? 'storage_full' : rec.state === 'storage_missing' ? 'storage_missing' : rec.state === 'error' ? 'recording_error' : null;
      if (kind) out.push({ kind, subject: e.name, encoderId: e.id, level: 'error', text: `${e.name}: ${e.status_text}` });
      continue;
    }
    if (e.state === 'retrying') {
      out.push({ kind: 'encoder_retrying', subject: e.name, encoderId: e.id, level: 'warning', text: `${e.name}: ${e.status_text}${e.last_error ? `: ${e.last_error}` : ''}` });
    } else if (e.state === 'failed') {
      out.push({ kind: 'encoder_failed', subject: e.name, encoderId: e.id, level: 'error', text: `${e.name}: ${e.status_text}` });
    }
  }
  return out;
}

/** HH:MM:SS local time, for alarm words. */
function clock(ms: number | null): string {
  if (ms === null) return 'now';
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
