// The live link: SSE parsing, and reconnecting through a fake fetch (opened, dropped, signed out).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SseParser } from '../../src/panel/sse-parser.js';
import { EventLink, reconnectDelayMs, type LinkState } from '../../src/web/page/lib/events.js';

test('events split anywhere across chunks come out whole; comments and empty events are skipped', () => {
  const text = 'retry: 2000\n\nevent: levels\ndata: {"channels":[]}\n\n: keepalive\n\nevent: ghost\n\nevent: metadata_changed\r\ndata: a\r\ndata: b\r\n\r\n';
  for (let cut = 0; cut < text.length; cut++) {
    const p = new SseParser();
    assert.equal([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))], [
      { event: 'levels', data: '{"channels":[]}' },
      { event: 'metadata_changed', data: 'a\nb' },
    ], `cut at ${cut}`);
  }
});

test('reconnect back-off: 1 s, 2 s, 4 s, then every 5 s', () => {
  assert.equal([0, 1, 2, 3, 10].map(reconnectDelayMs), [1000, 2000, 4000, 5000, 5000]);
});

function streamOf(text: string): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

test('the link reads events, reopens after the stream ends (reloading on each open), and stops on a 401', async () => {
  const replies = [streamOf('event: levels\ndata: 1\n\n'), new Response(null, { status: 401 })];
  const requests: RequestInit[] = [];
  const states: LinkState[] = [];
  const messages: string[] = [];
  let opens = 0;
  let unauthorized = false;
  await new Promise<void>((resolve) => {
    const link = new EventLink({
      fetchImpl: async (_url, init) => {
        requests.push(init ?? {});
        const next = replies.shift();
        if (!next) throw new Error('no more replies');
        return next;
      },
      onMessage: (m) => messages.push(`${m.event}:${m.data}`),
      onState: (s) => {
        states.push(s);
        if (s === 'reconnecting') link.retryNow();
      },
      onOpen: () => opens++,
      onUnauthorized: () => {
        unauthorized = true;
        resolve();
      },
    });
    link.start();
  });
  assert.equal(messages, ['levels:1']);
  assert.is(opens, 1);
  assert.ok(unauthorized);
  assert.equal(states, ['connecting', 'live', 'reconnecting']);
  assert.equal((requests[0]?.headers as Record<string, string>)['X-Requested-With'], 'rackcast', 'no Basic pop-up on a 401');
});

test('a link that cannot connect keeps trying and says why', async () => {
  let calls = 0;
  const details: (string | null)[] = [];
  await new Promise<void>((resolve) => {
    const link = new EventLink({
      fetchImpl: async () => {
        calls++;
        throw new TypeError('Failed to fetch');
      },
      onMessage: () => {},
      onState: (s, detail) => {
        if (s !== 'reconnecting') return;
        details.push(detail);
        if (calls >= 3) {
          link.stop();
          resolve();
        } else link.retryNow();
      },
      onOpen: () => {},
      onUnauthorized: () => {},
    });
    link.start();
  });
  assert.is(calls, 3);
  assert.match(details[0] ?? '', /cannot be reached \(Failed to fetch\)/);
});

test.run();
