// test-timeout: 240
// The stream acceptance tests (criteria 1, 6, 7, crash, retries, words) on the ffmpeg backend.
import { streamAcceptance } from './stream-acceptance.js';

streamAcceptance('ffmpeg');
