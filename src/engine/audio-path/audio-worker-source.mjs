// The audio worker's entry when the engine runs from its TypeScript sources (tests, tsx): Node 20 does
// not carry the TypeScript loader into worker threads, so it is registered here first. The built engine
// starts dist/engine/audio-path/audio-worker.js directly and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./audio-worker.ts');
