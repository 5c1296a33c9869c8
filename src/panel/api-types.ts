// What the panel reads from the engine's API (GET /api/status and the /api/events stream), parsed
// leniently: the panel is a separate program that may meet an older or newer engine, so an unknown
// field is ignored and a missing one gets a neutral value rather than stopping the display.

export interface PanelLevel {
  peakDbfs: number;
  rmsDbfs: number;
}

export interface PanelEncoder {
  id: number;
  name: string;
  /** 'disabled' | 'connecting' | 'streaming' | 'retrying' | 'failed' (kept as a string: newer engines may add states). */
  state: string;
  status_text: string;
  last_error: string | null;
  uptime_secs: number;
  bytes_sent: number;
  /** Present when the engine reports listener counts; null otherwise. */
  listeners: number | null;
  /** File encoders (recorders): whether recording is wanted; stream encoders: null. */
  recording: boolean | null;
}

/** One of the engine's alarms (`kind` '' for an older engine, whose alarms were words only). */
export interface PanelAlarm {
  kind: string;
  subject: string;
  text: string;
}

/** Live listen as the panel shows it; null from an engine without it. */
export interface PanelLiveListen {
  enabled: boolean;
  source: string;
  volume: number;
  state: string;
  status_text: string;
}

/** The dead-air fallback (status.dead_air.fallback); null from an engine without it. */
export interface PanelFallback {
  /** The encoders with on_silence "fallback" air the fallback now. */
  active: boolean;
  /** The programme is back but auto_return is off: on the fallback until someone releases it. */
  held: boolean;
}

export interface PanelStatus {
  capture: { state: string; device: string; error: string | null; levels: PanelLevel[] };
  encoders: PanelEncoder[];
  alarms: PanelAlarm[];
  liveListen: PanelLiveListen | null;
  fallback?: PanelFallback | null;
  /** The station's name (GET /api/station), on the home screen's last line while no alarm needs it. */
  stationName?: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function parseLevels(v: unknown): PanelLevel[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((l) => ({ peakDbfs: num(l.peakDbfs, -120), rmsDbfs: num(l.rmsDbfs, -120) }));
}

/** A count, or the engine's current-listeners object ({current, peak, ...}); null when unknown. */
function parseListeners(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (isObj(v) && typeof v.current === 'number' && Number.isFinite(v.current)) return v.current;
  return null;
}

/** File encoders carry their recorder's status ({active, ...}); stream encoders carry none. */
function parseRecording(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (isObj(v)) {
    if (typeof v.active === 'boolean') return v.active;
    if (typeof v.recording === 'boolean') return v.recording;
  }
  return null;
}

export function parseAlarm(v: unknown): PanelAlarm | null {
  if (typeof v === 'string') return { kind: '', subject: '', text: v };
  if (!isObj(v) || typeof v.text !== 'string') return null;
  return { kind: str(v.kind, ''), subject: str(v.subject, ''), text: v.text };
}

export function parseEncoder(v: unknown): PanelEncoder | null {
  if (!isObj(v) || typeof v.id !== 'number') return null;
  return {
    id: v.id,
    name: str(v.name, `Encoder ${v.id}`),
    state: str(v.state ?? v.status, 'disabled'),
    status_text: str(v.status_text, ''),
    last_error: strOrNull(v.last_error ?? v.error),
    uptime_secs: num(v.uptime_secs, 0),
    bytes_sent: num(v.bytes_sent, 0),
    listeners: parseListeners(v.listeners ?? v.current_listeners),
    recording: parseRecording(v.recording),
  };
}

export function parseLiveListen(v: unknown): PanelLiveListen | null {
  if (!isObj(v)) return null;
  const status = isObj(v.status) ? v.status : {};
  return {
    enabled: v.enabled === true,
    source: str(v.source, 'master'),
    volume: Math.min(1, Math.max(0, num(v.volume, 1))),
    state: str(status.state, 'off'),
    status_text: str(status.status_text, ''),
  };
}

/** GET /api/status → PanelStatus. Throws only when the body is not a status object at all. */
export function parseStatus(json: unknown): PanelStatus {
  if (!isObj(json)) throw new Error('the engine answered /api/status with something that is not a status object');
  const capture = isObj(json.capture) ? json.capture : {};
  return {
    stationName: strOrNull(json.station_name),
    capture: {
      state: str(capture.state, 'unknown'),
      device: str(capture.device, ''),
      error: strOrNull(capture.error),
      levels: parseLevels(capture.levels),
    },
    encoders: Array.isArray(json.encoders) ? json.encoders.map(parseEncoder).filter((e): e is PanelEncoder => e !== null) : [],
    alarms: Array.isArray(json.alarms) ? json.alarms.map(parseAlarm).filter((a): a is PanelAlarm => a !== null) : [],
    liveListen: parseLiveListen(json.live_listen),
    fallback: parseFallback(json.dead_air),
  };
}

export function parseFallback(deadAir: unknown): PanelFallback | null {
  if (!isObj(deadAir) || !isObj(deadAir.fallback)) return null;
  return { active: deadAir.fallback.active === true, held: deadAir.fallback.held === true };
}

/**
 * Applies one /api/events event to a status; returns the new status, or the same object when the
 * event changes nothing the panel shows. Alarms are recomputed by the engine: the link refetches
 * /api/status after a state change, this only makes the change visible at once.
 */
export function applyEvent(status: PanelStatus, event: string, data: unknown): PanelStatus {
  if (event === 'live_listen_changed') return { ...status, liveListen: parseLiveListen(data) ?? status.liveListen };
  if (event === 'levels' && isObj(data)) {
    const capture = { ...status.capture, levels: parseLevels(data.channels) };
    if (typeof data.capture === 'string') capture.state = data.capture;
    return { ...status, capture };
  }
  if (event === 'capture_status_changed' && isObj(data)) {
    return {
      ...status,
      capture: { ...status.capture, state: str(data.state, status.capture.state), device: str(data.device, status.capture.device), error: strOrNull(data.error) },
    };
  }
  if (event === 'encoder_status_changed') {
    const enc = parseEncoder(data);
    if (!enc) return status;
    const old = status.encoders.find((e) => e.id === enc.id);
    const merged: PanelEncoder = {
      ...enc,
      listeners: enc.listeners ?? old?.listeners ?? null,
      recording: enc.recording ?? old?.recording ?? null,
    };
    const encoders = old ? status.encoders.map((e) => (e.id === enc.id ? merged : e)) : [...status.encoders, merged];
    return { ...status, encoders };
  }
  if (event === 'alarm_raised' || event === 'alarm_cleared') {
    const alarm = isObj(data) ? parseAlarm(data) : null;
    if (!alarm) return status;
    const others = status.alarms.filter((a) => a.kind !== alarm.kind || a.subject !== alarm.subject);
    return { ...status, alarms: event === 'alarm_raised' ? [...others, alarm] : others };
  }
  if (event === 'listener_count_updated' && isObj(data)) {
    const id = data.encoderId ?? data.encoder_id ?? data.id;
    const count = data.count;
    if (typeof id !== 'number' || (typeof count !== 'number' && count !== null)) return status;
    return { ...status, encoders: status.encoders.map((e) => (e.id === id ? { ...e, listeners: count } : e)) };
  }
  return status;
}
