// The ffmpeg backend's polled output pipe (src/engine/stream/ffmpeg/polled-output.ts), with real children:
// a read before anything is written takes nothing and does not wait; what a child wrote comes out whole,
// across several reads, in order; the end of the pipe closes it; the FIFO's name never outlives open();
// a directory where no FIFO can be made is an error that leaves nothing open. And through the Supervisor:
// the write end becomes the child's stdout, and a pipe that cannot be made is a start failure, retried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolledOutput } from '../../../../src/engine/stream/ffmpeg/polled-output.js';
import { Supervisor, type ExitInfo } from '../../../../src/engine/supervisor.js';
import { exited, removeOnExit, waitFor } from '../../../harness/util.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-polled-'));
removeOnExit(dir);
/** This process's descriptors on one of the pipes (a FIFO opened by name and unlinked reads "…/ffmpeg-out-… (deleted)"). */
const pipeFds = (): string[] =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes('/ffmpeg-out-') ? [target] : [];
    } catch {
      return [];
    }
  });

/** A child that writes `bytes` bytes (a counting pattern) to its stdout in `parts` writes, 20 ms apart. */
function writer(stdout: number, bytes: number, parts: number) {
  const script = `const n=${bytes},p=${parts};const b=Buffer.alloc(n,0);for(let i=0;i<n;i++)b[i]=i%251;let i=0;const step=()=>{const s=Math.ceil(n/p);require('fs').writeSync(1,b.subarray(i*s,Math.min(n,(i+1)*s)));if(++i<p)setTimeout(step,20)};step();`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', stdout, 'inherit'] });
}

test('a read without data returns at once; a child\'s bytes come out whole and in order; its end closes the pipe', async () => {
  const out = new PolledOutput(join(dir, 'run'));
  const write = out.open();
  assert.is(statSync(join(dir, 'run')).mode & 0o777, 0o700, 'the run directory is made, private');
  assert.equal(readdirSync(join(dir, 'run')), [], 'the FIFO is unlinked as soon as both ends are open');
  assert.is(pipeFds().length, 2, 'both ends open here until the child has its copy');
  const got: Buffer[] = [];
  out.drain((d) => got.push(d));
  assert.is(got.length, 0, 'nothing written yet, and drain did not wait');
  const child = writer(write, 200_000, 8);
  closeSync(write);
  let gone = false;
  void exited(child).then(() => (gone = true));
  while (!gone) {
    out.drain((d) => got.push(d));
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(out.isOpen);
  out.drainToEnd((d) => got.push(d));
  assert.not.ok(out.isOpen);
  const all = Buffer.concat(got);
  assert.is(all.length, 200_000);
  for (let i = 0; i < all.length; i++) if (all[i] !== i % 251) assert.unreachable(`byte ${i} is ${all[i]}`);
  assert.ok(got.length >= 4, `read in several pieces as it was written (${got.length})`);
  assert.equal(pipeFds(), [], 'the end of the pipe closed the read end');
});

test('a directory where no FIFO can be made: an error naming the path, nothing left open', () => {
  // Under a regular file: neither the directory nor the FIFO can be made.
  writeFileSync(join(dir, 'a-file'), '');
  const out = new PolledOutput(join(dir, 'a-file', 'run'));
  assert.throws(() => out.open(), /a-file/);
  assert.equal(pipeFds(), []);
  out.drain(() => assert.unreachable('no pipe, no data'));
});

test('through the Supervisor: the write end is the child\'s stdout, and a pipe that cannot be made is retried as a failed start', async () => {
  const out = new PolledOutput(dir);
  const exits: ExitInfo[] = [];
  let fail = true;
  const got: Buffer[] = [];
  const sup = new Supervisor({
    name: 'echo',
    command: () => process.execPath,
    argv: () => ['-e', 'process.stdout.write("on air")'],
    backoff: { initialMs: 50, maxMs: 50, resetAfterMs: 30_000 },
    stdout: () => {
      if (fail) {
        fail = false;
        throw new Error('no pipe today');
      }
      return out.open();
    },
    onSpawn: (child) => assert.is(child.stdout, null, 'no pipe of its own to this process'),
    onExit: (info) => {
      out.drainToEnd((d) => got.push(d));
      exits.push(info);
    },
  });
  sup.start();
  await waitFor(() => exits.length >= 2, { timeoutMs: 5000, what: 'two exits' });
  await sup.stop();
  assert.is(exits[0]!.spawnError, 'could not prepare its output: no pipe today');
  assert.is(exits[0]!.restartInMs, 50);
  assert.is(sup.restarts >= 1, true);
  assert.is(exits[1]!.code, 0);
  assert.is(Buffer.concat(got).toString(), 'on air');
  assert.equal(readdirSync(dir).filter((n) => n.startsWith('ffmpeg-out-')), []);
});

test.run();
