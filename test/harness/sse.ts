// Reads an open /api/events response in the background with the panel's own SSE parser, handing each
// event to `onEvent` until the stream ends or its request is aborted.
import { SseParser, type SseEvent } from '../../src/panel/sse-parser.js';

export function readSse(body: ReadableStream<Uint8Array>, onEvent: (e: SseEvent) => void): void {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const e of parser.push(decoder.decode(value, { stream: true }))) onEvent(e);
      }
    } catch {
      /* aborted at the end */
    }
  })();
}
