// test-timeout: 240
// Storage faults on real filesystems (a small tmpfs, mounted and unmounted for real), through the engine's
// HTTP API, with an Icecast stream on air the whole time: a drive that fills up, a drive pulled and put
// back, and retention making room. The stream never notices; the recording says what is wrong, stops
// cleanly, never writes to the system disk, and carries on in a new file when it can.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { sleep, waitFor } from '../harness/util.js';
import { makeTmpfs } from '../engine/recording/api-helpers.js';
import { filesIn, wavData } from '../engine/recording/helpers.js';
import type { RecordingStatus } from '../../src/engine/recording/recording-types.js';
import type { EncoderStatus } from '../../src/engine/stream/encoder-runner.js';

let icecast: IcecastServer;
let t: TestEngine;
let stream: EncoderStatus;

test.before(async () => {
  icecast = await startIcecast({ mounts: ['/live.mp3'] });
  t = await startTestEngine({ captureDevice: 'tone:440' });
  const created = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/live.mp3'));
  await t.api('POST', `/api/encoders/${created.body.id}/start`);
  stream = await t.waitForState(created.body.id, (s) => s.state === 'streaming', 15_000, 'stream on air');
});

test.after(async () => {
  await t?.stop();
  await icecast?.stop();
});

async function recording(id: number): Promise<RecordingStatus> {
  const r = await t.api<RecordingStatus>('GET', `/api/encoders/${id}/recording`);
  if (r.status !== 200) throw new Error(`GET recording: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function waitRecording(id: number, what: string, predicate: (s: RecordingStatus) => boolean, timeoutMs = 30_000): Promise<RecordingStatus> {
  let last: RecordingStatus | null = null;
  await waitFor(async () => predicate((last = await recording(id))), { timeoutMs, intervalMs: 200, what }).catch(() => {
    throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
  });
  return last!;
}

/** The stream is still on air on the same connection and still sending. */
async function assertStreamUntouched(): Promise<void> {
  const before = await t.status(stream.id);
  await sleep(600);
  const now = await t.status(stream.id);
  assert.is(now.state, 'streaming');
  assert.is(now.connected_since, stream.connected_since, 'the stream never reconnected');
  assert.ok(now.bytes_sent > before.bytes_sent, 'the stream keeps sending');
  assert.ok(await icecast.mountIsLive('/live.mp3'));
}

async function kinds(): Promise<{ kind: string; level: string; message: string; data: unknown }[]> {
  return (await t.api('GET', '/api/log?limit=500')).body;
}

async function useDrive(dir: string, over: Record<string, unknown> = {}): Promise<void> {
  const r = await t.api('PUT', '/api/recording', { recordings_dir: dir, recordings_removable: true, retention_keep_days: 0, retention_min_free_percent: 0, ...over });
  assert.is(r.status, 200, JSON.stringify(r.body));
}

async function wavRecorder(name: string): Promise<number> {
  const r = await t.api('POST', '/api/encoders', { name, codec: 'wav', output_type: 'file', file_output_path: '.', file_rotation: 'hourly', file_name_template: `${name}-{datetime}` });
  assert.is(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

test('drive full: the recording stops cleanly with "storage full", the file is valid, the stream is untouched; room again → new file', async () => {
  const usb = makeTmpfs(2048);
  usb.mount();
  await useDrive(usb.path);
  const id = await wavRecorder('full');
  const started = await t.api('POST', `/api/encoders/${id}/recording/start`);
  assert.is(started.status, 200, JSON.stringify(started.body));
  assert.is(started.body.storage.fs_type, 'tmpfs');
  const full = await waitRecording(id, 'storage full', (s) => s.state === 'storage_full');
  assert.is(full.status_text, 'Storage full');
  assert.match(full.last_error ?? '', /storage full/);
  assert.is(full.current_file, null);
  const [file] = filesIn(usb.path, '.wav');
  const pcm = wavData(file!); // throws unless the header matches the file exactly
  assert.ok(pcm.length > 1.5 * 1024 * 1024, `${pcm.length} bytes of audio kept`);
  assert.is(pcm.length % 4, 0);
  const log = await kinds();
  assert.ok(log.some((e) => e.kind === 'recording_storage_full' && e.level === 'error'), JSON.stringify(log.slice(0, 5)));
  const status = (await t.api('GET', '/api/status')).body;
  assert.ok(status.alarms.some((a: { kind: string; text: string }) => a.kind === 'storage_full' && a.text.startsWith('full: Storage full')), JSON.stringify(status.alarms));
  await assertStreamUntouched();

  unlinkSync(file!); // the operator makes room
  const resumed = await waitRecording(id, 'recording again', (s) => s.state === 'recording' && s.current_file !== null, 10_000);
  assert.ok(resumed.current_file !== null && join(usb.path, resumed.current_file) !== file);
  assert.ok((await kinds()).some((e) => e.kind === 'recording_storage_restored'));
  await t.api('POST', `/api/encoders/${id}/recording/stop`);
  await t.api('DELETE', `/api/encoders/${id}`);
  usb.unmount();
});

test('drive pulled: "storage missing", nothing written to the system disk, the stream untouched; drive back → new file', async () => {
  const usb = makeTmpfs(16 * 1024);
  usb.mount();
  await useDrive(usb.path);
  const id = await wavRecorder('pulled');
  await t.api('POST', `/api/encoders/${id}/recording/start`);
  const first = await waitRecording(id, 'recording', (s) => s.state === 'recording' && s.bytes > 200_000);
  usb.unmount(); // lazily, with the file open: the kernel detaches it like a pulled stick
  const missing = await waitRecording(id, 'storage missing', (s) => s.state === 'storage_missing', 10_000);
  assert.is(missing.status_text, 'Storage missing');
  assert.is(missing.storage?.present, false);
  assert.match(missing.storage?.problem ?? '', /no drive mounted/);
  await assertStreamUntouched();
  await sleep(2500);
  assert.equal(readdirSync(usb.path), [], 'nothing was written to the directory on the system disk');
  assert.is((await recording(id)).state, 'storage_missing');
  const log = await kinds();
  assert.ok(log.some((e) => e.kind === 'recording_storage_missing'), JSON.stringify(log.slice(0, 5)));

  usb.mount(); // the stick is back (empty: a tmpfs forgets)
  const back = await waitRecording(id, 'recording again', (s) => s.state === 'recording' && s.bytes > 0, 10_000);
  assert.ok(back.current_file && back.current_file !== first.current_file, `${back.current_file} after ${first.current_file}`);
  assert.ok(existsSync(join(usb.path, back.current_file!)));
  assert.ok(back.not_recorded_ms > 2000, `not recorded while missing: ${back.not_recorded_ms} ms`);
  await t.api('POST', `/api/encoders/${id}/recording/stop`);
  wavData(filesIn(usb.path, '.wav')[0]!);
  await t.api('DELETE', `/api/encoders/${id}`);
  usb.unmount();
});

test('retention keeps X % free: the oldest recordings go first, never the one being written, never one the engine did not record', async () => {
  // 5 MiB: 1 MiB that is not a recording, two old recordings, and room for the new one to grow past 1.5 MiB.
  const usb = makeTmpfs(5120);
  usb.mount();
  const old = (name: string, daysAgo: number, recorded = true): string => {
    const p = join(usb.path, name);
    writeFileSync(p, Buffer.alloc(1024 * 1024, 1));
    const at = Date.now() / 1000 - daysAgo * 86400;
    utimesSync(p, at, at);
    // As an earlier recording of the engine's left it: in the register, closed.
    if (recorded) t.engine.db.prepare(`INSERT INTO recording_files (path, closed_at) VALUES (?, '2024-05-01T00:00:00Z')`).run(p);
    return p;
  };
  const copiedIn = old('copied-in.wav', 5, false);
  const oldest = old('oldest.wav', 3);
  const older = old('older.flac', 2);
  writeFileSync(join(usb.path, 'older.cue'), 'FILE "older.flac" WAVE\n');
  await useDrive(usb.path, { retention_min_free_percent: 30 });
  const id = await wavRecorder('kept');
  await t.api('POST', `/api/encoders/${id}/recording/start`);
  await waitFor(() => !existsSync(oldest), { timeoutMs: 25_000, what: 'the oldest recording deleted' });
  await waitFor(() => !existsSync(older), { timeoutMs: 25_000, what: 'the next oldest deleted' });
  assert.not.ok(existsSync(join(usb.path, 'older.cue')), 'its cue sheet with it');
  assert.ok(existsSync(copiedIn), 'audio the engine never recorded is never deleted, however old');
  const s = await recording(id);
  assert.is(s.state, 'recording');
  assert.ok(existsSync(join(usb.path, s.current_file!)), 'the open recording is kept');
  assert.ok(statSync(join(usb.path, s.current_file!)).size > 1024 * 1024);
  const retention = (await kinds()).filter((e) => e.kind === 'recording_retention');
  // The log is newest first; within one run the files are in the order they were deleted.
  assert.equal(retention.reverse().flatMap((e) => (e.data as { files: string[] }).files), ['oldest.wav', 'older.flac']);
  await assertStreamUntouched();
  await t.api('POST', `/api/encoders/${id}/recording/stop`);
  usb.unmount();
});

test.run();
