import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Supervisor, restartDelayMs, type ExitInfo } from '../../src/engine/supervisor.js';

const backoff = { initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 };

test('back-off doubles and is capped', () => {
  assert.equal([0, 1, 2, 3, 4, 5, 30].map((n) => restartDelayMs(n, backoff)), [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('a crashed child is restarted; stop ends it for good', async () => {
  const exits: ExitInfo[] = [];
  let spawns = 0;
  const sup = new Supervisor({
    name: 'sleep',
    command: () => 'sleep',
    argv: () => ['30'],
    backoff: { initialMs: 50, maxMs: 100, resetAfterMs: 30_000 },
    onSpawn: () => spawns++,
    onExit: (info) => exits.push(info),
  });
  sup.start();
  await new Promise((r) => setTimeout(r, 100));
  sup.kill();
  await new Promise((r) => setTimeout(r, 300));
  assert.is(spawns, 2);
  assert.is(exits[0]!.signal, 'SIGKILL');
  assert.is(exits[0]!.restartInMs, 50);
  assert.ok(sup.running);
  await sup.stop();
  assert.not.ok(sup.running);
  assert.is(exits.at(-1)!.restartInMs, null);
  await new Promise((r) => setTimeout(r, 200));
  assert.is(spawns, 2);
});

test('cycle(): the child finishes its input and a new one starts at once with a fresh argv, not counted as a crash', async () => {
  const exits: ExitInfo[] = [];
  const outputs: string[] = [];
  let run = 0;
  const sup = new Supervisor({
    name: 'cat',
    command: () => 'sh',
    // Prints its argument after stdin closes: proof that the child saw EOF and finished cleanly.
    argv: () => ['-c', 'cat >/dev/null; echo "done $0"', `run${++run}`],
    backoff: { initialMs: 5000, maxMs: 5000, resetAfterMs: 30_000 },
    onSpawn: (child) => child.stdout.on('data', (d: Buffer) => outputs.push(d.toString().trim())),
    onExit: (info) => exits.push(info),
  });
  sup.start();
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await sup.cycle();
  assert.equal(outputs, ['done run1']);
  assert.equal([exits[0]!.code, exits[0]!.planned, exits[0]!.restartInMs], [0, true, 0]);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(sup.running, 'a new child runs');
  assert.is(run, 2, 'with a fresh argv');
  assert.ok(Date.now() - started < 1000, 'no crash back-off');
  assert.is(sup.restarts, 0);
  await sup.stop();
  assert.equal([exits[1]!.planned, exits[1]!.restartInMs], [false, null], 'stop() is not a cycle');
});

test('a missing binary is reported in plain words and retried', async () => {
  const exits: ExitInfo[] = [];
  const sup = new Supervisor({
    name: 'missing',
    command: () => '/nonexistent/ffmpeg',
    argv: () => [],
    backoff: { initialMs: 20, maxMs: 20, resetAfterMs: 30_000 },
    onSpawn: () => {},
    onExit: (info) => exits.push(info),
  });
  sup.start();
  await new Promise((r) => setTimeout(r, 150));
  await sup.stop();
  assert.ok(exits.length >= 2);
  assert.is(exits[0]!.spawnError, '/nonexistent/ffmpeg is not installed (not found on PATH)');
});

test('stderr tail is kept for the operator', async () => {
  let info = null as ExitInfo | null;
  const sup = new Supervisor({
    name: 'ls',
    command: () => 'ls',
    argv: () => ['/nonexistent-dir'],
    backoff,
    onSpawn: () => {},
    onExit: (i) => (info = i),
  });
  sup.start();
  await new Promise((r) => setTimeout(r, 200));
  await sup.stop();
  assert.ok(info);
  assert.match(info!.stderrTail, /nonexistent-dir/);
  assert.is(info!.code, 2);
});

test.run();
