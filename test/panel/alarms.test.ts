import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { panelAlarms } from '../../src/panel/alarms.js';
import { parseStatus } from '../../src/panel/api-types.js';

const enc = (name: string, state: string, last_error: string | null) => ({ id: name.length, name, state, last_error });

test('engine conditions in the fewest words', () => {
  const status = parseStatus({
    capture: { state: 'no_input', error: 'sound card "hw:1,0" not found' },
    encoders: [
      enc('A', 'retrying', 'server unreachable (connection refused)'),
      enc('B', 'retrying', 'server did not answer'),
      enc('C', 'retrying', 'wrong password'),
      enc('D', 'retrying', 'mount in use'),
      enc('E', 'failed', 'ffmpeg exited'),
      enc('F', 'retrying', 'server full'),
      enc('G', 'retrying', 'protocol error'),
      enc('H', 'streaming', null),
      enc('I', 'disabled', 'server unreachable'),
    ],
    alarms: ['No input: sound card "hw:1,0" not found', 'A: Retrying (1/∞): server unreachable', 'Storage: USB stick full'],
  });
  assert.equal(panelAlarms(status), [
    'NO INPUT',
    'SERVER DOWN A',
    'SERVER DOWN B',
    'BAD PASSWORD C',
    'MOUNT BUSY D',
    'FAILED E',
    'SERVER FULL F',
    'RETRYING G',
    'Storage: USB stick full',
  ]);
});

test("the engine's alarm kinds: silence first, then the rest in words that fit the line", () => {
  const a = (kind: string, subject: string, text = `${kind} ${subject}`) => ({ kind, subject, text, since: '2026-01-01T00:00:00Z' });
  const status = parseStatus({
    capture: { state: 'no_input', error: 'gone' },
    encoders: [enc('Main', 'retrying', 'wrong password')],
    alarms: [
      a('no_input', 'hw:1,0', 'No input: gone'),
      a('encoder_retrying', 'Main', 'Main: Retrying (1/∞): wrong password'),
      a('channel_lost', 'right'),
      a('clipping', 'programme'),
      a('storage_full', 'Archive'),
      a('storage_missing', 'Logger'),
      a('silence', 'programme'),
      a('fallback_unavailable', '/var/lib/rackcast/fallback'),
      a('some_new_kind', 'x', "Something new: in the engine's words"),
    ],
  });
  assert.equal(panelAlarms(status), [
    'SILENCE',
    'NO INPUT',
    'BAD PASSWORD Main',
    'RIGHT CH LOST',
    'CLIPPING',
    'DISK FULL Archive',
    'NO DISK Logger',
    'NO FALLBACK',
    "Something new: in the engine's words",
  ]);
});

test('all well: no alarms', () => {
  assert.equal(panelAlarms(parseStatus({ capture: { state: 'running' }, encoders: [enc('A', 'streaming', null)], alarms: [] })), []);
});

test.run();
