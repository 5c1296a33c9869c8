// Recording names and paths: template expansion in local time, FAT-safe names that cannot leave the
// recordings directory, the codec's extension, and unique names.
process.env.TZ = 'Europe/Berlin';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cueNameFor, expandTemplate, relativePathProblem, templateProblem, uniqueName } from '../../../src/engine/recording/file-names.js';

const AT = Date.parse('2024-05-01T08:07:06.400Z'); // 10:07:06 in Berlin
const values = { wallMs: AT, station: 'Radio One', codec: 'flac' as const, bitrate: 'lossless' };

test('every placeholder, in local time, without colons', () => {
  assert.is(expandTemplate('{date}-{time}-{station}.mp3', values), '2024-05-01-10-07-06-Radio One.flac');
  assert.is(expandTemplate('{datetime}_{bitrate}_{codec}', { ...values, codec: 'mp3', bitrate: '128k' }), '2024-05-01_10-07-06_128k_mp3.mp3');
  assert.is(expandTemplate('{time}', { ...values, wallMs: Date.parse('2024-05-01T08:59:59.9996Z') }), '11-00-00.flac', 'rounded to the second');
});

test('subdirectories are kept; values cannot add any, and nothing FAT refuses survives', () => {
  assert.is(expandTemplate('{date}/{time}', values), '2024-05-01/10-07-06.flac');
  assert.is(expandTemplate('{station}', { ...values, station: '../../etc/pass<wd>: "x"?*|' }), '.._.._etc_pass_wd__ _x____.flac');
  assert.is(expandTemplate('{station}', { ...values, station: '..' }), '_.flac');
  assert.is(expandTemplate('show. ', values), 'show.flac', 'trailing dots and spaces go (FAT drops them)');
  assert.is(expandTemplate('a//./b', values), 'a/b.flac');
});

test('the codec decides the extension; a wrong one in the template is replaced', () => {
  assert.is(expandTemplate('x.mp3', { ...values, codec: 'wav' }), 'x.wav');
  assert.is(expandTemplate('x.WAV', { ...values, codec: 'opus' }), 'x.opus');
  assert.is(expandTemplate('x.txt', { ...values, codec: 'aac' }), 'x.txt.aac');
});

test('paths and templates that would leave the recordings directory are refused, with the reason', () => {
  for (const bad of ['/abs', '\\abs', 'C:stuff', 'a/../b', '..', 'x\u0000y', 'x\ny']) assert.ok(relativePathProblem(bad), bad);
  assert.is(relativePathProblem('shows/morning'), null);
  assert.is(relativePathProblem('.'), null);
  assert.match(templateProblem('{date}-{nope}') ?? '', /unknown placeholder \{nope\}/);
  assert.match(templateProblem('/etc/{date}') ?? '', /relative/);
  assert.match(templateProblem('dir/') ?? '', /file name/);
  assert.is(templateProblem('{date}/{time}-{station}-{bitrate}-{codec}-{datetime}'), null);
});

test('unique names: -1, -2 before the extension, also when only the cue sheet exists', async () => {
  const taken = new Set(['a.wav', 'a-1.cue', 'b.mp3']);
  const exists = async (name: string): Promise<boolean> => taken.has(name);
  assert.is(await uniqueName('a.wav', exists), 'a-2.wav');
  assert.is(await uniqueName('c.wav', exists), 'c.wav');
  assert.is(await uniqueName('b.mp3', exists), 'b-1.mp3');
  assert.is(cueNameFor('/r/x.y/z.flac'), '/r/x.y/z.cue');
});

test('names are cut to what a filesystem holds (255 bytes), never inside a character', () => {
  const long = expandTemplate('{station}', { ...values, station: 'ü'.repeat(300) });
  assert.ok(Buffer.byteLength(long) <= 255, `${Buffer.byteLength(long)} bytes`);
  assert.ok(long.endsWith('ü.flac'));
  assert.is(Buffer.byteLength(expandTemplate(`${'d'.repeat(300)}/x`, values).split('/')[0]!), 255);
  assert.is(expandTemplate(`${'d'.repeat(300)}/x`, values, false).split('/')[0]!.length, 300, 'unless asked not to (validation measures)');
});

test.run();
