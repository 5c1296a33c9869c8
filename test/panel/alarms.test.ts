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

test('all well: no alarms', () => {
  assert.equal(panelAlarms(parseStatus({ capture: { state: 'running' }, encoders: [enc('A', 'streaming', null)], alarms: [] })), []);
});

test.run();
