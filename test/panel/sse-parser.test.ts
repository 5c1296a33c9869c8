import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SseParser } from '../../src/panel/sse-parser.js';

test('events split anywhere across chunks come out whole', () => {
  const text = 'retry: 2000\n\nevent: levels\ndata: {"channels":[]}\n\n: keepalive\n\nevent: encoder_status_changed\ndata: {"id":1}\n\n';
  for (let cut = 0; cut < text.length; cut++) {
    const p = new SseParser();
    const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
    assert.equal(events, [
      { event: 'levels', data: '{"channels":[]}' },
      { event: 'encoder_status_changed', data: '{"id":1}' },
    ], `cut at ${cut}`);
  }
});

test('CRLF and CR line ends, a CRLF split between chunks, several data lines, no event name', () => {
  const p = new SseParser();
  assert.equal(p.push('data: a\r\ndata: b\r'), []);
  assert.equal(p.push('\n\r\n'), [{ event: 'message', data: 'a\nb' }]);
  assert.equal(p.push('event: x\rdata:no space\r\r'), [{ event: 'x', data: 'no space' }]);
});

test('an event without data is dropped and its name does not leak into the next one', () => {
  const p = new SseParser();
  assert.equal(p.push('event: ghost\n\ndata: 1\n\n'), [{ event: 'message', data: '1' }]);
});

test.run();
