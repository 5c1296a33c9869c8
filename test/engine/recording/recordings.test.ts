// The recordings manager: repair at start of files a crash left open, the settings schema with errors
// that name the field (recordings_dir: an existing directory, not a system one), retention that deletes
// only what the engine recorded, and the status of a file encoder as every client sees it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, migrate } from '../../../src/engine/db/migrations.js';
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

function register(db: BetterSqlite3.Database, path: string, closed: boolean): void {
  db.prepare('INSERT INTO recording_files (path, encoder_id, closed_at) VALUES (?, 7, ?)').run(path, closed ? '2024-05-01T00:00:00Z' : null);
}

async function errorsOf(recordings: Recordings, input: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await recordings.updateSettings(input);
    return [];
  } catch (err) {
    assert.instance(err, RecordingSettingsError);
    return (err as RecordingSettingsError).errors;
  }
}

test('the default directory is below the data directory; settings errors name the field', async () => {
  const { dataDir, recordings } = setup();
  assert.equal(recordings.settings(), { recordings_dir: join(dataDir, 'recordings'), recordings_removable: false, retention_keep_days: 0, retention_min_free_percent: 0 });
  const fieldsOf = async (input: unknown): Promise<string[]> => (await errorsOf(recordings, input)).map((e) => e.field).sort();
  assert.equal(await fieldsOf({ recordings_dir: 'relative' }), ['recordings_dir']);
  assert.equal(await fieldsOf({ recordings_dir: '/media/../etc' }), ['recordings_dir']);
  assert.equal(await fieldsOf({ recordings_dir: '/media/usb\n' }), ['recordings_dir']);
  assert.equal(await fieldsOf({ retention_min_free_percent: 95, colour: 1 }), ['colour', 'retention_min_free_percent']);
  const usb = mkdtempSync(join(tmpdir(), 'rackcast-usb-'));
  removeOnExit(usb);
  assert.equal(await fieldsOf({ recordings_dir: usb, recordings_removable: true, retention_keep_days: 30 }), []);
  assert.is(recordings.settings().recordings_dir, usb);
  assert.equal(await fieldsOf({ retention_keep_days: 10 }), [], 'the other settings save without touching the directory');
});

test('recordings_dir: system directories, //, /proc/self/cwd, a missing directory, a file and links to them are refused, naming the field', async () => {
  const { dataDir, recordings } = setup();
  const before = recordings.settings();
  const scratch = mkdtempSync(join(tmpdir(), 'rackcast-dirs-'));
  removeOnExit(scratch);
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'x');
  symlinkSync('/etc', join(scratch, 'etc-link'));
  symlinkSync('/', join(scratch, 'root-link'));
  symlinkSync(file, join(scratch, 'file-link'));
  const cases: Array<[string, RegExp]> = [
    ['/etc', /system directory/],
    ['/etc/rackcast', /system directory/],
    ['//', /root directory/],
    ['/', /root directory/],
    ['/proc/self/cwd', /system directory/],
    ['/usr/local/share', /system directory/],
    ['/sys/kernel', /system directory/],
    ['/dev/shm', /system directory/],
    ['/lib64', /system directory/],
    ['/var', /system directory/],
    [join(scratch, 'missing'), /does not exist/],
    [file, /not a directory/],
    [join(scratch, 'etc-link'), /leads to \/etc, which is a system directory/],
    [join(scratch, 'root-link'), /leads to \/, which must not be the root directory/],
    [join(scratch, 'file-link'), /not a directory/],
    [dataDir, /data directory itself/],
    [realpathSync(join(dataDir, '..')), /contains the data directory/],
  ];
  for (const [dir, message] of cases) {
    const errors = await errorsOf(recordings, { recordings_dir: dir });
    assert.equal(errors.map((e) => e.field), ['recordings_dir'], `${dir}: ${JSON.stringify(errors)}`);
    assert.match(errors[0]!.message, message, `${dir}: ${errors[0]!.message}`);
  }
  assert.equal(recordings.settings(), before, 'nothing was stored');
  // A link to a good directory is fine, and stored as where it leads.
  mkdirSync(join(scratch, 'drive'));
  symlinkSync(join(scratch, 'drive'), join(scratch, 'drive-link'));
  assert.equal(await errorsOf(recordings, { recordings_dir: join(scratch, 'drive-link') }), []);
  assert.is(recordings.settings().recordings_dir, realpathSync(join(scratch, 'drive')));
});

