// test-timeout: 180
// POST /api/storage/eject on a real engine recording a WAV to a real mount (a tmpfs standing in for the
// USB drive; the booted VM of scripts/test-package does it with a FAT stick and the real units). The
// test plays rackcast-usb-eject.service: when the request file appears it checks that the recording was
// finished first (the WAV's RIFF size is the file's), then unmounts. Needs root (mount), as CI has.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { sleep, waitFor } from '../harness/util.js';
import { driveMountedAt } from '../../src/web/storage-routes.js';

let t: TestEngine;
const drive = mkdtempSync('/mnt/rackcast-eject-');
const mounted = () => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === drive);
const mount = () => assert.is(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', drive]).status, 0, 'mount tmpfs');

function wavs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.wav')).map((f) => join(dir, f));
}

test.before(async () => {
  mount();
  t = await startTestEngine({ captureDevice: 'tone' });
});

test.after(async () => {
  await t?.stop();
  if (mounted()) spawnSync('umount', [drive]);
  rmSync(drive, { recursive: true, force: true });
});

test('the drive counts as mounted while it or its automount is there, not the engine unit\'s bind mount of the empty directory', () => {
  // /proc/self/mounts of the engine on the booted box (ProtectSystem=strict, ReadWritePaths=/media/rackcast-usb).
  const base = ['/dev/vda / ext4 ro,nosuid,nodev,relatime 0 0', '/dev/vda /media/rackcast-usb ext4 rw,nosuid,relatime 0 0'];
  const autofs = 'systemd-1 /media/rackcast-usb autofs rw,relatime,fd=29,pgrp=1,timeout=60,minproto=5,maxproto=5,direct,pipe_ino=5363 0 0';
  const vfat = '/dev/sda /media/rackcast-usb vfat rw,nosuid,nodev,noexec,noatime,uid=989,gid=989,fmask=0177,dmask=0077,flush,errors=remount-ro 0 0';
  assert.ok(driveMountedAt([...base, autofs, vfat].join('\n'), '/media/rackcast-usb'));
  assert.ok(driveMountedAt([...base, autofs].join('\n'), '/media/rackcast-usb'), 'the automount alone would mount it again');
  assert.not.ok(driveMountedAt(base.join('\n'), '/media/rackcast-usb'), 'after the eject');
  assert.not.ok(driveMountedAt([...base, vfat].join('\n'), '/media/other'));
});

test('not a removable drive: 409, nothing happens', async () => {
  const r = await t.api('POST', '/api/storage/eject', {});
  assert.is(r.status, 409);
  assert.match(r.body.error, /not a removable drive/);
});

test('the recording is finished, the drive unmounted by the helper, "safe to remove"; the recorder waits for the next drive', async () => {
  const put = await t.api('PUT', '/api/recording', { recordings_dir: drive, recordings_removable: true });
  assert.is(put.status, 200, JSON.stringify(put.body));
  assert.is(put.body.storage.present, true);
  const created = await t.api('POST', '/api/encoders', { name: 'Logger', codec: 'wav', output_type: 'file', file_output_path: 'logger', file_rotation: 'none' });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as number;
  assert.is((await t.api('POST', `/api/encoders/${id}/start`)).status, 200);
  await waitFor(async () => ((await t.api('GET', `/api/encoders/${id}/recording`)).body.recorded_secs ?? 0) >= 2, { timeoutMs: 30_000, intervalMs: 200, what: '2 s recorded' });

  // The helper: what rackcast-usb-eject.service does as root, with a look at the file first.
  const request = join(t.dataDir, 'usb-eject.request');
  const helperSaw: { seen: { content: string; riffOk: boolean; bytes: number } | null } = { seen: null };
  const helper = (async () => {
    await waitFor(() => existsSync(request), { timeoutMs: 20_000, intervalMs: 20, what: 'the eject request' });
    const [wav] = wavs(join(drive, 'logger'));
    const data = readFileSync(wav!);
    helperSaw.seen = { content: readFileSync(request, 'utf8'), riffOk: data.readUInt32LE(4) === data.length - 8, bytes: data.length };
    assert.is(spawnSync('umount', [drive]).status, 0, 'umount');
    rmSync(request);
  })();
  const r = await t.api('POST', '/api/storage/eject', {});
  await helper;
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.message, 'safe to remove');
  assert.is(r.body.recordings_finished, 1);
  const seen = helperSaw.seen;
  assert.ok(seen, 'the helper ran');
  assert.is(seen.content, `${drive}\n`);
  assert.ok(seen.riffOk, 'the WAV was finished (its RIFF size is the file size) before the unmount');
  assert.ok(seen.bytes > 2 * 48000 * 4, `${seen.bytes} bytes`);
  assert.not.ok(mounted());
  await waitFor(async () => (await t.api('GET', `/api/encoders/${id}/recording`)).body.state === 'storage_missing', { timeoutMs: 10_000, intervalMs: 100, what: 'storage_missing' });
  assert.ok((await t.api('GET', '/api/log')).body.some((e: { kind: string }) => e.kind === 'storage_ejected'));

  // The next drive: recording goes on there by itself.
  mount();
  await waitFor(async () => (await t.api('GET', `/api/encoders/${id}/recording`)).body.state === 'recording', { timeoutMs: 30_000, intervalMs: 200, what: 'recording on the new drive' });
  await waitFor(() => wavs(join(drive, 'logger')).some((f) => statSync(f).size > 44), { timeoutMs: 15_000, intervalMs: 200, what: 'a WAV on the new drive' });
});

test('without the helper, the drive stays mounted: 503, not safe, the request withdrawn, recording goes on', async () => {
  const started = Date.now();
  const r = await t.api('POST', '/api/storage/eject', {});
  assert.is(r.status, 503);
  assert.match(r.body.error, /not safe to remove/);
  assert.ok(Date.now() - started >= 19_000, 'waited for the unmount');
  assert.ok(mounted());
  assert.not.ok(existsSync(join(t.dataDir, 'usb-eject.request')));
  const id = (await t.api('GET', '/api/encoders')).body.find((e: { name: string }) => e.name === 'Logger').id;
  await waitFor(async () => (await t.api('GET', `/api/encoders/${id}/recording`)).body.state === 'recording', { timeoutMs: 15_000, intervalMs: 200, what: 'recording again' });
  await sleep(10);
});

test.run();
