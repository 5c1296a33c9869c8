// Why a source connection failed, in words an operator can act on. The kind drives retry
// policy; the message is what the status page shows; the detail keeps the server's own words
// for the event log.

export type SourceErrorKind =
  | 'auth'
  | 'mount_busy'
  | 'server_full'
  | 'unreachable'
  | 'timeout'
  | 'protocol'
  | 'closed'
  | 'rejected';

function messageFor(kind: SourceErrorKind, detail: string): string {
  switch (kind) {
    case 'auth':
      return 'wrong password';
    case 'mount_busy':
      return 'mount in use';
    case 'server_full':
      return 'server full';
    case 'unreachable':
      return detail ? `server unreachable (${detail})` : 'server unreachable';
    case 'timeout':
      return 'server did not answer';
    case 'closed':
      return 'server closed the connection';
    case 'protocol':
      return `unexpected server reply: ${detail || '(nothing readable)'}`;
    case 'rejected':
      return `server refused the stream: ${detail || '(no reason given)'}`;
  }
}

export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  readonly detail: string;

  constructor(kind: SourceErrorKind, detail = '') {
    super(messageFor(kind, detail));
    this.name = 'SourceError';
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * A wrong password will not fix itself, and a busy mount usually means our own previous
 * connection is still held by the server until its source timeout (10 s Icecast, 30 s DNAS):
 * retrying quickly only adds log noise and can lock out the operator's IP on some servers.
 */
export function isLongBackoff(kind: SourceErrorKind): boolean {
  return kind === 'auth' || kind === 'mount_busy';
}

/** Maps a Node socket error to a SourceError; `streaming` says whether the server had accepted us. */
export function socketError(err: NodeJS.ErrnoException, streaming: boolean): SourceError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new SourceError('unreachable', 'connection refused');
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return new SourceError('unreachable', 'no route to host');
    case 'ENETUNREACH':
      return new SourceError('unreachable', 'network unreachable');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new SourceError('unreachable', 'host name not found');
    case 'ETIMEDOUT':
      return new SourceError('timeout', 'connection timed out');
    case 'ECONNRESET':
    case 'EPIPE':
      return new SourceError('closed', 'connection reset');
    default:
      return streaming
        ? new SourceError('closed', err.code ?? err.message)
        : new SourceError('unreachable', err.code ?? err.message);
  }
}
