// Entry point of the audio worker thread: an AudioCore wired to the control thread's port.
import { parentPort, workerData } from 'node:worker_threads';
import { AudioCore } from './audio-core.js';
import type { AudioCommand, AudioWorkerInit } from './protocol.js';

if (!parentPort) throw new Error('audio-worker.ts runs as a worker thread (see audio-path.ts)');
const port = parentPort;
const core = new AudioCore(workerData as AudioWorkerInit, (report, transfer) => port.postMessage(report, transfer ?? []));
port.on('message', (cmd: AudioCommand) => {
  core.handle(cmd).catch((err: unknown) => {
    // A command that fails must not take the audio down; the control thread logs what it is told.
    console.error('audio worker: %s failed:', cmd.type, err);
  });
});
