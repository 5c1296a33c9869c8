// Cue sheets: the text (pure), and the recorder placing metadata history rows on its frame count for
// tracks that started before the file, during it, and across a rotation.
process.env.TZ = 'UTC';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { buildCueSheet, cueTimestamp } from '../../../src/engine/recording/cue-sheet.js';
import { filesIn, makeRig, MONO } from './helpers.js';

test('timestamps are mm:ss:ff at 75 frames per second, minutes past 99 in a long file', () => {
  assert.is(cueTimestamp(0, 48000), '00:00:00');
  assert.is(cueTimestamp(48000 * 61.5, 48000), '01:01:37');
  assert.is(cueTimestamp(639, 48000), '00:00:00', '639 samples is less than one cue frame');
  assert.is(cueTimestamp(640, 48000), '00:00:01');
  assert.is(cueTimestamp(44100 * 3600 * 5, 44100), '300:00:00');
});

test('the sheet: quotes made safe, sorted tracks, a first track covering the start', () => {
  const text = buildCueSheet({
    audioFile: '10-00-00 Radio.mp3',
    codec: 'mp3',
    title: 'Archive 2024-05-01 10:00:00',
    performer: 'Radio "One"',
    rate: 48000,
    tracks: [
      { offsetFrames: 48000 * 90, performer: 'B', title: 'Second' },
      { offsetFrames: 48000 * 30, performer: 'A', title: 'First\nline' },
    ],
  });
  assert.is(
    text,
    [
      'REM GENERATOR "RackCast"',
      "PERFORMER \"Radio 'One'\"",
      'TITLE "Archive 2024-05-01 10:00:00"',
      'FILE "10-00-00 Radio.mp3" MP3',
      '  TRACK 01 AUDIO',
      '    TITLE "Archive 2024-05-01 10:00:00"',
      "    PERFORMER \"Radio 'One'\"",
      '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO',
      '    TITLE "First line"',
      '    PERFORMER "A"',
      '    INDEX 01 00:30:00',
      '  TRACK 03 AUDIO',
      '    TITLE "Second"',
      '    PERFORMER "B"',
      '    INDEX 01 01:30:00',
      '',
    ].join('\r\n'),
  );
});

interface Track {
  title: string;
  performer: string;
  index: string;
}

function tracksOf(cuePath: string): { file: string; tracks: Track[] } {
  const text = readFileSync(cuePath, 'utf8');
  const file = /^FILE "(.*)" WAVE$/m.exec(text)?.[1] ?? '';
  const tracks = [...text.matchAll(/TRACK \d\d AUDIO\r\n {4}TITLE "(.*)"\r\n {4}PERFORMER "(.*)"\r\n {4}INDEX 01 (\d+:\d\d:\d\d)/g)].map((m) => ({ title: m[1]!, performer: m[2]!, index: m[3]! }));
  return { file, tracks };
}

test('tracks before, during and across an hourly rotation, kept up to date while the file is open', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:59:30Z', config: { file_name_template: '{time}' } });
  rig.addTrack('Artist A', 'Playing since before', Date.parse('2024-05-01T10:58:00Z'));
  rig.recorder.start();
  await rig.feed(10);
  rig.addTrack('Artist B', 'Starts at 10:59:40');
  await rig.feed(5);
  await rig.recorder.tickNow();
  const [openCue] = filesIn(rig.root, '.cue');
  assert.equal(
    tracksOf(openCue!).tracks.map((t) => t.title),
    ['Playing since before', 'Starts at 10:59:40'],
    'the open file already has the new track',
  );
  await rig.feed(5);
  rig.addTrack('Artist C', 'Crosses the hour'); // 10:59:50
  await rig.feed(9.9);
  // Stamped just after the hour but already in the history when the cut is made.
  rig.addTrack('Artist E', 'Right after the cut', Date.parse('2024-05-01T11:00:00.500Z'));
  await rig.feed(5.1);
  rig.addTrack('Artist D', 'Starts at 11:00:05');
  await rig.feed(3);
  await rig.recorder.stop();

  const cues = filesIn(rig.root, '.cue');
  assert.equal(cues.map((c) => basename(c)), ['10-59-30.cue', '11-00-00.cue']);
  const first = tracksOf(cues[0]!);
  assert.is(first.file, '10-59-30.wav');
  assert.equal(first.tracks, [
    { title: 'Playing since before', performer: 'Artist A', index: '00:00:00' },
    { title: 'Starts at 10:59:40', performer: 'Artist B', index: '00:10:00' },
    { title: 'Crosses the hour', performer: 'Artist C', index: '00:20:00' },
  ]);
  const second = tracksOf(cues[1]!);
  assert.is(second.file, '11-00-00.wav');
  assert.equal(second.tracks, [
    { title: 'Crosses the hour', performer: 'Artist C', index: '00:00:00' },
    { title: 'Right after the cut', performer: 'Artist E', index: '00:00:37' },
    { title: 'Starts at 11:00:05', performer: 'Artist D', index: '00:05:00' },
  ]);
  assert.not.ok(readdirSync(`${rig.root}/archive`).some((n) => n.endsWith('.tmp')), 'no temp file left behind');
});

test('a file with no metadata still gets a valid sheet covering it', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T08:00:00Z', config: { file_name_template: 'x-{codec}' } });
  rig.recorder.start();
  await rig.feed(1);
  await rig.recorder.stop();
  const [cue] = filesIn(rig.root, '.cue');
  assert.equal(tracksOf(cue!), { file: 'x-wav.wav', tracks: [{ title: 'Archive 2024-05-01 08:00:00', performer: 'Radio Test', index: '00:00:00' }] });
});

test.run();
