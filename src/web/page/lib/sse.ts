// A text/event-stream parser (the WHATWG format): feed it chunks as they arrive, split anywhere, and it
// returns the complete events. Only `event` and `data` matter here; the reader has its own back-off.

export interface SseMessage {
  event: string;
  data: string;
}

export class SseParser {
  private buffer = '';
  private eventName = '';
  private data: string[] = [];
  private lastWasCr = false;

  push(chunk: string): SseMessage[] {
    let text = chunk;
    // A CRLF split across two chunks: the LF belongs to the line the CR already ended.
    if (this.lastWasCr && text.startsWith('\n')) text = text.slice(1);
    this.lastWasCr = text.endsWith('\r');
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    const out: SseMessage[] = [];
    for (const line of lines) {
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      const message = this.data.length > 0 ? { event: this.eventName || 'message', data: this.data.join('\n') } : null;
      this.eventName = '';
      this.data = [];
      return message;
    }
    if (line.startsWith(':')) return null; // a comment: the server's keepalive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.data.push(value);
    return null;
  }
}
