// GET /api/health for Uptime Kuma, Nagios or a load balancer: 200 while the engine can do its job
// ("ok", or "degraded" with what is wrong), 503 when it cannot (the capture is dead, the database cannot
// be written). healthOf is pure: engineHealth gathers the facts.
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { databaseWritable } from './database-probe.js';

export type HealthLevel = 'ok' | 'degraded' | 'down';

export interface HealthCheck {
  status: HealthLevel;
  detail: string;
}

export interface HealthFacts {
  capture: { state: string; device: string; error: string | null };
  database: { writable: boolean; error: string | null };
  /** Stream encoders the operator has on air (state names as the runners report them). */
  encoders: { name: string; state: string; status_text: string }[];
  /** File encoders that are recording or trying to. */
  recordings: { name: string; state: string; status_text: string }[];
  /** Raised alarms of the audio itself (silence, lost channel, clipping, fallback). */
  audioAlarms: { text: string }[];
}

export interface Health {
  status: HealthLevel;
  checks: Record<'capture' | 'database' | 'encoders' | 'recordings' | 'audio', HealthCheck>;
}

export function healthOf(f: HealthFacts): Health {
  const capture: HealthCheck =
    f.capture.state === 'no_input'
      ? { status: 'down', detail: `no input from ${f.capture.device}: ${f.capture.error ?? 'sound card unavailable'}` }
      : { status: 'ok', detail: `${f.capture.state} (${f.capture.device})` };
  const database: HealthCheck = f.database.writable ? { status: 'ok', detail: 'writable' } : { status: 'down', detail: `cannot be written: ${f.database.error ?? 'unknown error'}` };
  const troubled = f.encoders.filter((e) => e.state === 'retrying' || e.state === 'failed');
  const onAir = f.encoders.filter((e) => e.state === 'streaming').length;
  const encoders: HealthCheck = troubled.length
    ? { status: 'degraded', detail: troubled.map((e) => `${e.name}: ${e.status_text}`).join('; ') }
    : { status: 'ok', detail: `${onAir} on air` };
  const badRecordings = f.recordings.filter((r) => r.state !== 'streaming' && r.state !== 'disabled');
  const recordings: HealthCheck = badRecordings.length
    ? { status: 'degraded', detail: badRecordings.map((r) => `${r.name}: ${r.status_text}`).join('; ') }
    : { status: 'ok', detail: `${f.recordings.filter((r) => r.state === 'streaming').length} recording` };
  const audio: HealthCheck = f.audioAlarms.length ? { status: 'degraded', detail: f.audioAlarms.map((a) => a.text).join('; ') } : { status: 'ok', detail: 'no alarm' };
  const checks = { capture, database, encoders, recordings, audio };
  const levels = Object.values(checks).map((c) => c.status);
  const status: HealthLevel = levels.includes('down') ? 'down' : levels.includes('degraded') ? 'degraded' : 'ok';
  return { status, checks };
}

/** The facts for healthOf from the engine facade (its status, alarms and database). */
export function engineHealth(engine: {
  status(): { capture: HealthFacts['capture']; encoders: { id: number; name: string; state: string; status_text: string }[] };
  alarms: { active(): { kind: string; text: string }[] };
  recordings: { isActive(id: number): boolean };
  listEncoders(): { id: number; output_type: string }[];
  db: Database.Database;
}): Health {
  const status = engine.status();
  const files = new Set(engine.listEncoders().filter((c) => c.output_type === 'file').map((c) => c.id));
  return healthOf({
    capture: status.capture,
    database: databaseWritable(engine.db, dirname(engine.db.name)),
    // The operator's on-air list: a stopped encoder is nobody's problem.
    encoders: status.encoders.filter((e) => !files.has(e.id) && e.state !== 'disabled'),
    recordings: status.encoders.filter((e) => files.has(e.id) && engine.recordings.isActive(e.id)),
    audioAlarms: engine.alarms.active().filter((a) => AUDIO_ALARMS.has(a.kind)),
  });
}

const AUDIO_ALARMS = new Set(['silence', 'channel_lost', 'clipping', 'fallback_unavailable']);
