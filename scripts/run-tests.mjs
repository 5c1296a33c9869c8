// Runs every test/**/*.test.ts in its own Node process (uvu style: one file, one process), prints each
// file's result and a closing "N passed, N failed" line, and exits 1 unless every file passed.
//
// A file passes only when all of these hold: it exited 0 within its time limit, uvu finished, it
// registered at least one test, every registered test started and passed, no hook failed and no
// `.only` was left in it. What ran is read from the per-test report that test/harness/uvu-hooks.mjs
// writes (see there why uvu's own summary cannot decide this). Skipped tests are listed by name.
//
// Usage: node scripts/run-tests.mjs [--root DIR] [--no-setup] [--timeout SECS] [path-substring...]
//   --root DIR     find test files under DIR instead of test/ (the runner's own tests use it)
//   --no-setup     skip `scripts/setup` (scripts/test has just run it); otherwise the build is made current
//                  first, because some tests (the demo) run dist/
//   --timeout S    default per-file limit in seconds (120); a file overrides it with a line
//                  `// test-timeout: 600` near its top
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const repoRoot = new URL('..', import.meta.url).pathname;
const hooksModule = new URL('../test/harness/uvu-hooks.mjs', import.meta.url).href;
const KILL_GRACE_MS = 5000;

function parseArgs(argv) {
  const opts = { root: join(repoRoot, 'test'), setup: true, timeoutSecs: 120, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') opts.root = resolve(argv[++i] ?? '');
    else if (arg === '--no-setup') opts.setup = false;
    else if (arg === '--timeout') {
      opts.timeoutSecs = Number(argv[++i]);
      if (!(opts.timeoutSecs > 0)) throw new Error('--timeout must be a positive number of seconds');
    } else opts.filters.push(arg);
  }
  return opts;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(full);
  }
  return out;
}

/** The file's own limit from `// test-timeout: N` in its first 40 lines, else the default. */
export function timeoutSecsFor(source, defaultSecs) {
  const head = source.split('\n').slice(0, 40).join('\n');
  const m = /^\/\/\s*test-timeout:\s*(\d+)\s*s?\s*$/m.exec(head);
  return m ? Number(m[1]) : defaultSecs;
}

function readReport(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return { kind: 'garbled', name: line };
      }
    });
}

const label = (e) => (e.suite ? `${e.suite} > ${e.name}` : e.name);

/** Decides a file's result from its exit and its report: pure, so the rules read in one place. */
export function judge({ code, signal, timedOut, timeoutSecs, events }) {
  const of = (kind) => events.filter((e) => e.kind === kind);
  const registered = of('registered');
  const started = of('started');
  const finished = new Set([...of('passed'), ...of('failed')].map(label));
  const failed = of('failed');
  const skipped = of('skipped').map(label);
  const reasons = [];
  if (timedOut) reasons.push(`timed out after ${timeoutSecs} s`);
  else if (signal) reasons.push(`killed by ${signal}`);
  else if (code !== 0) reasons.push(`exited with code ${code}`);
  for (const f of failed) reasons.push(`test failed: ${label(f)}`);
  for (const h of of('hook_failed')) reasons.push(`${h.name} hook failed${h.suite ? ` in ${h.suite}` : ''}`);
  for (const o of registered.filter((e) => e.via === 'only')) reasons.push(`test.only left in the file: ${label(o)}`);
  if (registered.length === 0 && skipped.length === 0) reasons.push('declares no test');
  else if (registered.length === 0) reasons.push('runs no test (all skipped)');
  if (!timedOut && registered.length > 0 && of('run').length === 0) reasons.push('never calls test.run()');
  if (!timedOut && of('run').length > 0 && started.length < registered.length) {
    const startedNames = new Set(started.map(label));
    const neverRan = registered.filter((e) => !startedNames.has(label(e))).map(label);
    reasons.push(`${registered.length - started.length} registered test(s) never ran` + (neverRan.length ? `: ${neverRan.join(', ')}` : ''));
  }
  if (timedOut) {
    const running = started.map(label).filter((n) => !finished.has(n));
    if (running.length) reasons.push(`still running: ${running.join(', ')}`);
  }
  const passed = of('passed').length;
  // A failing file counts at least one failure, so a crash or a hang can never add up to "0 failed".
  const failedCount = reasons.length === 0 ? 0 : Math.max(1, registered.length - passed);
  return { ok: reasons.length === 0, passed, failed: failedCount, skipped, reasons };
}

