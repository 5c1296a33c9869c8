// Node flags (and the environment) the engine process runs with. The engine allocates a little every chunk, so V8 grows
// its young generation to 16 MB of resident memory that a Pi can use better; 1 MB semi-spaces cost
// no measurable CPU (scripts/bench). --single-threaded-gc: the engine's heaps are small, and V8's four
// helper threads cost more in hand-offs than they save (scripts/bench --peers: Node 2.15 -> 1.95 % of a
// core, no change in memory; --lite-mode was tried too: 4 MB less, twice the CPU). Repeated in
// systemd/rackcast-engine.service and package.json "start", which cannot import this file.
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--single-threaded-gc'];

/**
 * The environment the engine process starts with, beside its flags. glibc raises its mmap threshold to
 * the largest block freed so far, so the 16 MB that each password check's scrypt takes on the thread
 * pool stays resident, zero-filled, for the life of the process after the first logins. A fixed threshold
 * (1 MB: above every buffer the audio path allocates, its largest being 64 KB pipe reads) hands such a
 * block back to the kernel when it is freed (scripts/bench --peers: Node 80.5 -> 63.5 MB PSS streaming,
 * CPU unchanged). glibc reads it at start, so it cannot be set from inside; repeated in the unit and
 * package.json "start" with the flags.
 */
export const ENGINE_ENV: Readonly<Record<string, string>> = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1048576' };
