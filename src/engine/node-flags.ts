// Node flags the engine process runs with. The engine allocates a little every chunk, so V8 grows
// its young generation to 16 MB of resident memory that a Pi can use better; 1 MB semi-spaces cost
// no measurable CPU (scripts/bench). Repeated in systemd/rackcast-engine.service and package.json
// "start", which cannot import this file.
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
