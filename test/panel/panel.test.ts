import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { actionPath, nextRenderDelayMs, MIN_FRAME_INTERVAL_MS } from '../../src/panel/panel.js';

test('at most four frames a second', () => {
  assert.is(MIN_FRAME_INTERVAL_MS, 250);
  assert.is(nextRenderDelayMs(-Infinity, 1000), 0);
  assert.is(nextRenderDelayMs(1000, 1100), 150);
  assert.is(nextRenderDelayMs(1000, 1250), 0);
  assert.is(nextRenderDelayMs(1000, 5000), 0);
});

test('each action is one API route', () => {
  assert.is(actionPath({ type: 'start-all' }), '/api/encoders/start-all');
  assert.is(actionPath({ type: 'stop-all' }), '/api/encoders/stop-all');
  assert.is(actionPath({ type: 'eject' }), '/api/storage/eject');
  assert.is(actionPath({ type: 'recording', encoderId: 3, start: true }), '/api/encoders/3/recording/start');
  assert.is(actionPath({ type: 'recording', encoderId: 3, start: false }), '/api/encoders/3/recording/stop');
});

test.run();
