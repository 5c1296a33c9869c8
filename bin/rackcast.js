#!/usr/bin/env node
// Entry point: `rackcast engine [flags]`. Runs the built JavaScript in dist/.
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
