// test-timeout: 240
// The stream acceptance tests (criteria 1, 6, 7, crash, retries, words) on the Liquidsoap backend,
// with an ffmpeg encoder on the same engine that must never notice.
import { streamAcceptance } from './stream-acceptance.js';

streamAcceptance('liquidsoap');
