// How a player reads titles from a real stream: ICY metadata blocks of an MP3/AAC mount (as VLC
// does: `Icy-MetaData: 1`, then one length byte and length×16 bytes after every icy-metaint audio
// bytes), and the comment packets of an Ogg stream's logical streams (Vorbis comments, OpusTags).
import http from 'node:http';

export interface StreamReadOptions {
  timeoutMs: number;
}

/** Opens `url` and feeds the body to `onData` until it returns a value (or the time is up). */
function readUntil<T>(url: string, headers: Record<string, string>, opts: StreamReadOptions, start: (res: http.IncomingMessage) => (chunk: Buffer) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { 'User-Agent': 'RackCastTestPlayer/1.0', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      const onData = start(res);
      res.on('data', (chunk: Buffer) => {
        const found = onData(chunk);
        if (found !== undefined) {
          clearTimeout(timer);
          req.destroy();
          resolve(found);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`GET ${url}: nothing matching within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The StreamTitle bytes of one ICY metadata block, cut as VLC cuts it (at `';`). */
export function streamTitleOf(block: Buffer): Buffer | null {
  const text = block.toString('latin1');
  const start = text.indexOf("StreamTitle='");
  if (start < 0) return null;
  const from = start + "StreamTitle='".length;
  const end = text.indexOf("';", from);
  return Buffer.from(text.slice(from, end < 0 ? text.indexOf(';', from) : end), 'latin1');
}

/** Reads ICY metadata blocks until one's StreamTitle (raw bytes) satisfies `wanted`. */
export function readIcyTitle(url: string, wanted: (title: Buffer) => boolean, opts: StreamReadOptions): Promise<Buffer> {
  return readUntil(url, { 'Icy-MetaData': '1' }, opts, (res) => {
    const metaint = Number(res.headers['icy-metaint']);
    if (!Number.isInteger(metaint) || metaint <= 0) throw new Error(`no icy-metaint header from ${url}`);
    let audioLeft = metaint;
    let metaLeft = -1;
    let meta: Buffer[] = [];
    return (chunk) => {
      let i = 0;
      while (i < chunk.length) {
        if (audioLeft > 0) {
          const n = Math.min(audioLeft, chunk.length - i);
          audioLeft -= n;
          i += n;
        } else if (metaLeft < 0) {
          metaLeft = chunk[i]! * 16;
          i++;
          meta = [];
          if (metaLeft === 0) {
            metaLeft = -1;
            audioLeft = metaint;
          }
        } else {
          const n = Math.min(metaLeft, chunk.length - i);
          meta.push(chunk.subarray(i, i + n));
          metaLeft -= n;
          i += n;
          if (metaLeft === 0) {
            metaLeft = -1;
            audioLeft = metaint;
            const title = streamTitleOf(Buffer.concat(meta));
            if (title && wanted(title)) return title;
          }
        }
      }
      return undefined;
    };
  });
}

export interface OggComments {
  codec: 'vorbis' | 'opus';
  serial: number;
  vendor: string;
  /** KEY (upper case) → value. */
  tags: Record<string, string>;
}

/** Parses a Vorbis comment packet ("\x03vorbis…") or an OpusTags packet. */
export function parseCommentPacket(packet: Buffer, serial: number): OggComments | null {
  let codec: OggComments['codec'];
  let at: number;
  if (packet.subarray(0, 7).equals(Buffer.from('\x03vorbis', 'latin1'))) [codec, at] = ['vorbis', 7];
  else if (packet.subarray(0, 8).toString('latin1') === 'OpusTags') [codec, at] = ['opus', 8];
  else return null;
  const vendorLength = packet.readUInt32LE(at);
  const vendor = packet.subarray(at + 4, at + 4 + vendorLength).toString('utf8');
  at += 4 + vendorLength;
  const count = packet.readUInt32LE(at);
  at += 4;
  const tags: Record<string, string> = {};
  for (let n = 0; n < count; n++) {
    const length = packet.readUInt32LE(at);
    const entry = packet.subarray(at + 4, at + 4 + length).toString('utf8');
    at += 4 + length;
    const eq = entry.indexOf('=');
    if (eq > 0) tags[entry.slice(0, eq).toUpperCase()] = entry.slice(eq + 1);
  }
  return { codec, serial, vendor, tags };
}

/** Reassembles Ogg packets per logical stream and reports every comment packet, in stream order. */
export class OggCommentReader {
  private pending = Buffer.alloc(0);
  private partial = new Map<number, Buffer[]>();
  readonly seen: OggComments[] = [];

  push(data: Buffer): OggComments[] {
    this.pending = Buffer.concat([this.pending, data]);
    const found: OggComments[] = [];
    for (;;) {
      const start = this.pending.indexOf('OggS');
      if (start < 0 || this.pending.length < start + 27) break;
      const page = this.pending.subarray(start);
      const segments = page[26]!;
      if (page.length < 27 + segments) break;
      const lacing = page.subarray(27, 27 + segments);
      const bodyLength = lacing.reduce((sum, v) => sum + v, 0);
      if (page.length < 27 + segments + bodyLength) break;
      const serial = page.readUInt32LE(14);
      let offset = 27 + segments;
      let parts = this.partial.get(serial) ?? [];
      for (const size of lacing) {
        parts.push(page.subarray(offset, offset + size));
        offset += size;
        if (size < 255) {
          const comments = parseCommentPacket(Buffer.concat(parts), serial);
          if (comments) found.push(comments);
          parts = [];
        }
      }
      this.partial.set(serial, parts);
      this.pending = this.pending.subarray(start + 27 + segments + bodyLength);
    }
    this.seen.push(...found);
    return found;
  }
}

/** Reads an Ogg mount until a comment packet satisfies `wanted`; `reader` keeps what came before. */
export function readOggComments(url: string, wanted: (c: OggComments) => boolean, opts: StreamReadOptions, reader = new OggCommentReader()): Promise<OggComments> {
  return readUntil(url, {}, opts, () => (chunk) => reader.push(chunk).find(wanted));
}
