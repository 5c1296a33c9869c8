// GET /metrics in the Prometheus text format, through prom-client on a registry of its own. Everything is
// read from the engine when scraped (no timers): the encoders' states and counters, the capture, the
// queues, the dead-air sensor, the recordings and their drive, and the process (prom-client's default
// process_* and nodejs_* metrics, which cover the audio worker too: it is a thread of this process).
// Counters that the engine keeps as totals are set to that total at each scrape (reset, then inc), so
// a counter that restarts with its encoder (bytes_sent after a restart) reads as a counter reset.
//
// prom-client is loaded, and its default collectors started, at the first scrape: a box nobody scrapes
// never pays for them. Its event-loop lag monitor alone wakes the main thread every 10 ms, and its GC
// observer runs on every collection (scripts/bench --peers: the main thread's wake-ups went from about
// 200 to about 15 a second). The counts taken from the engine's events start with the engine all the same.
import type { Counter, Gauge } from 'prom-client';
import type { Engine } from '../engine.js';
import type { RecordingStatus } from '../recording/recording-types.js';
import { ALARM_KINDS } from '../alarms/alarm-model.js';

const STATES = ['disabled', 'connecting', 'streaming', 'retrying', 'failed'] as const;

/** A file encoder's status carries its recording's. */
function recordingOf(e: object): RecordingStatus | undefined {
  return (e as { recording?: RecordingStatus }).recording;
}

export interface MetricsText {
  contentType: string;
  body: string;
}

export interface Metrics {
  render(): Promise<MetricsText>;
}

export function createMetrics(engine: Engine): Metrics {
  // Counted here from the engine's events from the start: how often each encoder lost or failed to get its connection.
  const reconnects = new Map<number, number>();
  const alarmsRaised = new Map<string, number>();
  engine.on('encoder_status_changed', (s) => {
    if (s.state === 'retrying' && recordingOf(s) === undefined) reconnects.set(s.id, (reconnects.get(s.id) ?? 0) + 1);
  });
  engine.on('alarm_raised', (a) => alarmsRaised.set(a.kind, (alarmsRaised.get(a.kind) ?? 0) + 1));
  let registry: Promise<Renderer> | null = null;
  return {
    async render() {
      registry ??= buildRegistry(engine, reconnects, alarmsRaised);
      return (await registry)();
    },
  };
}

type Renderer = () => Promise<MetricsText>;

