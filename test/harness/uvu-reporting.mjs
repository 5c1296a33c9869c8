// uvu's `test` and `suite`, reporting to scripts/run-tests.mjs. Each event is one JSON line appended
// synchronously to RACKCAST_TEST_REPORT, so a file that is killed or exits early still leaves the record
// of what ran. Without that variable the wrapper only prints hook errors, which uvu alone would swallow.
import { appendFileSync } from 'node:fs';
import * as uvu from 'uvu';

const reportFile = process.env.RACKCAST_TEST_REPORT;

function record(kind, suiteName, name, extra = {}) {
  if (!reportFile) return;
  appendFileSync(reportFile, JSON.stringify({ kind, suite: suiteName, name, ...extra }) + '\n');
}

function errorText(err) {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function wrapHook(register, suiteName, hookName) {
  return (fn) =>
    register(async (...args) => {
      try {
        return await fn(...args);
      } catch (err) {
        console.error(`\n  ${hookName} hook failed:`, err);
        record('hook_failed', suiteName, hookName, { error: errorText(err) });
        process.exitCode = 1;
        throw err;
      }
    });
}

function wrapTest(register, suiteName, via) {
  return (name, handler) => {
    record('registered', suiteName, name, { via });
    return register(name, async (...args) => {
      record('started', suiteName, name);
      try {
        const result = await handler(...args);
        record('passed', suiteName, name);
        return result;
      } catch (err) {
        record('failed', suiteName, name, { error: errorText(err) });
        throw err;
      }
    });
  };
}

function wrapSuite(original, suiteName) {
  const wrapped = wrapTest(original, suiteName, 'test');
  for (const hookName of ['before', 'after']) {
    wrapped[hookName] = wrapHook(original[hookName], suiteName, hookName);
    wrapped[hookName].each = wrapHook(original[hookName].each, suiteName, `${hookName}.each`);
  }
  wrapped.only = wrapTest(original.only, suiteName, 'only');
  wrapped.skip = (name, ...rest) => {
    record('skipped', suiteName, name);
    return original.skip(name, ...rest);
  };
  wrapped.run = () => {
    record('run', suiteName, '');
    return original.run();
  };
  return wrapped;
}

export const test = wrapSuite(uvu.test, '');
export const suite = (name = '', state = {}) => wrapSuite(uvu.suite(name, state), name);
export const exec = uvu.exec;

process.on('exit', (code) => record('exit', '', '', { code: process.exitCode ?? code }));
