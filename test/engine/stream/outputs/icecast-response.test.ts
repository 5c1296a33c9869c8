import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  classifyIcecastReply,
  detectLateFailure,
  parseStatusLines,
  type IcecastVerdict,
} from '../../../../src/engine/stream/outputs/icecast-response.js';
import { SourceError, isLongBackoff } from '../../../../src/engine/stream/outputs/source-errors.js';

function verdict(buf: string, method: 'PUT' | 'SOURCE' = 'PUT'): IcecastVerdict {
  return classifyIcecastReply(parseStatusLines(buf), buf, method);
}

function kindOf(buf: string, method: 'PUT' | 'SOURCE' = 'PUT'): string {
  const v = verdict(buf, method);
  return v instanceof SourceError ? `error:${v.kind}` : v;
}

// Recorded from a real Icecast 2.4.4: the status line says only "Forbidden", the reason is the body.
const IC244_BUSY =
  'HTTP/1.0 403 Forbidden\r\nServer: Icecast 2.4.4\r\nConnection: Close\r\nDate: Tue, 24 Nov 2026 15:28:08 GMT\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-cache, no-store\r\n' +
  'Expires: Mon, 26 Jul 1997 05:00:00 GMT\r\nPragma: no-cache\r\n\r\nMountpoint in use';
const IC244_NO_TYPE = IC244_BUSY.replace('Mountpoint in use', 'No Content-type given');
const IC244_ERROR_HEADERS =
  'Server: Icecast 2.4.4\r\nConnection: Close\r\nDate: Mon, 24 Nov 2025 10:00:00 GMT\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-cache, no-store\r\n' +
  'Expires: Mon, 26 Jul 1997 05:00:00 GMT\r\nPragma: no-cache\r\n';
const CONTINUE = 'HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n';

test('parseStatusLines: 100 then 200 in one read', () => {
  assert.equal(parseStatusLines(`${CONTINUE}HTTP/1.0 200 OK\r\n\r\n`), [
    { code: 100, reason: 'Continue' },
    { code: 200, reason: 'OK' },
  ]);
});

test('parseStatusLines: \\n-only line ends, leading NUL, no reason phrase', () => {
  assert.equal(parseStatusLines('\0HTTP/1.0 200\nServer: x\n\n'), [{ code: 200, reason: '' }]);
  assert.equal(parseStatusLines('HTTP/1.1 100 Continue\n\nHTTP/1.0 401 Authentication Required\n\n'), [
    { code: 100, reason: 'Continue' },
    { code: 401, reason: 'Authentication Required' },
  ]);
});

test('parseStatusLines: ignores header and body lines that merely mention HTTP', () => {
  const buf = `HTTP/1.0 403 Forbidden\r\nX-Note: HTTP/1.0 200 OK\r\n\r\nsee HTTP/1.1 200 OK`;
  assert.equal(parseStatusLines(buf), [{ code: 403, reason: 'Forbidden' }]);
  assert.equal(parseStatusLines('Invalid Password\r\n'), []);
  assert.equal(parseStatusLines(''), []);
});

test('classify: 100 then 200 (IC-2.4.4) is accepted', () => {
  assert.is(verdict(`${CONTINUE}HTTP/1.0 200 OK\r\n\r\n`), 'accepted');
});

test('classify: 100 only (IC-2.5 PUT) is accepted', () => {
  assert.is(verdict(CONTINUE), 'accepted');
  assert.is(verdict('HTTP/1.1 100 Continue\n'), 'accepted');
});

test('classify: 200 with \\n only, and DNAS2 200 with a trailing NUL', () => {
  assert.is(verdict('HTTP/1.0 200 OK\n\n'), 'accepted');
  assert.is(verdict('HTTP/1.1 200 OK\r\n\r\n\0'), 'accepted');
  assert.is(verdict('\0HTTP/1.0 200 OK\r\n\r\n'), 'accepted');
});

test('classify: 100 then 401 in one read (icecast-kh) is an auth failure', () => {
  const v = verdict(`${CONTINUE}HTTP/1.0 401 Authentication Required\r\n\r\n`);
  assert.instance(v, SourceError);
  assert.is((v as SourceError).kind, 'auth');
  assert.is((v as SourceError).message, 'wrong password');
  assert.ok(isLongBackoff('auth'));
});

test('classify: 401 alone (IC-2.4.4)', () => {
  const buf = `HTTP/1.0 401 Authentication Required\r\n${IC244_ERROR_HEADERS}WWW-Authenticate: Basic realm="Icecast2 Server"\r\n\r\nYou need to authenticate\r\n`;
  assert.is(kindOf(buf), 'error:auth');
});

test('classify: 403 Mountpoint in use (IC-2.4.4) is mount_busy', () => {
  const v = verdict(`HTTP/1.0 403 Mountpoint in use\r\n${IC244_ERROR_HEADERS}\r\nMountpoint in use`);
  assert.instance(v, SourceError);
  assert.is((v as SourceError).kind, 'mount_busy');
  assert.is((v as SourceError).message, 'mount in use');
  assert.is((v as SourceError).detail, '403 Mountpoint in use');
  assert.ok(isLongBackoff('mount_busy'));
});

test('classify: real IC-2.4.4 "403 Forbidden" with the reason in the body', () => {
  const busy = verdict(IC244_BUSY) as SourceError;
  assert.is(busy.kind, 'mount_busy');
  assert.is(busy.detail, '403 Forbidden: Mountpoint in use');
  const noType = verdict(IC244_NO_TYPE) as SourceError;
  assert.is(noType.kind, 'rejected');
  assert.is(noType.message, 'server refused the stream: 403 Forbidden: No Content-type given');
  assert.is(kindOf('HTTP/1.0 403 Forbidden\n\nMountpoint in use\n'), 'error:mount_busy');
});

