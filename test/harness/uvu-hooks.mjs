// Preloaded by scripts/run-tests.mjs into every test process (`node --import`). It makes each test
// file report what really happened, independently of uvu's own summary, which cannot be trusted alone:
// uvu 0.5 swallows an error thrown by a before/after hook (the file reports "0 / N" and exits 0), resets
// the exit code in a `finally`, and mixes skipped and `.only` tests into its totals.
//
// A test file's `import { test } from 'uvu'` binding cannot be swapped after the fact, so a resolve hook
// hands test files test/harness/uvu-reporting.mjs instead of uvu: the same API, with every registered,
// started, passed, failed and skipped test and every failed hook appended as a JSON line to the file
// named by RACKCAST_TEST_REPORT.
import { register } from 'node:module';

register(new URL('./uvu-resolve.mjs', import.meta.url));