test('a new recordings drive that cannot hold a file encoder\'s paths (FAT names) is refused, naming recordings_dir', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-recordings-data-'));
  removeOnExit(dataDir);
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  const fat = mkdtempSync(join(tmpdir(), 'rackcast-fat-'));
  removeOnExit(fat);
  const recordings = new Recordings({
    dataDir, fanout: new FanOut(STEREO), captureFormat: () => STEREO, db, settings: new SettingsStore(db), eventLog: new EventLog(db),
    onRotation: () => undefined, onStatus: () => undefined,
    encoders: () => [fileEncoder({ name: 'Logger', file_output_path: 'logs/aux', file_name_template: '{date}' })],
    readMounts: async () => `/dev/sda1 ${fat} vfat rw 0 0\n`,
  });
  const errors = await errorsOf(recordings, { recordings_dir: fat });
  assert.equal(errors.map((e) => e.field), ['recordings_dir']);
  assert.match(errors[0]!.message, /"Logger" \(vfat\): its file_output_path "aux" is a reserved name on FAT/);
  assert.is(recordings.pathRules().fatNames, false, 'the drive in use is not FAT');
});

test('at start, a WAV file a power cut left open is repaired and the register marks it closed', async () => {
  const { root, db, eventLog, recordings } = setup();
  mkdirSync(root, { recursive: true });
  const crashed = join(root, 'crashed.wav');
  writeFileSync(crashed, Buffer.concat([wavHeader(STEREO, 0), Buffer.alloc(4800 * 4 + 2, 3)]));
  register(db, crashed, false);
  register(db, join(root, 'deleted-since.wav'), false);
  await recordings.start();
  const fixed = readFileSync(crashed);
  assert.is(fixed.length, 44 + 4800 * 4);
  assert.is(fixed.readUInt32LE(40), 4800 * 4);
  const rows = db.prepare('SELECT path, closed_at FROM recording_files ORDER BY id').all() as { path: string; closed_at: string | null }[];
  assert.equal(rows.map((r) => [r.path, r.closed_at !== null]), [[crashed, true]], 'repaired: closed; gone: forgotten');
  const events = eventLog.recent();
  assert.ok(events.some((e) => e.kind === 'recording_repaired' && e.message.includes('crashed.wav')), JSON.stringify(events));
  await recordings.shutdown();
});

test('repair never follows a link: a registered name that now points outside leaves the target alone', async () => {
  const { root, db, recordings } = setup();
  const outside = mkdtempSync(join(tmpdir(), 'rackcast-outside-'));
  removeOnExit(outside);
  mkdirSync(join(root, 'day'), { recursive: true });
  const target = join(outside, 'victim.wav');
  const original = Buffer.concat([wavHeader(STEREO, 0), Buffer.alloc(4802, 3)]);
  writeFileSync(target, original);
  symlinkSync(target, join(root, 'day', 'crashed.wav'));
  symlinkSync(outside, join(root, 'linked'));
  writeFileSync(join(outside, 'other.wav'), original);
  register(db, join(root, 'day', 'crashed.wav'), false);
  register(db, join(root, 'linked', 'other.wav'), false);
  await recordings.start();
  assert.equal(readFileSync(target), original);
  assert.equal(readFileSync(join(outside, 'other.wav')), original);
  await recordings.shutdown();
});

test('retention deletes old recordings the engine made and nothing it never wrote', async () => {
  const { root, db, recordings } = setup();
  mkdirSync(join(root, 'show'), { recursive: true });
  const old = (rel: string): string => {
    const p = join(root, rel);
    writeFileSync(p, Buffer.alloc(1000, 1));
    const t = Date.now() / 1000 - 30 * 86400;
    utimesSync(p, t, t);
    return p;
  };
  const foreign = [old('show/copied-in.wav'), old('show/copied-in.cue'), old('podcast.mp3'), old('show/archive.flac')];
  const recorded = old('show/2024-05-01-10-00-00.wav');
  register(db, recorded, true);
  await recordings.updateSettings({ retention_keep_days: 7 });
  await recordings.runRetention();
  assert.equal(foreign.map(existsSync), [true, true, true, true], 'audio the engine never wrote survives');
  assert.not.ok(existsSync(recorded), 'the engine\'s own old recording is deleted');
});

test('migration 4 moves the open-file list from the settings into the register', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, MIGRATIONS.slice(0, 3));
  db.prepare(`INSERT INTO settings (key, value) VALUES ('recording_open_files', ?)`).run(JSON.stringify(['/r/a.wav', '/r/b.flac', 3]));
  migrate(db);
  assert.equal(db.prepare('SELECT path, closed_at FROM recording_files ORDER BY id').all(), [{ path: '/r/a.wav', closed_at: null }, { path: '/r/b.flac', closed_at: null }]);
  assert.is(db.prepare(`SELECT COUNT(*) AS n FROM settings WHERE key = 'recording_open_files'`).get()!.constructor, Object);
  assert.equal(db.prepare(`SELECT COUNT(*) AS n FROM settings WHERE key = 'recording_open_files'`).get(), { n: 0 });
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
