// Node flags the engine process runs with. The engine allocates a little every chunk, so V8 grows
// its young generation to 16 MB of resident memory that a Pi can use better; 1 MB semi-spaces cost
// no measurable CPU (scripts/bench). --single-threaded-gc: the engine's heaps are small, and V8's four
// helper threads cost more in hand-offs than they save (scripts/bench --peers: Node 2.15 -> 1.95 % of a
// core, no change in memory; --lite-mode was tried too: 4 MB less, twice the CPU). Repeated in
// systemd/rackcast-engine.service and package.json "start", which cannot import this file.
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--single-threaded-gc'];
