// Helpers for the recording integration tests: an SSE listener on the engine's /api/events, rotation
// chains, and the real-filesystem fixtures (a small tmpfs we mount and unmount; the tests run as root).
import { readSse } from '../../harness/sse.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, type TestEngine } from '../../harness/engine.js';
import type { RotationEvent } from '../../../src/engine/recording/recording-types.js';

export interface SseEvent {
  event: string;
  data: unknown;
}

export interface SseListener {
  events: SseEvent[];
  close(): void;
}

/** Collects every Server-Sent Event the engine sends until close(). */
export async function listen(t: TestEngine): Promise<SseListener> {
  const controller = new AbortController();
  const auth = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
  const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: auth }, signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`GET /api/events: ${res.status}`);
  const events: SseEvent[] = [];
  readSse(res.body, (e) => events.push({ event: e.event, data: JSON.parse(e.data) as unknown }));
  return { events, close: () => controller.abort() };
}

/** The rotation events for one encoder, from an SSE listener. */
export function rotationsOf(listener: SseListener, encoderId: number): RotationEvent[] {
  return listener.events.filter((e) => e.event === 'recording_rotation').map((e) => e.data as RotationEvent).filter((r) => r.encoderId === encoderId);
}

/** The files of one recording in the order they were written, from its rotation chain. */
export function chain(rotations: RotationEvent[], lastFile: string): string[] {
  if (rotations.length === 0) return [lastFile];
  const files = [rotations[0]!.closedFile];
  for (const r of rotations) {
    if (r.closedFile !== files[files.length - 1]) throw new Error(`rotation chain broken at ${r.closedFile}`);
    files.push(r.newFile);
  }
  return files;
}

export interface Tmpfs {
  /** The mount point (an empty directory until mount()). */
  path: string;
  mount(): void;
  /** Lazy unmount: works with files open on it, like a pulled stick. */
  unmount(): void;
}

/** A small tmpfs of `sizeKb` at a fresh mount point; unmounted when the test process exits. */
export function makeTmpfs(sizeKb: number): Tmpfs {
  const base = mkdtempSync('/tmp/rackcast-usb-');
  const path = join(base, 'usb');
  mkdirSync(path);
  let mounted = false;
  const unmount = (): void => {
    if (!mounted) return;
    execFileSync('umount', ['-l', path]);
    mounted = false;
  };
  // Not removeOnExit: the directory must be unmounted before it is removed.
  process.on('exit', () => {
    try {
      unmount();
      rmSync(base, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  });
  return {
    path,
    mount() {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', path]);
      mounted = true;
    },
    unmount,
  };
}
