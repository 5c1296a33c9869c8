// Preloaded with `node --import` by scripts/bench --peers (its start-up run only, never a measured one):
// lists every module each thread loads, ES and CommonJS, into RACKCAST_BENCH_MODULES.<threadId> (0: the main
// thread; the audio worker runs this preload too), rewritten half a second after the last new one. The hooks run on a thread of their own and post
// each URL here.
import { register } from 'node:module';
import { MessageChannel, threadId } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import Module from 'node:module';

const out = `${process.env.RACKCAST_BENCH_MODULES}.${threadId}`;
const seen = new Set();
let timer = null;
const note = (url) => {
  if (seen.has(url)) return;
  seen.add(url);
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => writeFileSync(out, [...seen].join('\n') + '\n'), 500);
  timer.unref();
};
const { port1, port2 } = new MessageChannel();
port1.on('message', note);
port1.unref();
register('./module-count-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
// CommonJS packages (express, better-sqlite3) load their files through require, which the ES hooks miss.
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exports = load.apply(this, arguments);
  try {
    note('file://' + Module._resolveFilename(request, parent, isMain));
  } catch {
    note(request);
  }
  return exports;
};
