// Liquidsoap's stdout, read as the engine reads it: the script's event lines and Liquidsoap's own log,
// with errors in the same words as the ffmpeg backend's source client. The error texts are the ones
// Liquidsoap 2.1 printed against a real Icecast 2.4.4 (wrong password, busy mount, nothing listening).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyLiquidsoapError, parseLiquidsoapLine } from '../../../../src/engine/stream/liquidsoap/liquidsoap-events.js';
import { isLongBackoff } from '../../../../src/engine/stream/outputs/source-errors.js';

test('event lines', () => {
  assert.equal(parseLiquidsoapLine('RACKCAST connected'), { type: 'connected' });
  assert.equal(parseLiquidsoapLine('RACKCAST disconnected'), { type: 'disconnected' });
  assert.equal(parseLiquidsoapLine('RACKCAST input_ended'), { type: 'input_ended' });
  const e = parseLiquidsoapLine('RACKCAST error 401, Authentication Required (HTTP/1.0)');
  assert.is(e?.type, 'error');
  assert.is(e?.type === 'error' && e.error.message, 'wrong password');
  // A title cannot fake an event: only whole lines that start with the prefix count.
  assert.is(parseLiquidsoapLine('2026/12/02 02:09:20 [x:3] RACKCAST connected')?.type, 'log');
  assert.is(parseLiquidsoapLine(' RACKCAST connected')?.type, 'log');
  assert.is(parseLiquidsoapLine(''), null);
});

test('errors in the ffmpeg backend\'s words, and which need the long back-off', () => {
  const cases: Array<[string, string, boolean]> = [
    ['401, Authentication Required (HTTP/1.0)', 'wrong password', true],
    ['403, Forbidden (HTTP/1.0)', 'mount in use', true],
    ['could not write data to host: Connection refused in write()', 'server unreachable (connection refused)', false],
    ['could not write data to host: Broken pipe in write()', 'server closed the connection', false],
    ['Connection timed out', 'server did not answer', false],
    ['could not resolve host name nowhere.invalid', 'server unreachable (host name not found)', false],
    // What Liquidsoap 2.1.3 and 2.3.2 really say for a host name that does not resolve.
    ['Not_found', 'server unreachable (host name not found)', false],
    ['Connection refused in connect()', 'server unreachable (connection refused)', false],
    ['Cry.Timeout', 'server did not answer', false],
    ['500, Internal Server Error (HTTP/1.0)', 'server refused the stream: 500 Internal Server Error', false],
    ['something new', 'server refused the stream: something new', false],
  ];
  for (const [text, words, long] of cases) {
    const err = classifyLiquidsoapError(text);
    assert.is(err.message, words, text);
    assert.is(isLongBackoff(err.kind), long, `${text}: long back-off`);
  }
});

test('log lines: level 1-2 are severe and kept for the operator, with their source', () => {
  assert.equal(parseLiquidsoapLine('2026/12/02 02:09:20 [/a.mp3:2] Connection failed: could not write data to host'), {
    type: 'log', text: '/a.mp3: Connection failed: could not write data to host', severe: true,
  });
  assert.equal(parseLiquidsoapLine('2026/12/02 02:09:20 [clock.main:3] Streaming loop starts'), { type: 'log', text: 'clock.main: Streaming loop starts', severe: false });
  // Liquidsoap 2.3's deprecation notices are level 2 but no reason an encoder failed.
  assert.is(parseLiquidsoapLine('2026/12/02 02:46:44 [lang.deprecated:2] WARNING: "x" is deprecated')?.type === 'log' && (parseLiquidsoapLine('2026/12/02 02:46:44 [lang.deprecated:2] WARNING: "x" is deprecated') as { severe: boolean }).severe, false);
  // Script errors are printed without a timestamp.
  assert.equal(parseLiquidsoapLine('Error 3: Syntax error!'), { type: 'log', text: 'Error 3: Syntax error!', severe: true });
});

test.run();
