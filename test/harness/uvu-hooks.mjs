// Preloaded by scripts/run-tests.mjs into every test process. uvu 0.5 swallows an error thrown
// by a before/after hook: the file reports "0 / N" with no reason and exits 0. Wrapping the hooks
// prints the error, so a server that failed to start says why in CI's log.
import { test } from 'uvu';

function loud(register, name) {
  const wrapped = (fn) =>
    register(async (...args) => {
      try {
        return await fn(...args);
      } catch (err) {
        console.error(`\n  ${name} hook failed:`, err);
        process.exitCode = 1;
        throw err;
      }
    });
  return wrapped;
}

for (const name of ['before', 'after']) {
  const original = test[name];
  const each = original.each;
  test[name] = loud(original, name);
  test[name].each = loud(each, `${name}.each`);
}
