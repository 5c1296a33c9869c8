// The recordings manager: repair at start of files a crash left open, the settings schema with errors
// that name the field, and the status of a file encoder as every client sees it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FanOut } from '../../../src/engine/audio/fanout.js';
import { openDatabase } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';
import { EventLog } from '../../../src/engine/db/event-log.js';
import { Recordings, RecordingSettingsError } from '../../../src/engine/recording/recordings.js';
import { wavHeader } from '../../../src/engine/recording/wav.js';
import { removeOnExit } from '../../harness/util.js';
import { fileEncoder, STEREO } from './helpers.js';

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-recordings-data-'));
  removeOnExit(dataDir);
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  const settings = new SettingsStore(db);
  const eventLog = new EventLog(db);
  const root = join(dataDir, 'recordings');
  const recordings = new Recordings({
    dataDir, fanout: new FanOut(STEREO), captureFormat: () => STEREO, db, settings, eventLog,
    onRotation: () => undefined, onStatus: () => undefined,
  });
  return { dataDir, db, settings, eventLog, root, recordings };
}

test('the default directory is below the data directory; settings errors name the field', async () => {
  const { dataDir, recordings } = setup();
  assert.equal(recordings.settings(), { recordings_dir: join(dataDir, 'recordings'), recordings_removable: false, retention_keep_days: 0, retention_min_free_percent: 0 });
  const fieldsOf = async (input: unknown): Promise<string[]> => {
    try {
      await recordings.updateSettings(input);
      return [];
    } catch (err) {
      assert.instance(err, RecordingSettingsError);
      return (err as RecordingSettingsError).errors.map((e) => e.field).sort();
    }
  };
  assert.equal(await fieldsOf({ recordings_dir: 'relative' }), ['recordings_dir']);
  assert.equal(await fieldsOf({ recordings_dir: '/media/../etc' }), ['recordings_dir']);
  assert.equal(await fieldsOf({ recordings_dir: '/media/usb\n' }), ['recordings_dir']);
  assert.equal(await fieldsOf({ retention_min_free_percent: 95, colour: 1 }), ['colour', 'retention_min_free_percent']);
  assert.equal(await fieldsOf({ recordings_dir: '/media/usb', recordings_removable: true, retention_keep_days: 30 }), []);
  assert.is(recordings.settings().recordings_dir, '/media/usb');
});

test('at start, a WAV file a power cut left open is repaired and the registry forgets it', async () => {
  const { root, settings, eventLog, recordings } = setup();
  mkdirSync(root, { recursive: true });
  const crashed = join(root, 'crashed.wav');
  writeFileSync(crashed, Buffer.concat([wavHeader(STEREO, 0), Buffer.alloc(4800 * 4 + 2, 3)]));
  settings.set('recording_open_files', [crashed, join(root, 'deleted-since.wav')]);
  await recordings.start();
  const fixed = readFileSync(crashed);
  assert.is(fixed.length, 44 + 4800 * 4);
  assert.is(fixed.readUInt32LE(40), 4800 * 4);
  assert.equal(settings.get('recording_open_files', null), []);
  const events = eventLog.recent();
  assert.ok(events.some((e) => e.kind === 'recording_repaired' && e.message.includes('crashed.wav')), JSON.stringify(events));
  await recordings.shutdown();
});

test('a stopped file encoder looks like any encoder to the clients', () => {
  const { recordings } = setup();
  const s = recordings.encoderStatus(fileEncoder({ codec: 'flac', sample_rate: 44100 }));
  assert.is(s.state, 'disabled');
  assert.is(s.status_text, 'Stopped');
  assert.is(s.recording.state, 'stopped');
  assert.is(s.recording.sample_rate, 48000, 'lossless recordings keep the capture rate');
  assert.is(recordings.encoderStatus(fileEncoder({ codec: 'mp3', sample_rate: 44100, bitrate_kbps: 128 })).recording.sample_rate, 44100);
});

test.run();
