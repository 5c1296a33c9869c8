// The test runner itself: a run fails when any file fails, any test fails, a file runs no test, a hook
// fails, a `.only` is left behind or a file exceeds its time limit; skips are listed by name and never
// cancel a failure. Each case runs the real runner on fixture files written to test-output/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judge, timeoutSecsFor } from '../../scripts/run-tests.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixturesRoot = join(repoRoot, 'test-output', 'runner-fixtures');
rmSync(fixturesRoot, { recursive: true, force: true });
test.after(() => rmSync(fixturesRoot, { recursive: true, force: true }));

const header = "import { test } from 'uvu';\nimport * as assert from 'uvu/assert';\n";

/** Writes the fixture files into a fresh directory and runs the runner on it. */
async function runRunner(caseName: string, files: Record<string, string>, extraArgs: string[] = []) {
  const dir = join(fixturesRoot, caseName);
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const t0 = Date.now();
  const child = spawn(process.execPath, ['scripts/run-tests.mjs', '--no-setup', '--root', dir, ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RACKCAST_TEST_REPORT: '' },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const closing = output.trim().split('\n').pop() ?? '';
  return { code, output, closing, secs: (Date.now() - t0) / 1000 };
}

test('skips never cancel a real failure: the measured case exits non-zero and names the skipped tests', async () => {
  const r = await runRunner('skips-and-failure', {
    'a-skips.test.ts': `${header}test.skip('later, maybe', () => {});\ntest.skip('also later', () => {});\ntest('passes', () => { assert.ok(true); });\ntest.run();\n`,
    'b-fails.test.ts': `${header}test('really fails', () => { assert.is(1, 2); });\ntest.run();\n`,
  });
  assert.is(r.code, 1, r.output);
  assert.is(r.closing, '1 passed, 1 failed, 2 skipped', r.output);
  assert.match(r.output, 'a-skips.test.ts: later, maybe');
  assert.match(r.output, 'a-skips.test.ts: also later');
  assert.match(r.output, 'test failed: really fails');
});

test('a clean run exits 0 and counts every test', async () => {
  const r = await runRunner('clean', {
    'one.test.ts': `${header}test('a', () => {});\ntest('b', async () => { await new Promise((r) => setTimeout(r, 10)); });\ntest.run();\n`,
    'two.test.ts': `${header}test('c', () => { assert.equal([1], [1]); });\ntest.run();\n`,
  });
  assert.is(r.code, 0, r.output);
  assert.is(r.closing, '3 passed, 0 failed', r.output);
});

test('a file that declares no test fails the run', async () => {
  const r = await runRunner('no-tests', {
    'empty.test.ts': `${header}test.run();\n`,
    'fine.test.ts': `${header}test('fine', () => {});\ntest.run();\n`,
  });
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'declares no test');
  assert.is(r.closing, '1 passed, 1 failed', r.output);
});

test('a file whose every test is skipped fails the run', async () => {
  const r = await runRunner('all-skipped', { 'skipped.test.ts': `${header}test.skip('x', () => {});\ntest.run();\n` });
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'runs no test (all skipped)');
});

test('a failing before or after hook fails the run, with its error', async () => {
  const r = await runRunner('hooks', {
    'before.test.ts': `${header}test.before(() => { throw new Error('icecast did not start'); });\ntest('x', () => {});\ntest.run();\n`,
    'after.test.ts': `${header}test.after(() => { throw new Error('cleanup broke'); });\ntest('y', () => {});\ntest.run();\n`,
  });
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'before hook failed');
  assert.match(r.output, 'icecast did not start');
  assert.match(r.output, 'after hook failed');
  assert.match(r.output, 'cleanup broke');
  assert.match(r.closing, /^\d+ passed, [1-9]\d* failed$/);
});

test('a test.only left in a file fails the run (it hides the others)', async () => {
  const r = await runRunner('only', {
    'only.test.ts': `${header}test.only('focused', () => {});\ntest('hidden', () => { assert.is(1, 2); });\ntest.run();\n`,
  });
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'test.only left in the file: focused');
});

