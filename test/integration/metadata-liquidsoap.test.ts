// The title acceptance tests (criterion 3, the Ogg chain, re-sent after a reconnect) on the Liquidsoap
// backend: Liquidsoap sends the titles itself, from the engine's server-socket command.
import { metadataAcceptance } from './metadata-acceptance.js';

metadataAcceptance('liquidsoap');
