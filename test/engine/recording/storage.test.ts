// The recordings directory's storage: /proc/mounts parsing, the mount under a path, and the probe on
// real directories (a removable directory on the system disk counts as missing).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFat, mountFor, parseMounts, probeStorage } from '../../../src/engine/recording/storage.js';
import { removeOnExit } from '../../harness/util.js';

const MOUNTS = [
  '/dev/mmcblk0p2 / ext4 rw,noatime 0 0',
  'tmpfs /tmp tmpfs rw 0 0',
  '/dev/sda1 /media/usb\\040stick vfat rw,relatime 0 0',
  '/dev/sdb1 /media/usb\\040stick/inner exfat rw 0 0',
].join('\n');

test('mounts: octal escapes, longest mount point wins, no false prefix match', () => {
  const mounts = parseMounts(MOUNTS);
  assert.is(mounts[2]!.mountPoint, '/media/usb stick');
  assert.is(mountFor('/media/usb stick/rec/a.wav', mounts)?.fsType, 'vfat');
  assert.is(mountFor('/media/usb stick/inner/x', mounts)?.fsType, 'exfat');
  assert.is(mountFor('/media/usb stickers', mounts)?.mountPoint, '/');
  assert.is(mountFor('/tmp', mounts)?.fsType, 'tmpfs');
  assert.ok(isFat('vfat') && isFat('msdos') && !isFat('exfat') && !isFat(null));
});

test('a fixed directory: present, with its filesystem and free space, even before it exists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-storage-'));
  removeOnExit(dir);
  const s = await probeStorage({ dir: join(dir, 'not-yet'), removable: false, systemDirs: ['/'] });
  assert.is(s.present, true, JSON.stringify(s));
  assert.ok(s.free_bytes! > 0 && s.total_bytes! >= s.free_bytes!);
  assert.ok(s.free_percent! >= 0 && s.free_percent! <= 100);
  assert.ok(s.fs_type, 'the filesystem type comes from /proc/mounts');
  writeFileSync(join(dir, 'file'), 'x');
  const notDir = await probeStorage({ dir: join(dir, 'file', 'sub'), removable: false, systemDirs: ['/'] });
  assert.is(notDir.present, false);
  assert.match(notDir.problem ?? '', /not a directory/);
});

test('removable: a directory on the system disk (drive not mounted) is missing, and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-storage-'));
  removeOnExit(dir);
  mkdirSync(join(dir, 'usb'));
  const s = await probeStorage({ dir: join(dir, 'usb'), removable: true, systemDirs: ['/', dir] });
  assert.is(s.present, false);
  assert.is(s.problem, `no drive mounted at ${join(dir, 'usb')}`);
  assert.is(s.free_bytes, null);
});

test.run();
