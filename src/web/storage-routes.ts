// POST /api/storage/eject: the safe removal of the USB recordings drive. The engine finishes every file
// it is recording, has the drive's filesystem synced, and asks the box to unmount it; the unmount itself
// is done as root by rackcast-usb-eject.service (started by rackcast-usb-eject.path when the request file
// appears in the data directory), because the engine runs with no privileges at all. Once the mount is
// gone the recordings are started again: they wait for a drive ("Storage missing") and go on, in new
// files, on the next one plugged in.
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Router } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { parseMounts } from '../engine/recording/storage.js';

/** The file rackcast-usb-eject.path watches for, in the data directory. */
export const EJECT_REQUEST_FILE = 'usb-eject.request';
export const EJECT_TIMEOUT_MS = 20_000;

export interface EjectDeps {
  readMounts?: () => Promise<string>;
  /** Flushes the filesystem holding `dir` (syncfs(2) through coreutils' `sync -f`). */
  syncFilesystem?: (dir: string) => Promise<void>;
  timeoutMs?: number;
  pollMs?: number;
}

function syncFilesystem(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sync', ['-f', dir], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sync -f exited with ${code}`))));
  });
}

/**
 * Is a drive mounted exactly at `dir`: the drive itself, or the automount that would bring it back? A
 * mount there of the root filesystem's own device does not count: it is the engine unit's
 * ReadWritePaths= bind mount of the empty directory, which stays in the engine's namespace.
 */
export function driveMountedAt(mountsText: string, dir: string): boolean {
  const mounts = parseMounts(mountsText);
  const systemDevices = new Set(mounts.filter((m) => m.mountPoint === '/').map((m) => m.device));
  return mounts.some((m) => m.mountPoint === dir && !systemDevices.has(m.device));
}

export function storageRoutes(engine: Engine, deps: EjectDeps = {}): Router {
  const r = Router();
  const readMounts = deps.readMounts ?? (() => readFile('/proc/mounts', 'utf8'));
  const sync = deps.syncFilesystem ?? syncFilesystem;
  r.post('/storage/eject', async (_req, res) => {
    const settings = engine.recordings.settings();
    const dir = settings.recordings_dir;
    if (!settings.recordings_removable) throw new EngineError('conflict', `the recordings directory ${dir} is not a removable drive`);
    const storage = await engine.recordings.probe();
    if (!storage.present || !driveMountedAt(await readMounts(), dir)) throw new EngineError('conflict', `no drive is mounted at ${dir}`);

    const recording = engine.recordings.activeIds();
    for (const id of recording) await engine.recordings.stopRecording(id);
    const request = join(dirname(engine.db.name), EJECT_REQUEST_FILE);
    let unmounted = false;
    try {
      await sync(dir);
      await writeFile(request, `${dir}\n`, { mode: 0o600 });
      const deadline = Date.now() + (deps.timeoutMs ?? EJECT_TIMEOUT_MS);
      while (Date.now() < deadline) {
        if (!driveMountedAt(await readMounts(), dir)) {
          unmounted = true;
          break;
        }
        await new Promise((done) => setTimeout(done, deps.pollMs ?? 200));
      }
    } finally {
      if (!unmounted) await rm(request, { force: true });
      for (const id of recording) engine.recordings.startRecording(engine.getEncoder(id));
    }
    if (!unmounted) {
      engine.eventLog.add({ level: 'error', kind: 'storage_eject_failed', message: `The drive at ${dir} was not unmounted; it is not safe to remove` });
      res.status(503).json({ error: `the drive at ${dir} was not unmounted (is rackcast-usb-eject.path running?); it is not safe to remove`, field: '' });
      return;
    }
    engine.eventLog.add({ level: 'info', kind: 'storage_ejected', message: `The drive at ${dir} was unmounted: safe to remove` });
    res.json({ ejected: true, message: 'safe to remove', recordings_dir: dir, recordings_finished: recording.length });
  });
  return r;
}
