import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyEvent, parseStatus } from '../../src/panel/api-types.js';

// The shape GET /api/status has today (engine.status()), trimmed.
const engineStatus = {
  engine: { started_at: '2026-01-01T00:00:00.000Z', uptime_secs: 12 },
  capture: { device: 'tone', state: 'running', error: null, restarts: 0, levels: [{ peakDbfs: -6.1, rmsDbfs: -9.2 }, { peakDbfs: -6.1, rmsDbfs: -9.2 }] },
  encoders: [
    { id: 1, name: 'Main', state: 'streaming', status_text: 'Streaming', last_error: null, uptime_secs: 30, bytes_sent: 480000, process: {}, queue: {} },
    { id: 2, name: 'Backup', state: 'retrying', status_text: 'Retrying (1/∞)', last_error: 'server unreachable', uptime_secs: 0, bytes_sent: 0 },
  ],
  queues: [],
  alarms: [{ kind: 'encoder_retrying', subject: 'Backup', since: '2026-01-01T00:00:05.000Z', text: 'Backup: Retrying (1/∞): server unreachable', level: 'warning', encoder_id: 2 }],
};

test('parseStatus keeps what the panel shows', () => {
  const s = parseStatus(engineStatus);
  assert.equal(s.capture, { state: 'running', device: 'tone', error: null, levels: engineStatus.capture.levels });
  assert.equal(s.encoders[0], { id: 1, name: 'Main', state: 'streaming', status_text: 'Streaming', last_error: null, uptime_secs: 30, bytes_sent: 480000, listeners: null, recording: null });
  assert.is(s.encoders[1]!.last_error, 'server unreachable');
  assert.equal(s.alarms, [{ kind: 'encoder_retrying', subject: 'Backup', text: 'Backup: Retrying (1/∞): server unreachable' }]);
});

test('listeners as the engine reports them: the current-listeners object, or a plain count', () => {
  const s = parseStatus({ encoders: [{ id: 1, listeners: { encoder_id: 1, current: 17, peak: 20, live: true } }, { id: 2, listeners: { current: null } }, { id: 3, current_listeners: 4 }] });
  assert.equal(s.encoders.map((e) => e.listeners), [17, null, 4]);
});

test('parseStatus is lenient with what a newer or older engine sends, strict only about the top level', () => {
  const s = parseStatus({ encoders: [{ id: 3, listeners: 12, recording: { active: true } }, { name: 'no id' }, null], alarms: ['x', 3] });
  assert.equal(s.encoders, [{ id: 3, name: 'Encoder 3', state: 'disabled', status_text: '', last_error: null, uptime_secs: 0, bytes_sent: 0, listeners: 12, recording: true }]);
  assert.equal(s.capture, { state: 'unknown', device: '', error: null, levels: [] });
  assert.equal(s.alarms, [{ kind: '', subject: '', text: 'x' }], 'an older engine sent words only');
  assert.throws(() => parseStatus('<html>'), /not a status object/);
});

test('applyEvent: levels, capture, encoder changes and listener counts', () => {
  const s = parseStatus(engineStatus);
  const lv = applyEvent(s, 'levels', { channels: [{ peakDbfs: -1, rmsDbfs: -3 }], capture: 'no_input' });
  assert.equal(lv.capture.levels, [{ peakDbfs: -1, rmsDbfs: -3 }]);
  assert.is(lv.capture.state, 'no_input');
  const cap = applyEvent(s, 'capture_status_changed', { state: 'no_input', device: 'hw:1,0', error: 'sound card "hw:1,0" not found' });
  assert.equal(cap.capture.error, 'sound card "hw:1,0" not found');
  const listeners = applyEvent(s, 'listener_count_updated', { encoderId: 1, count: 42 });
  assert.is(listeners.encoders[0]!.listeners, 42);
  // The engine's encoder_status_changed carries the status plus status/error aliases; counts survive it.
  const changed = applyEvent(listeners, 'encoder_status_changed', { ...engineStatus.encoders[0], state: 'retrying', status: 'retrying', last_error: 'server closed the connection' });
  assert.is(changed.encoders[0]!.state, 'retrying');
  assert.is(changed.encoders[0]!.listeners, 42);
  const added = applyEvent(s, 'encoder_status_changed', { id: 9, name: 'New', state: 'connecting' });
  assert.is(added.encoders.length, 3);
  assert.is(applyEvent(s, 'metadata_changed', { title: 'x' }), s, 'an event the panel does not show changes nothing');
  assert.is(applyEvent(s, 'listener_count_updated', { count: 'many' }), s);
  assert.is(applyEvent(listeners, 'listener_count_updated', { encoderId: 1, count: null }).encoders[0]!.listeners, null, 'a poll that could not measure');
});

test('applyEvent: alarm_raised adds an alarm, alarm_cleared removes it (by kind and subject)', () => {
  const s = parseStatus({ ...engineStatus, alarms: [] });
  const raised = applyEvent(s, 'alarm_raised', { id: 4, kind: 'silence', subject: 'programme', since: 'x', text: 'Silence: since 10:00:00' });
  assert.equal(raised.alarms, [{ kind: 'silence', subject: 'programme', text: 'Silence: since 10:00:00' }]);
  const again = applyEvent(raised, 'alarm_raised', { kind: 'silence', subject: 'programme', text: 'Silence: since 10:00:00' });
  assert.is(again.alarms.length, 1, 'the same alarm is not listed twice');
  assert.equal(applyEvent(raised, 'alarm_cleared', { kind: 'silence', subject: 'programme', text: 'Silence: since 10:00:00', cleared: 'y' }).alarms, []);
  assert.is(applyEvent(raised, 'alarm_cleared', 'nonsense'), raised);
});

test('live listen: read from the status and kept current by live_listen_changed; an older engine has none', () => {
  const s = parseStatus({ capture: {}, encoders: [], alarms: [], live_listen: { enabled: true, source: 'server:2', volume: 0.5, status: { state: 'playing', status_text: 'Playing server:2 on "default"' } } });
  assert.equal(s.liveListen, { enabled: true, source: 'server:2', volume: 0.5, state: 'playing', status_text: 'Playing server:2 on "default"' });
  const next = applyEvent(s, 'live_listen_changed', { enabled: false, source: 'master', volume: 2, status: { state: 'off', status_text: 'Off' } });
  assert.equal(next.liveListen, { enabled: false, source: 'master', volume: 1, state: 'off', status_text: 'Off' });
  assert.is(parseStatus({ capture: {}, encoders: [], alarms: [] }).liveListen, null);
});

test.run();