test('classify: 409 (IC-2.5 busy mount), with or without the text', () => {
  assert.is(kindOf('HTTP/1.1 409 Conflict\r\nContent-Length: 17\r\n\r\nMountpoint in use'), 'error:mount_busy');
  assert.is(kindOf('HTTP/1.1 409 Conflict\r\n\r\n'), 'error:mount_busy');
});

test('classify: 403 too many sources and 503 are server_full', () => {
  assert.is(kindOf(`HTTP/1.0 403 too many sources connected\r\n${IC244_ERROR_HEADERS}\r\n`), 'error:server_full');
  assert.is(kindOf('HTTP/1.0 403 Icecast connection limit reached\r\n\r\n'), 'error:server_full');
  assert.is(kindOf(IC244_BUSY.replace('Mountpoint in use', 'too many sources connected')), 'error:server_full');
  const v = verdict('HTTP/1.1 503 Service Unavailable\r\n\r\n');
  assert.is((v as SourceError).kind, 'server_full');
  assert.is((v as SourceError).message, 'server full');
  assert.not.ok(isLongBackoff('server_full'));
});

test('classify: 400/404/405 on PUT ask for a SOURCE retry; on SOURCE they are refusals', () => {
  assert.is(verdict('HTTP/1.0 400 unknown request\r\n\r\n'), 'retry_with_source');
  assert.is(verdict('HTTP/1.1 404 Not Found\r\n\r\n'), 'retry_with_source');
  assert.is(verdict('HTTP/1.1 405 Method Not Allowed\r\n\r\n'), 'retry_with_source');
  assert.is(verdict(`${CONTINUE}HTTP/1.0 400 Bad Request\r\n\r\n`), 'retry_with_source');
  const v = verdict('HTTP/1.0 400 unknown request\r\n\r\n', 'SOURCE');
  assert.is((v as SourceError).kind, 'rejected');
  assert.is((v as SourceError).message, 'server refused the stream: 400 unknown request');
});

test('classify: other errors are refusals naming the code', () => {
  const v = verdict('HTTP/1.0 403 No Content-type given\r\n\r\n');
  assert.is((v as SourceError).kind, 'rejected');
  assert.is((v as SourceError).message, 'server refused the stream: 403 No Content-type given');
  assert.is(kindOf('HTTP/1.1 415 Unsupported Media Type\r\n\r\n'), 'error:rejected');
  assert.is(kindOf('HTTP/1.1 500 Internal Server Error\r\n\r\n'), 'error:rejected');
  assert.is(kindOf('HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\n\r\n'), 'error:rejected');
});

test('classify: DNAS2 bare lines', () => {
  assert.is(kindOf('Invalid Password\r\n'), 'error:auth');
  assert.is(kindOf('invalid password\r\n'), 'error:auth');
  assert.is(kindOf('Stream In Use\r\n'), 'error:mount_busy');
  const v = verdict('Bad Stream ID\r\n');
  assert.is((v as SourceError).kind, 'rejected');
  assert.is((v as SourceError).message, 'server refused the stream: Bad Stream ID');
});

test('classify: nothing yet, or a partial line, is pending', () => {
  assert.is(verdict(''), 'pending');
  assert.is(verdict('\0'), 'pending');
  assert.is(verdict('HTTP/1.1 10'), 'pending');
  assert.is(verdict('HTTP/1.1 102 Processing\r\n\r\n'), 'pending');
});

test('classify: garbage is a protocol error with a readable excerpt', () => {
  const v = verdict('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
  assert.instance(v, SourceError);
  assert.is((v as SourceError).kind, 'protocol');
  assert.is((v as SourceError).message, 'unexpected server reply: SSH-2.0-OpenSSH_9.2p1 Debian-2');
  const long = verdict(`${'x'.repeat(300)}\n`) as SourceError;
  assert.ok(long.detail.length <= 81, long.detail);
});

test('detectLateFailure: ignores the 200 after a 100 and the rest of OK2', () => {
  assert.is(detectLateFailure('HTTP/1.0 200 OK\r\n\r\n', false), null);
  assert.is(detectLateFailure('icy-caps:11\r\n\r\n', false), null);
  assert.is(detectLateFailure('', true), null);
});

test('detectLateFailure: a later 403 or 401, or a bare DNAS2 line', () => {
  assert.is(detectLateFailure('HTTP/1.0 403 Mountpoint in use\r\n\r\n', false)?.kind, 'mount_busy');
  assert.is(detectLateFailure('HTTP/1.0 401 Authentication Required\r\n', false)?.kind, 'auth');
  // A 400 after acceptance cannot be answered by retrying with SOURCE any more.
  assert.is(detectLateFailure('HTTP/1.0 400 Bad Request\r\n', false)?.kind, 'rejected');
  assert.is(detectLateFailure('Stream In Use\r\n', false)?.kind, 'mount_busy');
  assert.is(detectLateFailure('Stream In U', false), null, 'incomplete line waits');
  assert.is(detectLateFailure('Stream In Use', true)?.kind, 'mount_busy', 'EOF completes it');
});

test('SourceError messages are operator phrases', () => {
  assert.is(new SourceError('unreachable', 'connection refused').message, 'server unreachable (connection refused)');
  assert.is(new SourceError('unreachable').message, 'server unreachable');
  assert.is(new SourceError('timeout', 'x').message, 'server did not answer');
  assert.is(new SourceError('closed', 'x').message, 'server closed the connection');
  assert.is(new SourceError('closed', 'x').detail, 'x');
  assert.ok(new SourceError('auth') instanceof Error);
});

test.run();
