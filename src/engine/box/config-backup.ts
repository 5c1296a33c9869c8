// The box's configuration as one JSON document (GET /api/config/export) and back (POST /api/config/import),
// so a station moving to a new box restores it in one step. The document holds the encoders (with whether
// each was on air) and the settings the page changes (station, capture, recordings, intake, stats, alarms,
// live listen; not the HTTP server's sse_max_clients, the tokens, the keys or the admin password); the
// encoders' and the mail's passwords only when the export was asked for with the admin password
// (`secrets: true`).
//
// An import is validated whole first, each section with its own schema, and every error names its place
// (`encoders.2.mount_point`, `station.station_name`): one invalid field and nothing changes. Then the
// encoders are taken off air, the encoders and the settings are written in one transaction, the services
// that hold settings in memory take theirs, and the encoders that were on air in the document start.
// A missing section keeps what the box has.
import type { Engine } from '../engine.js';
import type { EncoderConfig } from '../types.js';
import { parseEncoderInput, type EncoderWrite } from '../stream/encoder-schema.js';
import { DEFAULT_STATION, loadStation, parseStation, storeStation, type StationSettings } from './station-settings.js';
import { DEFAULT_CAPTURE_CONFIG, parseCapture, type CaptureConfig } from '../capture/capture-settings.js';
import { checkRecordingsDir, defaultRecordingSettings, parseRecordingSettings, type RecordingSettings } from '../recording/recording-settings.js';
import { parseIntakeSettings, DEFAULT_INTAKE_SETTINGS, type IntakeSettings } from '../metadata/intake-settings.js';
import { checkPollSecs } from '../stats/listener-stats.js';
import { DEFAULT_ALARM_SETTINGS, parseAlarmSettings, publicAlarmSettings, type AlarmSettings } from '../alarms/alarm-settings.js';
import { DEFAULT_LIVE_LISTEN, parseLiveListenSettings, type LiveListenSettings } from '../live-listen/live-listen-settings.js';
import { isRecord, type FieldError } from './settings-parse.js';

export const BACKUP_FORMAT = 'rackcast-config';
export const BACKUP_VERSION = 1;
const SECTIONS = ['format', 'version', 'exported_at', 'secrets', 'station', 'capture', 'recording', 'metadata_intake', 'stats_poll_secs', 'alarms', 'live_listen', 'encoders'];

export type ExportedEncoder = Omit<EncoderConfig, 'created_at'> & { on_air: boolean };

export interface ConfigDocument {
  format: typeof BACKUP_FORMAT;
  version: number;
  exported_at: string;
  secrets: boolean;
  station: StationSettings;
  capture: CaptureConfig;
  recording: RecordingSettings;
  metadata_intake: IntakeSettings;
  stats_poll_secs: number;
  alarms: unknown;
  live_listen: LiveListenSettings;
  encoders: ExportedEncoder[];
}

export function exportConfig(engine: Engine, opts: { secrets: boolean }): ConfigDocument {
  const onAir = new Set(engine.onAirIds());
  const alarms = engine.alarms.settings();
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exported_at: new Date().toISOString(),
    secrets: opts.secrets,
    station: loadStation(engine.settings),
    capture: engine.capture.view().stored,
    recording: engine.recordings.settings(),
    metadata_intake: intakeOf(engine),
    stats_poll_secs: engine.listenerStats.pollSecs(),
    alarms: opts.secrets ? alarms : stripPasswordSet(publicAlarmSettings(alarms)),
    live_listen: engine.liveListen.settings(),
    encoders: engine.encoders.list().map(({ created_at: _created, ...c }) => ({
      ...c,
      ...(opts.secrets ? { server_password: engine.encoders.password(c.id), stats_admin_password: engine.encoders.statsAdminPassword(c.id) } : {}),
      on_air: onAir.has(c.id),
    })),
  };
}

function intakeOf(engine: Engine): IntakeSettings {
  const { status: _status, counters: _counters, ...intake } = engine.metadata.view();
  return intake;
}

/** The public alarm settings say `password_set`; the schema takes no such key (and without secrets, no password). */
function stripPasswordSet(a: ReturnType<typeof publicAlarmSettings>): unknown {
  if (!a.email) return a;
  const { password_set: _set, ...email } = a.email;
  return { ...a, email };
}

interface EncoderPlan { id: number; write: EncoderWrite; onAir: boolean }

export interface ImportPlan {
  station?: StationSettings;
  capture?: CaptureConfig;
  recording?: RecordingSettings;
  metadata_intake?: IntakeSettings;
  stats_poll_secs?: number;
  alarms?: AlarmSettings;
  live_listen?: LiveListenSettings;
  encoders?: EncoderPlan[];
}

