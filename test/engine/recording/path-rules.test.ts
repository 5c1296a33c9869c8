// Paths that can never be written on the recordings drive are refused when a file encoder is saved,
// naming the field: names over 255 bytes and paths over 4096 everywhere, "C:\x", and on FAT or exFAT
// (found from the mount table of the recordings directory) the reserved names and characters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEncoderInput, type FieldError } from '../../../src/engine/stream/encoder-schema.js';
import { fatNameProblem, type PathRules } from '../../../src/engine/recording/path-rules.js';
import { Recordings } from '../../../src/engine/recording/recordings.js';
import { FanOut } from '../../../src/engine/audio/fanout.js';
import { openDatabase } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';
import { EventLog } from '../../../src/engine/db/event-log.js';
import { removeOnExit } from '../../harness/util.js';
import { STEREO } from './helpers.js';

const FAT: PathRules = { fatNames: true, rootBytes: 12 };

function fileBody(over: Record<string, unknown>): Record<string, unknown> {
  return { name: 'Archive', codec: 'flac', output_type: 'file', file_output_path: 'logs', file_name_template: '{datetime}', ...over };
}

function errors(over: Record<string, unknown>, paths?: PathRules): FieldError[] {
  const r = parseEncoderInput(fileBody(over), undefined, { paths });
  return r.ok ? [] : r.errors;
}

const fields = (over: Record<string, unknown>, paths?: PathRules): string[] => errors(over, paths).map((e) => e.field);

test('on every filesystem: names over 255 bytes, paths over 4096 bytes and drive letters are refused, naming the field', () => {
  assert.equal(fields({}), []);
  assert.equal(fields({ file_name_template: `${'n'.repeat(240)}-{datetime}` }), ['file_name_template'], 'as expanded');
  assert.match(errors({ file_name_template: `${'ü'.repeat(130)}` })[0]!.message, /makes a name of 269 bytes .*a name holds at most 255/);
  assert.equal(fields({ file_name_template: `${'d'.repeat(245)}/{time}` }), [], 'a long name that fits');
  assert.equal(fields({ file_output_path: `shows/${'x'.repeat(256)}` }), ['file_output_path']);
  assert.equal(fields({ file_output_path: `shows/${'ü'.repeat(128)}` }), ['file_output_path'], 'bytes count, not characters');
  assert.equal(fields({ file_output_path: 'C:\\x' }), ['file_output_path']);
  assert.equal(fields({ file_output_path: 'c:recordings' }), ['file_output_path']);
  assert.equal(fields({ file_name_template: 'C:\\{date}' }), ['file_name_template']);
  const deep = Array.from({ length: 12 }, () => '€'.repeat(80)).join('/');
  assert.equal(fields({ file_output_path: deep }), [], `${Buffer.byteLength(deep)} bytes fit below a short directory`);
  assert.equal(fields({ file_output_path: deep }, { fatNames: false, rootBytes: 1200 }), ['file_output_path']);
  assert.match(errors({ file_output_path: deep }, { fatNames: false, rootBytes: 1200 })[0]!.message, /a path holds at most 4095/);
});

test('on FAT: reserved names, the characters FAT refuses, trailing dots and spaces', () => {
  for (const bad of ['logs/aux', 'CON', 'shows/lpt1.old', 'what?', 'a|b', 'x<y>', 'q"q', 'star*', 'show.', 'show ']) {
    assert.equal(fields({ file_output_path: bad }, FAT), ['file_output_path'], bad);
    assert.equal(fields({ file_output_path: bad }), [], `${bad} is fine on ext4`);
  }
  assert.equal(fields({ file_name_template: 'NUL' }, FAT), ['file_name_template']);
  assert.equal(fields({ file_name_template: '{date}/com1' }, FAT), ['file_name_template']);
  assert.equal(fields({ file_name_template: 'PRN.mp3' }, FAT), ['file_name_template'], 'the extension does not help');
  // Characters in the template are made safe when the name is made (they become "_"), so they are fine.
  assert.equal(fields({ file_name_template: '{date} what?' }, FAT), []);
  assert.equal(fields({ file_output_path: 'shows/console', file_name_template: '{date}-aux' }, FAT), [], 'only whole names are reserved');
  assert.is(fatNameProblem('Morning Show'), null);
});

test('a stream encoder is not held to file rules', () => {
  const r = parseEncoderInput({ name: 'S', codec: 'mp3', output_type: 'icecast', server_host: 'h', server_port: 8000, mount_point: '/m', file_output_path: 'aux' }, undefined, { paths: FAT });
  assert.ok(r.ok, JSON.stringify(r));
});

test('the recordings drive decides: a vfat directory in the mount table gives the FAT rules', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-rules-data-'));
  removeOnExit(dataDir);
  const usb = mkdtempSync(join(tmpdir(), 'rackcast-rules-usb-'));
  removeOnExit(usb);
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  const make = (fsType: string): Recordings =>
    new Recordings({
      dataDir, recordingsDir: usb, fanout: new FanOut(STEREO), captureFormat: () => STEREO, db, settings: new SettingsStore(db), eventLog: new EventLog(db),
      onRotation: () => undefined, onStatus: () => undefined,
      readMounts: async () => `/dev/root / ext4 rw 0 0\n/dev/sda1 ${usb} ${fsType} rw 0 0\n`,
    });
  for (const [fsType, fat] of [['vfat', true], ['exfat', true], ['ext4', false]] as const) {
    const recordings = make(fsType);
    await recordings.probe();
    const rules = recordings.pathRules();
    assert.is(rules.fatNames, fat, fsType);
    assert.is(rules.rootBytes, Buffer.byteLength(usb));
    assert.equal(fields({ file_output_path: 'logs/aux' }, rules), fat ? ['file_output_path'] : [], fsType);
  }
});

test.run();
