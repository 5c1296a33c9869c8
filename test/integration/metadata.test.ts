// The title acceptance tests (criterion 3, the Ogg chain, re-sent after a reconnect) on the ffmpeg backend.
import { metadataAcceptance } from './metadata-acceptance.js';

metadataAcceptance('ffmpeg');