test('a hung file is killed at its own time limit, with whatever it spawned, and the run goes on', async () => {
  const r = await runRunner('hung', {
    'a-hangs.test.ts': `// test-timeout: 2\n${header}import { spawn } from 'node:child_process';\n` +
      `test('waits forever', async () => { spawn('sleep', ['1000'], { stdio: 'ignore' }); await new Promise(() => setInterval(() => {}, 1000)); });\ntest.run();\n`,
    'b-after.test.ts': `${header}test('still runs', () => {});\ntest.run();\n`,
  });
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'timed out after 2 s');
  assert.match(r.output, 'still running: waits forever');
  assert.match(r.output, 'ok    test-output/runner-fixtures/hung/b-after.test.ts');
  assert.ok(r.secs < 30, `the hung file was cut off (${r.secs} s)`);
  const sleeping = spawnSync('pgrep', ['-f', '^sleep 1000$'], { encoding: 'utf8' });
  assert.is(sleeping.stdout.trim(), '', 'the child the hung test spawned was killed with it');
});

test('the default limit applies to files without their own', async () => {
  const r = await runRunner('default-limit', {
    'slow.test.ts': `${header}test('slow', async () => { await new Promise((r) => setTimeout(r, 5000)); });\ntest.run();\n`,
  }, ['--timeout', '1']);
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'timed out after 1 s');
});

test('a file that exits early with code 0, or never calls test.run(), fails the run', async () => {
  const r = await runRunner('early-exit', {
    'exit0.test.ts': `${header}test('first', () => {});\ntest('second', () => { process.exit(0); });\ntest('third', () => {});\ntest.run();\n`,
    'norun.test.ts': `${header}test('never run', () => {});\n`,
  });
  assert.is(r.code, 1, r.output);
  assert.match(r.output, /exit0\.test\.ts[\s\S]*never ran: third/);
  assert.match(r.output, 'never calls test.run()');
  assert.is(r.closing, '1 passed, 3 failed', r.output);
});

test('no test files at all fails the run', async () => {
  const r = await runRunner('nothing', { 'README.md': 'no tests here\n' });
  assert.is(r.code, 1, r.output);
  assert.is(r.closing, '0 passed, 0 failed', r.output);
});

test('a file named on the command line that matches no test fails the run, even beside one that does', async () => {
  const r = await runRunner('unmatched', { 'real.test.ts': `${header}test('real', () => {});\ntest.run();\n` }, ['real.test.ts', 'moved-away.test.ts']);
  assert.is(r.code, 1, r.output);
  assert.match(r.output, 'run-tests: no test file matches "moved-away.test.ts"');
  const ok = await runRunner('matched', { 'real.test.ts': `${header}test('real', () => {});\ntest.run();\n` }, ['real.test.ts']);
  assert.is(ok.code, 0, ok.output);
  assert.is(ok.closing, '1 passed, 0 failed', ok.output);
});

test('judge: a non-zero exit with every test passed is still a failure', () => {
  const events = [
    { kind: 'registered', suite: '', name: 'a', via: 'test' },
    { kind: 'run', suite: '', name: '' },
    { kind: 'started', suite: '', name: 'a' },
    { kind: 'passed', suite: '', name: 'a' },
  ];
  assert.is(judge({ code: 0, signal: null, timedOut: false, timeoutSecs: 5, events }).ok, true);
  const crashed = judge({ code: 1, signal: null, timedOut: false, timeoutSecs: 5, events });
  assert.is(crashed.ok, false);
  assert.is(crashed.failed, 1);
  assert.equal(crashed.reasons, ['exited with code 1']);
});

test('timeoutSecsFor reads the per-file line near the top only', () => {
  assert.is(timeoutSecsFor('// test-timeout: 600\nimport x;', 120), 600);
  assert.is(timeoutSecsFor('// test-timeout: 90s\n', 120), 90);
  assert.is(timeoutSecsFor('import x;\n', 120), 120);
  assert.is(timeoutSecsFor('\n'.repeat(50) + '// test-timeout: 600\n', 120), 120);
});

test.run();