export interface ImportReport {
  /** Sections whose settings differ from what the box had. */
  changed: string[];
  encoders: { added: string[]; changed: string[]; removed: string[]; started: string[] };
  /** The capture is stored for the next start; if it could not be opened now, why. */
  capture_error: string | null;
  /** Live listen's settings when its source cannot play now (they are not applied). */
  live_listen_error: string | null;
}

const prefixed = (section: string, errors: FieldError[]): FieldError[] => errors.map((e) => ({ field: e.field ? `${section}.${e.field}` : section, message: e.message }));

/** Validates the whole document; nothing is written. */
export async function planImport(engine: Engine, doc: unknown): Promise<{ ok: true; plan: ImportPlan } | { ok: false; errors: FieldError[] }> {
  if (!isRecord(doc)) return { ok: false, errors: [{ field: '', message: 'must be a RackCast configuration document (from GET /api/config/export)' }] };
  if (doc.format !== BACKUP_FORMAT) return { ok: false, errors: [{ field: 'format', message: `must be "${BACKUP_FORMAT}" (a document from GET /api/config/export)` }] };
  if (doc.version !== BACKUP_VERSION) return { ok: false, errors: [{ field: 'version', message: `must be ${BACKUP_VERSION}; this firmware reads version ${BACKUP_VERSION} documents` }] };
  const errors: FieldError[] = Object.keys(doc).filter((k) => !SECTIONS.includes(k)).map((k) => ({ field: k, message: 'is not a known section' }));
  const plan: ImportPlan = {};
  const dataDir = engine.dataDir;
  if (doc.station !== undefined) {
    const p = parseStation(doc.station, DEFAULT_STATION);
    if (p.ok) plan.station = p.value;
    else errors.push(...prefixed('station', p.errors));
  }
  if (doc.capture !== undefined) {
    const p = parseCapture(doc.capture, DEFAULT_CAPTURE_CONFIG);
    if (p.ok) plan.capture = p.value;
    else errors.push(...prefixed('capture', p.errors));
  }
  if (doc.recording !== undefined) {
    const p = parseRecordingSettings(doc.recording, defaultRecordingSettings(dataDir));
    if (!p.ok) errors.push(...prefixed('recording', p.errors));
    else {
      const dir = await checkRecordingsDir(p.value.recordings_dir, dataDir);
      if (dir.ok) plan.recording = { ...p.value, recordings_dir: dir.dir };
      else errors.push({ field: 'recording.recordings_dir', message: dir.message });
    }
  }
  if (doc.metadata_intake !== undefined) {
    const p = parseIntakeSettings(doc.metadata_intake, DEFAULT_INTAKE_SETTINGS);
    if (p.ok) plan.metadata_intake = p.value;
    else errors.push(...prefixed('metadata_intake', p.errors));
  }
  if (doc.stats_poll_secs !== undefined) {
    const p = checkPollSecs(doc.stats_poll_secs);
    if (p.ok) plan.stats_poll_secs = p.value;
    else errors.push({ field: 'stats_poll_secs', message: p.message });
  }
  if (doc.alarms !== undefined) {
    const p = parseAlarmSettings(doc.alarms, DEFAULT_ALARM_SETTINGS, { dataDir, recordingsDir: (plan.recording ?? engine.recordings.settings()).recordings_dir });
    if (p.ok) plan.alarms = p.value;
    else errors.push(...prefixed('alarms', p.errors));
  }
  if (doc.live_listen !== undefined) {
    const p = parseLiveListenSettings(doc.live_listen, DEFAULT_LIVE_LISTEN);
    if (p.ok) plan.live_listen = p.value;
    else errors.push(...prefixed('live_listen', p.errors));
  }
  if (doc.encoders !== undefined) {
    const encoders = planEncoders(engine, doc.encoders, errors);
    if (encoders) plan.encoders = encoders;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plan };
}