async function buildRegistry(engine: Engine, reconnects: ReadonlyMap<number, number>, alarmsRaised: ReadonlyMap<string, number>): Promise<Renderer> {
  const { Counter, Gauge, Registry, collectDefaultMetrics } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // Per-scrape snapshot, so every metric of one scrape sees the same status.
  let snapshot: ReturnType<Engine['status']> | null = null;
  const status = () => (snapshot ??= engine.status());

  const streams = () => status().encoders.filter((e) => recordingOf(e) === undefined);
  const files = () => status().encoders.filter((e) => recordingOf(e) !== undefined);

  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void | Promise<void>) =>
    new Gauge({ name, help, labelNames, registers: [registry], collect() { this.reset(); return collect(this); } });
  const counter = (name: string, help: string, labelNames: string[], collect: (c: Counter) => void) =>
    new Counter({ name, help, labelNames, registers: [registry], collect() { this.reset(); collect(this); } });

  gauge('rackcast_encoder_state', 'Stream encoder state: 1 for the state it is in', ['encoder', 'state'], (g) => {
    for (const e of streams()) for (const st of STATES) g.set({ encoder: e.name, state: st }, e.state === st ? 1 : 0);
  });
  gauge('rackcast_encoder_up', 'Stream encoder on air (1) or not (0)', ['encoder'], (g) => {
    for (const e of streams()) g.set({ encoder: e.name }, e.state === 'streaming' ? 1 : 0);
  });
  counter('rackcast_encoder_bytes_sent_total', 'Encoded bytes sent to the server', ['encoder'], (c) => {
    for (const e of streams()) c.inc({ encoder: e.name }, e.bytes_sent);
  });
  counter('rackcast_encoder_bytes_discarded_total', 'Encoded bytes discarded while the server was away', ['encoder'], (c) => {
    for (const e of streams()) c.inc({ encoder: e.name }, e.bytes_discarded);
  });
  counter('rackcast_encoder_reconnects_total', 'Connections lost and connection attempts failed, since the engine started', ['encoder'], (c) => {
    for (const e of streams()) c.inc({ encoder: e.name }, reconnects.get(e.id) ?? 0);
  });
  counter('rackcast_encoder_process_restarts_total', 'Codec process restarts after a crash', ['encoder'], (c) => {
    for (const e of streams()) c.inc({ encoder: e.name }, e.process.restarts);
  });
  gauge('rackcast_encoder_listeners', 'Listeners at the last poll of the server', ['encoder'], (g) => {
    for (const e of streams()) if (typeof e.listeners?.current === 'number') g.set({ encoder: e.name }, e.listeners.current);
  });
  counter('rackcast_encoder_queue_dropped_seconds_total', 'Audio the encoder lost because it fell behind', ['encoder'], (c) => {
    for (const e of status().encoders) c.inc({ encoder: e.name }, e.queue.dropped_ms / 1000);
  });
  counter('rackcast_encoder_queue_drops_total', 'Times the encoder queue overflowed', ['encoder'], (c) => {
    for (const e of status().encoders) c.inc({ encoder: e.name }, e.queue.drop_events);
  });
  counter('rackcast_metadata_pushes_total', 'Now-playing titles delivered to the server (result ok) or given up on after the retries (failed)', ['encoder', 'result'], (c) => {
    for (const e of streams()) {
      const n = engine.metadataPushCounts(e.id);
      c.inc({ encoder: e.name, result: 'ok' }, n.pushed);
      c.inc({ encoder: e.name, result: 'failed' }, n.failed);
    }
  });

  gauge('rackcast_capture_up', 'Capture delivering audio from the sound card (1) or not (0)', ['device'], (g) => {
    const c = status().capture;
    g.set({ device: c.device }, c.state === 'running' ? 1 : 0);
  });
  counter('rackcast_capture_frames_total', 'Frames the capture delivered (silence while there is no input included)', [], (c) => c.inc(status().capture.frames));
  counter('rackcast_capture_overruns_total', 'Audio the sound card lost before it was read (arecord overruns)', [], (c) => c.inc(status().capture.overruns));
  counter('rackcast_capture_restarts_total', 'Times the capture was reopened', [], (c) => c.inc(status().capture.restarts));
  gauge('rackcast_capture_level_dbfs', 'Input level of the last meter window', ['channel', 'measure'], (g) => {
    status().capture.levels.forEach((l, i) => {
      g.set({ channel: String(i + 1), measure: 'peak' }, l.peakDbfs);
      g.set({ channel: String(i + 1), measure: 'rms' }, l.rmsDbfs);
    });
  });

  gauge('rackcast_silence_seconds', 'How long the programme has been below the silence threshold (0 while there is audio)', [], (g) => g.set(status().dead_air.silent_secs));
  gauge('rackcast_fallback_active', 'The fallback audio replaces the programme on the encoders that opt in', [], (g) => g.set(status().dead_air.fallback?.active ? 1 : 0));
  gauge('rackcast_alarm_active', 'Alarms raised now, by kind', ['kind'], (g) => {
    for (const kind of ALARM_KINDS) g.set({ kind }, status().alarms.filter((a) => a.kind === kind).length);
  });
  counter('rackcast_alarms_raised_total', 'Alarms raised since the engine started, by kind', ['kind'], (c) => {
    for (const kind of ALARM_KINDS) c.inc({ kind }, alarmsRaised.get(kind) ?? 0);
  });

  gauge('rackcast_recording_bytes', 'Size of the file being recorded now', ['encoder'], (g) => {
    for (const e of files()) g.set({ encoder: e.name }, recordingOf(e)?.bytes ?? 0);
  });
  counter('rackcast_recording_seconds_total', 'Audio recorded since the engine started', ['encoder'], (c) => {
    for (const e of files()) c.inc({ encoder: e.name }, recordingOf(e)?.recorded_secs ?? 0);
  });
  gauge('rackcast_recording_storage_free_bytes', 'Free space on the recordings drive (absent while the drive is missing)', [], async (g) => {
    const storage = await engine.recordings.probe();
    if (storage.present && storage.free_bytes !== null) g.set(storage.free_bytes);
  });
  gauge('rackcast_recording_storage_present', 'The recordings drive is there (1) or missing (0)', [], async (g) => {
    g.set((await engine.recordings.probe()).present ? 1 : 0);
  });

  return async () => {
    snapshot = null;
    try {
      return { contentType: registry.contentType, body: await registry.metrics() };
    } finally {
      snapshot = null;
    }
  };
}
