// The codec process's stdin, as both backends feed it: PCM goes in until the pipe pushes back, and
// the runner is told when it drains. A process that is gone (or being replaced) takes nothing.
import type { Writable } from 'node:stream';

export class PcmInput {
  private stdin: Writable | null = null;
  private blocked = false;

  /** A new process's stdin; `onDrain` runs whenever it can take PCM again. */
  attach(stdin: Writable, onDrain: () => void): void {
    this.stdin = stdin;
    this.blocked = false;
    stdin.on('drain', () => {
      if (this.stdin !== stdin) return;
      this.blocked = false;
      onDrain();
    });
  }

  /** Nothing more goes to the current process. */
  detach(): void {
    this.stdin = null;
  }

  get writable(): boolean {
    return this.stdin !== null && !this.blocked;
  }

  /** False when there is no process or its pipe pushes back (the chunk was taken all the same if there is one). */
  write(chunk: Buffer): boolean {
    if (!this.stdin) return false;
    if (this.stdin.write(chunk)) return true;
    this.blocked = true;
    return false;
  }
}
