// Type-checks the page's .svelte components (tsc sees only .ts files) with the project's strict settings,
// and fails on Svelte's accessibility and correctness warnings too. About 5 s.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('svelte-check: no errors, no warnings', async () => {
  const bin = join(process.cwd(), 'node_modules/.bin/svelte-check');
  const args = ['--tsconfig', './tsconfig.json', '--workspace', 'src/web/page', '--output', 'machine', '--fail-on-warnings'];
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(bin, args, { cwd: process.cwd(), maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
  const problems = output.split('\n').filter((l) => / (ERROR|WARNING) /.test(l));
  assert.equal(problems, []);
  assert.match(output, /COMPLETED \d+ FILES 0 ERRORS 0 WARNINGS/);
  assert.is(code, 0);
});

test.run();
