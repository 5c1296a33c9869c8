// Links inside the recordings tree (a USB stick or a share can carry them) are never followed, on a real
// filesystem: a linked subdirectory of the file name template or of file_output_path, a link at the cue
// sheet's temporary name, a dangling link at the name an ffmpeg-written file gets, a recordings directory
// that is itself a link. Nothing is written outside the recordings directory, and a refusal names the
// path component in the recording's status and in the event log.
process.env.TZ = 'UTC';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRig as makeRecorderRig, MONO } from './helpers.js';
import { removeOnExit } from '../../harness/util.js';

// Every recorder is stopped after its test, passed or failed, so a failure cannot leave one running.
const rigs: ReturnType<typeof makeRecorderRig>[] = [];
function makeRig(opts: Parameters<typeof makeRecorderRig>[0]): ReturnType<typeof makeRecorderRig> {
  const rig = makeRecorderRig(opts);
  rigs.push(rig);
  return rig;
}
test.after.each(async () => {
  for (const rig of rigs.splice(0)) await rig.recorder.stop();
});

function outsideDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-outside-'));
  removeOnExit(dir);
  return dir;
}

const errorsLogged = (rig: ReturnType<typeof makeRig>): string[] => rig.events.filter((e) => e.kind === 'recording_error').map((e) => e.message);

test('a subdirectory of file_name_template that is a link is refused, naming it; nothing lands where it points', async () => {
  const outside = outsideDir();
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { file_output_path: 'archive', file_name_template: '{date}/{time}-{station}' } });
  mkdirSync(join(rig.root, 'archive'));
  symlinkSync(outside, join(rig.root, 'archive', '2024-05-01'));
  rig.recorder.start();
  await rig.feed(1);
  const snap = rig.recorder.snapshot();
  assert.is(snap.state, 'error');
  assert.match(snap.lastError ?? '', /"archive\/2024-05-01" in the recordings directory is a link; links are not followed/);
  assert.ok(errorsLogged(rig).some((m) => m.includes('"archive/2024-05-01"')), JSON.stringify(rig.events));
  await rig.recorder.stop();
  assert.equal(readdirSync(outside), [], 'nothing was written through the link');
  assert.is(rig.open.size, 0, 'the file that could not be made is not left registered');
});

test('file_output_path through a link, and a name component that is a file, are refused the same way', async () => {
  const outside = outsideDir();
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { file_output_path: 'shows/morning', file_name_template: '{time}' } });
  mkdirSync(join(rig.root, 'shows'));
  symlinkSync(outside, join(rig.root, 'shows', 'morning'));
  rig.recorder.start();
  await rig.feed(0.5);
  assert.match(rig.recorder.snapshot().lastError ?? '', /"shows\/morning" in the recordings directory is a link/);
  await rig.recorder.stop();
  assert.equal(readdirSync(outside), []);

  const rig2 = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { file_output_path: 'archive', file_name_template: '{date}/{time}' } });
  mkdirSync(join(rig2.root, 'archive'));
  writeFileSync(join(rig2.root, 'archive', '2024-05-01'), 'a file where a directory should be');
  rig2.recorder.start();
  await rig2.feed(0.5);
  assert.match(rig2.recorder.snapshot().lastError ?? '', /"archive\/2024-05-01" in the recordings directory is not a directory/);
  await rig2.recorder.stop();
});

test('a recordings directory that is itself a link is refused', async () => {
  const real = outsideDir();
  const holder = outsideDir();
  const linked = join(holder, 'usb');
  symlinkSync(real, linked);
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', root: linked, config: { file_output_path: '.', file_name_template: '{time}' } });
  rig.recorder.start();
  await rig.feed(0.5);
  assert.match(rig.recorder.snapshot().lastError ?? '', /leads through a link/);
  await rig.recorder.stop();
  assert.equal(readdirSync(real), []);
});

test('a link at the cue sheet\'s temporary name is not written through; the audio records and the problem is reported', async () => {
  const outside = outsideDir();
  const target = join(outside, 'victim.txt');
  writeFileSync(target, 'keep');
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { file_output_path: 'archive', file_name_template: '{date}/{time}-{station}' } });
  const day = join(rig.root, 'archive', '2024-05-01');
  mkdirSync(day, { recursive: true });
  symlinkSync(target, join(day, '10-00-00-Radio Test.cue.tmp'));
  symlinkSync(join(outside, 'dangling.txt'), join(day, '10-00-01-Radio Test.cue.tmp'));
  rig.recorder.start();
  await rig.feed(2);
  assert.is(rig.recorder.snapshot().state, 'recording', 'the audio goes on');
  await rig.recorder.stop();
  assert.is(readFileSync(target, 'utf8'), 'keep', 'the file the link points to is untouched');
  assert.not.ok(existsSync(join(outside, 'dangling.txt')), 'a dangling link is not followed either');
  assert.ok(lstatSync(join(day, '10-00-00-Radio Test.cue.tmp')).isSymbolicLink(), 'the link is left alone');
  assert.not.ok(existsSync(join(day, '10-00-00-Radio Test.cue')), 'no cue sheet came through the link');
  assert.ok(existsSync(join(day, '10-00-00-Radio Test.wav')));
  const logged = errorsLogged(rig);
  assert.ok(logged.some((m) => /cue sheet for 10-00-00-Radio Test.wav not written: .*"archive\/2024-05-01\/10-00-00-Radio Test.cue.tmp" in the recordings directory is a link/.test(m)), JSON.stringify(logged));
  assert.is(logged.length, 1, 'said once, not on every rewrite');
});

test('a leftover temporary cue sheet of a crash (a regular file) is replaced', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { file_output_path: '.', file_name_template: '{time}' } });
  writeFileSync(join(rig.root, '10-00-00.cue.tmp'), 'half a sheet');
  rig.recorder.start();
  await rig.feed(0.5);
  await rig.recorder.stop();
  assert.match(readFileSync(join(rig.root, '10-00-00.cue'), 'utf8'), /FILE "10-00-00.wav" WAVE/);
  assert.not.ok(existsSync(join(rig.root, '10-00-00.cue.tmp')));
  assert.equal(errorsLogged(rig), []);
});

/** Total samples from a FLAC file's STREAMINFO: ffmpeg writes it by seeking back when the file ends. */
function flacTotalSamples(path: string): number {
  const head = readFileSync(path).subarray(0, 26);
  assert.is(head.toString('latin1', 0, 4), 'fLaC');
  return Number(head.readBigUInt64BE(18) & ((1n << 36n) - 1n));
}

test('a dangling link at the name of an ffmpeg-written file is not followed: the next name is used, the file is complete', async () => {
  const outside = outsideDir();
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { codec: 'flac', file_output_path: 'archive', file_name_template: '{date}/{time}-{station}' } });
  const day = join(rig.root, 'archive', '2024-05-01');
  mkdirSync(day, { recursive: true });
  const dangling = join(day, '10-00-00-Radio Test.flac');
  symlinkSync(join(outside, 'created-outside.flac'), dangling);
  rig.recorder.start();
  await rig.feed(2);
  await rig.recorder.stop();
  assert.equal(readdirSync(outside), [], 'nothing was created where the link points');
  assert.is(readlinkSync(dangling), join(outside, 'created-outside.flac'), 'the link is left as it was');
  const written = join(day, '10-00-00-Radio Test-1.flac');
  assert.ok(lstatSync(written).isFile());
  // STREAMINFO carries the length: ffmpeg could seek in the file the engine handed it.
  assert.is(flacTotalSamples(written), rig.fed);
  assert.equal(errorsLogged(rig), []);
});

test.run();
