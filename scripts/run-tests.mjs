// Runs every test/**/*.test.ts in its own Node process (uvu style: one file, one process),
// prints each file's result and a closing "N passed, N failed" line; exits 1 on any failure.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);
const hooksModule = new URL('../test/harness/uvu-hooks.mjs', import.meta.url).href;

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', hooksModule, file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const failed = code === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
      resolve({ file, code, output, total, passed, skipped, failed });
    });
  });
}

const files = findTests(join(root, 'test')).filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
let passed = 0;
let failed = 0;
let skipped = 0;
const started = Date.now();
for (const file of files) {
  const t0 = Date.now();
  const r = await runFile(file);
  const name = relative(root, file);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.code === 0 && r.failed === 0) {
    console.log(`ok    ${name}  (${r.passed} passed, ${secs}s)`);
  } else {
    console.log(`FAIL  ${name}  (exit ${r.code}, ${secs}s)`);
    console.log(r.output.split('\n').map((l) => '      ' + l).join('\n'));
  }
}
console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(0)}s`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