function planEncoders(engine: Engine, list: unknown, errors: FieldError[]): EncoderPlan[] | null {
  if (!Array.isArray(list)) {
    errors.push({ field: 'encoders', message: 'must be a list of encoders' });
    return null;
  }
  const out: EncoderPlan[] = [];
  const seen = new Set<number>();
  list.forEach((item, i) => {
    const at = `encoders.${i}`;
    if (!isRecord(item)) return void errors.push({ field: at, message: 'must be an encoder object' });
    const { id, on_air: onAir, ...fields } = item;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return void errors.push({ field: `${at}.id`, message: 'must be a positive whole number' });
    if (seen.has(id)) return void errors.push({ field: `${at}.id`, message: `${id} is used by another encoder in the document` });
    seen.add(id);
    if (onAir !== undefined && typeof onAir !== 'boolean') return void errors.push({ field: `${at}.on_air`, message: 'must be true or false' });
    const parsed = parseEncoderInput(fields, undefined, { paths: engine.recordings.pathRules() });
    if (!parsed.ok) return void errors.push(...prefixed(at, parsed.errors));
    // Without secrets, an encoder the box already has keeps its stored passwords.
    const write = { ...parsed.value };
    if (!('server_password' in fields)) write.server_password = engine.encoders.password(id);
    if (!('stats_admin_password' in fields)) write.stats_admin_password = engine.encoders.statsAdminPassword(id);
    out.push({ id, write, onAir: onAir === true });
  });
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export async function applyImport(engine: Engine, plan: ImportPlan): Promise<ImportReport> {
  const report: ImportReport = { changed: [], encoders: { added: [], changed: [], removed: [], started: [] }, capture_error: null, live_listen_error: null };
  const before = exportConfig(engine, { secrets: false });
  const note = (section: string, now: unknown, was: unknown): void => {
    if (!same(now, was)) report.changed.push(section);
  };
  if (plan.station) note('station', plan.station, before.station);
  if (plan.capture) note('capture', plan.capture, before.capture);
  if (plan.recording) note('recording', plan.recording, before.recording);
  if (plan.metadata_intake) note('metadata_intake', plan.metadata_intake, before.metadata_intake);
  if (plan.stats_poll_secs !== undefined) note('stats_poll_secs', plan.stats_poll_secs, before.stats_poll_secs);
  if (plan.alarms) note('alarms', stripPasswordSet(publicAlarmSettings(plan.alarms)), before.alarms);
  if (plan.live_listen) note('live_listen', plan.live_listen, before.live_listen);

  const write = (): void => {
    if (plan.station) storeStation(engine.settings, plan.station);
    if (plan.capture) engine.capture.storeForNextStart(plan.capture);
    if (plan.stats_poll_secs !== undefined) engine.listenerStats.setPollSecs(plan.stats_poll_secs);
    if (plan.alarms) engine.alarms.updateSettings(plan.alarms);
    if (plan.encoders) {
      const wanted = new Map(plan.encoders.map((e) => [e.id, e]));
      for (const old of engine.encoders.list()) {
        if (!wanted.has(old.id)) {
          engine.encoders.delete(old.id);
          report.encoders.removed.push(old.name);
        }
      }
      for (const e of plan.encoders) {
        const old = engine.encoders.get(e.id);
        if (old) {
          engine.encoders.update(e.id, e.write);
          const { created_at: _c, ...now } = engine.encoders.get(e.id)!;
          const { created_at: _o, ...was } = old;
          if (!same(now, was)) report.encoders.changed.push(e.write.name);
        } else {
          engine.encoders.createWithId(e.id, e.write);
          report.encoders.added.push(e.write.name);
        }
      }
    }
  };
  const start = plan.encoders ? plan.encoders.filter((e) => e.onAir).map((e) => e.id) : engine.onAirIds();
  // The encoders come off air around the write either way: a runner must never keep an old configuration.
  report.encoders.started = (await engine.replaceConfiguration(write, start)).map((id) => engine.encoders.get(id)?.name ?? String(id));

  // Services that hold their settings in memory; each was validated above.
  if (plan.recording) await engine.recordings.updateSettings(plan.recording);
  if (plan.metadata_intake) await engine.metadata.updateSettings(plan.metadata_intake);
  if (plan.live_listen) {
    // After the encoders: its source may be one of them.
    try {
      engine.liveListen.update(plan.live_listen);
    } catch (err) {
      const errors = (err as { errors?: FieldError[] }).errors;
      report.live_listen_error = errors ? errors.map((e) => `${e.field}: ${e.message}`).join('; ') : String(err);
    }
  }
  if (plan.capture) {
    const live = await engine.capture.update(plan.capture);
    if (!live.ok) report.capture_error = live.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  }
  engine.eventLog.add({ level: 'info', kind: 'config_imported', message: `Configuration imported: ${describe(report)}`, data: report });
  return report;
}

function describe(r: ImportReport): string {
  const parts = [
    r.changed.length ? `settings changed: ${r.changed.join(', ')}` : 'no setting changed',
    `encoders added ${r.encoders.added.length}, changed ${r.encoders.changed.length}, removed ${r.encoders.removed.length}, started ${r.encoders.started.length}`,
  ];
  if (r.capture_error) parts.push(`the capture could not be opened now (${r.capture_error})`);
  if (r.live_listen_error) parts.push(`live listen not applied (${r.live_listen_error})`);
  return parts.join('; ');
}
