// Between an encoder's output and its server connection. While the server is away the
// encoded bytes are discarded and counted, so a reconnect never restarts the codec. For Ogg
// the sink works in whole pages and replays the codec headers to every new connection.
import type { SourceConnection } from './source-client.js';
import { OggPager } from './ogg-pages.js';

export class StreamSink {
  private connection: SourceConnection | null = null;
  private pager: OggPager | null;
  /** Header pages already sent on the current connection. */
  private headersSent = 0;
  bytesSent = 0;
  bytesDiscarded = 0;
  /** Resolves waiters once the encoder has produced its first bytes. */
  private producedAny = false;
  private firstBytesWaiters: Array<() => void> = [];

  constructor(ogg: boolean) {
    this.pager = ogg ? new OggPager() : null;
  }

  get connected(): boolean {
    return this.connection !== null;
  }

  get hasOutput(): boolean {
    return this.producedAny;
  }

  /** Resolves true when the encoder has produced output, false after `timeoutMs`. */
  waitForOutput(timeoutMs: number): Promise<boolean> {
    if (this.producedAny) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.firstBytesWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The Ogg header pages of the current codec run (none for other codecs, or before the codec has written them). */
  headerPages(): Buffer[] {
    return this.pager ? [...this.pager.headers] : [];
  }

  attach(connection: SourceConnection): void {
    this.connection = connection;
    this.headersSent = 0;
    if (this.pager) {
      for (const page of this.pager.headers) this.send(page);
      this.headersSent = this.pager.headers.length;
    }
  }

  detach(): void {
    this.connection = null;
  }

  /** The encoder restarted: its next bytes begin a new stream. */
  encoderRestarted(): void {
    this.pager?.reset();
    this.headersSent = 0;
    this.producedAny = false;
  }

  write(data: Buffer): void {
    if (!this.producedAny) {
      this.producedAny = true;
      for (const wake of this.firstBytesWaiters.splice(0)) wake();
    }
    if (!this.pager) {
      if (this.connection) this.send(data);
      else this.bytesDiscarded += data.length;
      return;
    }
    for (const page of this.pager.push(data)) {
      if (page.bos) this.headersSent = 0;
      if (!this.connection) {
        this.bytesDiscarded += page.bytes.length;
      } else if (page.isHeader) {
        // Only header pages the connection has not had from the cache yet. The page's own index, not
        // the cache length: one chunk can hold a new chain's BOS and comment pages, and push() has
        // classified them all before this loop runs.
        const index = page.headerIndex ?? 0;
        if (index >= this.headersSent) {
          this.send(page.bytes);
          this.headersSent = index + 1;
        }
      } else {
        this.send(page.bytes);
      }
    }
  }

  private send(bytes: Buffer): void {
    this.connection!.write(bytes);
    this.bytesSent += bytes.length;
  }
}