function runFile(file, timeoutSecs, reportDir, index) {
  const reportFile = join(reportDir, `${index}.jsonl`);
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', hooksModule, file], {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', RACKCAST_TEST_REPORT: reportFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout (or the end of the file) takes its servers down with it.
      detached: true,
    });
    current = child;
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const killGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }, timeoutSecs * 1000);
    child.on('exit', () => {
      clearTimeout(timer);
      // Anything the file left running (a server a failed test never stopped) would hold the pipes open.
      killGroup('SIGKILL');
    });
    child.on('close', (code, signal) => {
      current = null;
      done({ code, signal, timedOut, output, events: readReport(reportFile) });
    });
  });
}

let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current) {
      try {
        process.kill(-current.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    process.exit(130);
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.setup) {
    const setup = spawnSync('bash', [join(repoRoot, 'scripts/setup')], { stdio: 'inherit' });
    if (setup.status !== 0) {
      console.error('run-tests: scripts/setup failed');
      process.exit(1);
    }
  }
  const all = findTests(opts.root);
  // A name that matches nothing (a typo, a file since moved) would otherwise pass by running nothing for it.
  const unmatched = opts.filters.filter((p) => !all.some((f) => f.includes(p)));
  if (unmatched.length) {
    for (const p of unmatched) console.error(`run-tests: no test file matches "${p}"`);
    process.exit(1);
  }
  const files = all.filter((f) => opts.filters.length === 0 || opts.filters.some((p) => f.includes(p)));
  const reportDir = mkdtempSync(join(tmpdir(), 'rackcast-test-report-'));
  let passed = 0;
  let failed = 0;
  let failedFiles = 0;
  const skippedAll = [];
  const started = Date.now();
  for (const [index, file] of files.entries()) {
    const name = relative(repoRoot, file);
    const timeoutSecs = timeoutSecsFor(readFileSync(file, 'utf8'), opts.timeoutSecs);
    const t0 = Date.now();
    const run = await runFile(file, timeoutSecs, reportDir, index);
    const verdict = judge({ ...run, timeoutSecs });
    passed += verdict.passed;
    failed += verdict.failed;
    for (const s of verdict.skipped) skippedAll.push(`${name}: ${s}`);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const skipNote = verdict.skipped.length ? `, ${verdict.skipped.length} skipped` : '';
    if (verdict.ok) {
      console.log(`ok    ${name}  (${verdict.passed} passed${skipNote}, ${secs}s)`);
      for (const s of verdict.skipped) console.log(`      skipped: ${s}`);
    } else {
      failedFiles++;
      console.log(`FAIL  ${name}  (${secs}s)`);
      for (const r of verdict.reasons) console.log(`      - ${r}`);
      for (const s of verdict.skipped) console.log(`      skipped: ${s}`);
      console.log(run.output.split('\n').map((l) => '      | ' + l).join('\n'));
    }
  }
  rmSync(reportDir, { recursive: true, force: true });
  console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(0)}s` +
    (failedFiles ? `, ${failedFiles} failed` : ''));
  if (skippedAll.length) {
    console.log(`skipped tests (${skippedAll.length}):`);
    for (const s of skippedAll) console.log(`  ${s}`);
  }
  if (files.length === 0) console.log('no test files found');
  console.log(`${passed} passed, ${failed} failed` + (skippedAll.length ? `, ${skippedAll.length} skipped` : ''));
  process.exit(failedFiles > 0 || failed > 0 || files.length === 0 ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) await main();
